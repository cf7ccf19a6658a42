"""Form specs: read forms/<form_key>.yaml, check it, and hold it as immutable objects.

A spec is checked once when loaded; every problem is reported in French so a
process owner (or the diagram checker) can fix the YAML without reading code.
"""
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from app.domain.vocabularies import all_vocabularies
from app.formspec import messages, registry

FIELD_TYPES = (
    "text", "textarea", "date", "number", "choice", "multichoice", "checkbox",
    "email", "phone", "nir", "siret", "file", "password",
)
CHOICE_TYPES = ("choice", "multichoice")
LENGTH_TYPES = ("text", "textarea", "email", "password")
CHOICE_WIDGETS = ("radio", "select")
# Only PDF uploads are supported for now (DOMAIN §3: CV as PDF ≤ 5 MB).
PDF_ACCEPT = ("pdf", ".pdf", "application/pdf")
DEFAULT_MAX_SIZE_MB = 5

TOP_LEVEL_KEYS = {"title", "description", "fields"}
FIELD_KEYS = {
    "name", "type", "label", "help", "required", "required_if", "show_if",
    "choices", "vocabulary", "choices_provider", "validators", "widget",
    "min", "max", "max_length", "accept", "max_size_mb",
}
# Field names that would hide an attribute of the form object built from the spec.
RESERVED_NAMES = {"spec", "spec_fields", "context", "csrf_token", "meta"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FORM_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class FormSpecError(Exception):
    """A form spec is missing or malformed; str() is a French message, `problems` the details."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True, eq=False)
class FieldSpec:
    name: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    # field name → tuple of accepted values; all entries must hold (AND).
    required_if: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    show_if: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    choices: MappingProxyType | None = None
    vocabulary: str | None = None
    choices_provider: str | None = None
    validators: tuple = ()
    widget: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    accept: str | None = None
    max_size_mb: float | None = None

    @property
    def is_choice(self):
        return self.type in CHOICE_TYPES

    @property
    def static_codes(self):
        """The codes offered when they do not depend on the context (inline or vocabulary), else None."""
        if self.choices is not None:
            return set(self.choices)
        if self.vocabulary in all_vocabularies():
            return set(all_vocabularies()[self.vocabulary])
        return None

    @property
    def required_when_shown(self):
        """True when the field must be filled whenever it is visible: the UI marks it "(obligatoire)"."""
        return self.required or (bool(self.required_if) and dict(self.required_if) == dict(self.show_if))

    @property
    def hint_text(self):
        """Help text and format hint, as shown under the label and referenced by aria-describedby."""
        return " ".join(part for part in (self.help, messages.type_hint(self)) if part)

    @property
    def show_if_json(self):
        """show_if as JSON (values as strings), for the data-show-if attribute read by show-if.js."""
        return json.dumps({k: [condition_text(v) for v in vs] for k, vs in self.show_if.items()})


@dataclass(frozen=True, eq=False)
class FormSpec:
    form_key: str
    title: str
    description: str
    fields: tuple
    raw: MappingProxyType = field(repr=False, default_factory=lambda: MappingProxyType({}))

    def field(self, name):
        for field_spec in self.fields:
            if field_spec.name == name:
                return field_spec
        raise KeyError(name)

    @property
    def field_names(self):
        return tuple(f.name for f in self.fields)

    @property
    def has_file(self):
        return any(f.type == "file" for f in self.fields)


def condition_text(value):
    """How a value is compared in show_if/required_if (same rule in show-if.js)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def condition_holds(condition, values):
    """True when every `field: accepted values` of the condition matches `values` (name → value)."""
    for name, accepted in condition.items():
        actual = values.get(name)
        actual_items = actual if isinstance(actual, (list, tuple)) else [actual]
        wanted = {condition_text(v) for v in accepted}
        if not any(condition_text(item) in wanted for item in actual_items):
            return False
    return True


# --- loading -----------------------------------------------------------------

_cache = {}
_cache_lock = threading.Lock()


def spec_path(form_key, forms_dir):
    if not isinstance(form_key, str) or not _FORM_KEY.match(form_key):
        raise FormSpecError(
            f"Clé de formulaire invalide : « {form_key} » (lettres minuscules, chiffres, _ . - seulement)."
        )
    return Path(forms_dir) / f"{form_key}.yaml"


def list_form_keys(forms_dir):
    """The form keys for which forms_dir holds a spec, sorted."""
    folder = Path(forms_dir)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


# Specs that process owners publish from the browser live in the database and win over
# the files: app/services/process_admin.py registers a function form_key -> None or
# (revision, read_text), asked before the file (revision: any value that changes with the text).
_stored_specs = None


def use_stored_specs(lookup):
    """Consult `lookup` before forms_dir in load_spec (None: files only)."""
    global _stored_specs
    _stored_specs = lookup


def load_spec(form_key, forms_dir):
    """The checked FormSpec of form_key: its published version if any, else forms_dir/<form_key>.yaml,
    re-read only when it changes."""
    path = spec_path(form_key, forms_dir)
    stored = _stored_specs(form_key) if _stored_specs is not None else None
    if stored is not None:
        revision, read_text = stored
        key = ("stored", form_key)
        cached = _cache.get(key)
        if cached and cached[0] == revision:
            return cached[1]
        spec = parse_spec(read_text(), form_key, source=f"{form_key} (version publiée)")
        with _cache_lock:
            _cache[key] = (revision, spec)
        return spec
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise FormSpecError(
            f"Le formulaire « {form_key} » est introuvable : aucun fichier {path.name} dans {path.parent.name}/."
        ) from None
    key = str(path.resolve())
    cached = _cache.get(key)
    if cached and cached[0] == mtime:
        return cached[1]
    spec = parse_spec(path.read_text(encoding="utf-8"), form_key, source=path.name)
    with _cache_lock:
        _cache[key] = (mtime, spec)
    return spec


def parse_spec(text, form_key, source=None):
    """Parse YAML text into a FormSpec; FormSpecError lists every problem found."""
    source = source or f"{form_key}.yaml"
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if mark else ""
        raise FormSpecError(f"Le fichier {source} n'est pas un YAML valide{where}.") from None
    problems = check_spec(raw)
    if problems:
        raise FormSpecError(
            f"Le formulaire « {form_key} » ({source}) contient {len(problems)} erreur(s) : "
            + " ".join(problems),
            problems,
        )
    return _build_spec(raw, form_key)


def _as_condition(raw_condition):
    return MappingProxyType({
        name: tuple(value if isinstance(value, list) else [value])
        for name, value in (raw_condition or {}).items()
    })


def _build_spec(raw, form_key):
    fields = []
    for item in raw["fields"]:
        choices = item.get("choices")
        widget = item.get("widget")
        if item["type"] == "choice" and widget is None:
            widget = "select"
        fields.append(FieldSpec(
            name=item["name"],
            type=item["type"],
            label=item["label"].strip(),
            help=(item.get("help") or "").strip(),
            required=bool(item.get("required", False)),
            required_if=_as_condition(item.get("required_if")),
            show_if=_as_condition(item.get("show_if")),
            choices=MappingProxyType({str(k): str(v) for k, v in choices.items()}) if choices else None,
            vocabulary=item.get("vocabulary"),
            choices_provider=item.get("choices_provider"),
            validators=tuple(item.get("validators") or ()),
            widget=widget,
            min=item.get("min"),
            max=item.get("max"),
            max_length=item.get("max_length"),
            accept="pdf" if item["type"] == "file" else None,
            max_size_mb=item.get("max_size_mb", DEFAULT_MAX_SIZE_MB) if item["type"] == "file" else None,
        ))
    return FormSpec(
        form_key=form_key,
        title=raw["title"].strip(),
        description=(raw.get("description") or "").strip(),
        fields=tuple(fields),
        raw=MappingProxyType(raw),
    )


# --- checking ----------------------------------------------------------------

def check_spec(spec):
    """French descriptions of every problem in a spec (a parsed YAML mapping or a FormSpec); [] if none."""
    raw = dict(spec.raw) if isinstance(spec, FormSpec) else spec
    if not isinstance(raw, dict):
        return ["Le fichier doit décrire un formulaire (title, description, fields), pas une liste ou un texte."]
    problems = []
    for key in sorted(set(raw) - TOP_LEVEL_KEYS, key=str):
        problems.append(f"Clé inconnue « {key} » (clés possibles : title, description, fields).")
    if not _non_empty_text(raw.get("title")):
        problems.append("Le titre (title) est obligatoire.")
    if raw.get("description") is not None and not isinstance(raw.get("description"), str):
        problems.append("La description doit être un texte.")
    fields = raw.get("fields")
    if not isinstance(fields, list) or not fields:
        problems.append("La liste des champs (fields) est obligatoire et ne peut pas être vide.")
        return problems
    seen = {}
    for position, item in enumerate(fields, start=1):
        problems.extend(_check_field(item, position, seen))
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            seen.setdefault(item["name"], item)
    return problems


def _non_empty_text(value):
    return isinstance(value, str) and value.strip() != ""


def _field_label(item, position):
    name = item.get("name") if isinstance(item, dict) else None
    return f"Champ n°{position} (« {name} »)" if isinstance(name, str) else f"Champ n°{position}"


def _check_field(item, position, earlier):
    """Problems of one field; `earlier` maps the names declared before it to their raw mapping."""
    where = _field_label(item, position)
    if not isinstance(item, dict):
        return [f"{where} : chaque champ doit être décrit par des clés (name, type, label…)."]
    problems = []
    for key in sorted(set(item) - FIELD_KEYS, key=str):
        problems.append(f"{where} : clé inconnue « {key} ».")

    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(f"{where} : le nom (name) est obligatoire, en minuscules, chiffres et _ (ex. hired_job).")
    elif name in earlier:
        problems.append(f"{where} : le nom « {name} » est déjà utilisé par un autre champ.")
    elif _is_reserved(name):
        problems.append(f"{where} : le nom « {name} » est réservé, choisissez-en un autre.")

    kind = item.get("type")
    if kind not in FIELD_TYPES:
        problems.append(f"{where} : type inconnu « {kind} » (types possibles : {', '.join(FIELD_TYPES)}).")
    if not _non_empty_text(item.get("label")):
        problems.append(f"{where} : le libellé (label) est obligatoire.")
    if item.get("help") is not None and not isinstance(item.get("help"), str):
        problems.append(f"{where} : l'aide (help) doit être un texte.")
    if "required" in item and not isinstance(item["required"], bool):
        problems.append(f"{where} : required doit valoir true ou false.")

    problems.extend(_check_choices(item, kind, where))
    problems.extend(_check_conditions(item, where, earlier))
    problems.extend(_check_validators(item, where))
    problems.extend(_check_type_options(item, kind, where))
    return problems


def _is_reserved(name):
    from app.formspec.build import SpecForm  # late: build imports this module

    return name in RESERVED_NAMES or hasattr(SpecForm, name)


def _check_choices(item, kind, where):
    sources = [key for key in ("choices", "vocabulary", "choices_provider") if key in item]
    if kind not in CHOICE_TYPES:
        problems = [f"{where} : « {key} » n'a de sens que pour un champ choice ou multichoice." for key in sources]
        if "widget" in item:
            problems.append(f"{where} : « widget » n'a de sens que pour un champ choice.")
        return problems
    problems = []
    if len(sources) != 1:
        problems.append(f"{where} : indiquez exactement une source de choix parmi choices, vocabulary, choices_provider.")
    if "choices" in item:
        choices = item["choices"]
        if not isinstance(choices, dict) or not choices:
            problems.append(f"{where} : choices doit associer des codes à des libellés (code: libellé).")
        else:
            for code, label in choices.items():
                # YAML reads yes/no/on/off as booleans: such a code is almost surely a mistake.
                if isinstance(code, bool) or not isinstance(code, (str, int)):
                    problems.append(f"{where} : le code de choix « {code} » doit être un texte (mettez-le entre guillemets).")
                if not _non_empty_text(label):
                    problems.append(f"{where} : le choix « {code} » n'a pas de libellé.")
    if "vocabulary" in item and item["vocabulary"] not in all_vocabularies():
        problems.append(
            f"{where} : vocabulaire inconnu « {item['vocabulary']} » "
            f"(connus : {', '.join(sorted(all_vocabularies()))})."
        )
    if "choices_provider" in item and item["choices_provider"] not in registry.PROVIDERS:
        problems.append(
            f"{where} : source de choix inconnue « {item['choices_provider']} » "
            f"(connues : {', '.join(sorted(registry.PROVIDERS))})."
        )
    if "widget" in item:
        if kind == "multichoice":
            problems.append(f"{where} : un champ multichoice s'affiche toujours en cases à cocher, retirez « widget ».")
        elif item["widget"] not in CHOICE_WIDGETS:
            problems.append(f"{where} : widget inconnu « {item['widget']} » (radio ou select).")
    return problems


def static_choices(item):
    """Codes of a raw field whose choices do not depend on the context, else None."""
    if isinstance(item.get("choices"), dict):
        return {str(code) for code in item["choices"]}
    if item.get("vocabulary") in all_vocabularies():
        return set(all_vocabularies()[item["vocabulary"]])
    return None


def _check_conditions(item, where, earlier):
    problems = []
    for key in ("required_if", "show_if"):
        if key not in item:
            continue
        condition = item[key]
        if not isinstance(condition, dict) or not condition:
            problems.append(f"{where} : {key} doit associer un autre champ à une valeur ou une liste de valeurs.")
            continue
        for other, values in condition.items():
            if other not in earlier:
                problems.append(
                    f"{where} : {key} porte sur « {other} », qui doit être un champ déclaré plus haut dans le formulaire."
                )
                continue
            other_item = earlier[other]
            if other_item.get("type") == "file":
                problems.append(f"{where} : {key} ne peut pas porter sur un champ fichier (« {other} »).")
            values = values if isinstance(values, list) else [values]
            if not values or any(isinstance(v, (dict, list)) or v is None for v in values):
                problems.append(f"{where} : {key} : les valeurs attendues pour « {other} » doivent être des codes.")
                continue
            known = static_choices(other_item) if other_item.get("type") in CHOICE_TYPES else None
            if known is not None:
                for value in values:
                    if condition_text(value) not in known:
                        problems.append(f"{where} : {key} : « {value} » n'est pas un choix possible de « {other} ».")
    if item.get("required") is True and "required_if" in item:
        problems.append(f"{where} : required et required_if s'excluent, gardez l'un des deux.")
    if item.get("required") is True and "show_if" in item:
        problems.append(f"{where} : un champ toujours obligatoire ne peut pas être masqué (show_if) ; utilisez required_if.")
    return problems


def _check_validators(item, where):
    names = item.get("validators")
    if names is None:
        return []
    if not isinstance(names, list):
        return [f"{where} : validators doit être une liste de noms."]
    return [
        f"{where} : règle de validation inconnue « {name} » (connues : {', '.join(sorted(registry.VALIDATORS))})."
        for name in names
        if not isinstance(name, str) or name not in registry.VALIDATORS
    ]


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_type_options(item, kind, where):
    problems = []
    for key in ("min", "max"):
        if key in item:
            if kind != "number":
                problems.append(f"{where} : « {key} » n'a de sens que pour un champ number.")
            elif not _is_number(item[key]):
                problems.append(f"{where} : « {key} » doit être un nombre.")
    if _is_number(item.get("min")) and _is_number(item.get("max")) and item["min"] > item["max"]:
        problems.append(f"{where} : min est plus grand que max.")
    if "max_length" in item:
        if kind not in LENGTH_TYPES:
            problems.append(f"{where} : « max_length » n'a de sens que pour un champ text, textarea, email ou password.")
        elif not isinstance(item["max_length"], int) or isinstance(item["max_length"], bool) or item["max_length"] < 1:
            problems.append(f"{where} : max_length doit être un nombre entier positif.")
    for key in ("accept", "max_size_mb"):
        if key in item and kind != "file":
            problems.append(f"{where} : « {key} » n'a de sens que pour un champ file.")
    if kind == "file":
        if "accept" in item and str(item["accept"]).lower() not in PDF_ACCEPT:
            problems.append(f"{where} : seuls les fichiers PDF sont acceptés pour l'instant (accept: pdf).")
        if "max_size_mb" in item and (not _is_number(item["max_size_mb"]) or item["max_size_mb"] <= 0):
            problems.append(f"{where} : max_size_mb doit être un nombre positif (en Mo).")
    return problems


# --- choices a diagram may restrict ---------------------------------------------

CHOICES_PROPERTY_PREFIX = "choices."


def parse_restrict_choices(properties):
    """Turn user-task properties {"choices.decision": "refuse, accept"} into {"decision": ["refuse", "accept"]}."""
    restrict = {}
    for key, value in (properties or {}).items():
        if isinstance(key, str) and key.startswith(CHOICES_PROPERTY_PREFIX):
            items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
            restrict[key[len(CHOICES_PROPERTY_PREFIX):]] = [str(code).strip() for code in items if str(code).strip()]
    return restrict


def check_restrict_choices(spec, restrict_choices):
    """French problems in a diagram's `choices.<field>` properties for this spec; [] if none."""
    problems = []
    for name, codes in (restrict_choices or {}).items():
        try:
            field_spec = spec.field(name)
        except KeyError:
            problems.append(f"choices.{name} : le formulaire « {spec.form_key} » n'a pas de champ « {name} ».")
            continue
        if not field_spec.is_choice:
            problems.append(f"choices.{name} : « {name} » n'est pas un champ à choix.")
            continue
        if not codes:
            problems.append(f"choices.{name} : la liste des choix autorisés est vide.")
        known = field_spec.static_codes
        if known is None:
            continue  # choices come from the context: nothing to check before run time
        for code in codes:
            if code not in known:
                problems.append(f"choices.{name} : « {code} » n'est pas un choix possible de « {name} ».")
    return problems

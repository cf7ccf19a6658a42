"""Turn a FormSpec into a Flask-WTF form, and validate JSON input with that same form.

HTML:  form = build_form(spec, context); data, errors = form_result(form); files = uploaded_files(form)
API:   data, errors = validate_json(spec, payload, context)
"""
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.meta import DefaultMeta

from app.formspec import messages, registry
from app.formspec.fields import make_field
from app.formspec.spec import condition_holds, condition_text


class SpecForm(FlaskForm):
    """Base of the classes built from specs: knows which fields are shown and required."""

    class Meta:
        locales = ["fr_FR", "fr"]

        def get_translations(self, form):
            # Flask-WTF's translations need Flask-Babel; WTForms ships its own French catalogue.
            return DefaultMeta.get_translations(self, form)

    spec = None  # set on each generated class
    context = MappingProxyType({})  # build_form sets the caller's context per instance

    @property
    def spec_fields(self):
        """The spec's fields in order, for templates: name, type, label, help, show_if…"""
        return self.spec.fields

    def field_pairs(self):
        """(FieldSpec, bound field) in order, for templates; fields that can never show are left out."""
        unreachable = getattr(self, "unreachable", frozenset())
        return [(field_spec, self[field_spec.name]) for field_spec in self.spec.fields
                if field_spec.name not in unreachable]

    def hint_for(self, field_spec):
        """Text under the label: help, format hint, and when a conditional field is required."""
        text = field_spec.hint_text
        if field_spec.required_if and not field_spec.required_when_shown:
            others = " et ".join(f"« {self.spec.field(name).label} »" for name in field_spec.required_if)
            text = (text + " " if text else "") + f"Obligatoire selon votre réponse à {others}."
        return text

    def condition_note(self, field_spec):
        """"Only if …" for a field with show_if: shown when JavaScript is off and every field is visible."""
        parts = []
        for name, accepted in field_spec.show_if.items():
            other = self.spec.field(name)
            if other.type == "checkbox":
                state = "cochée" if any(condition_text(v) == "true" for v in accepted) else "non cochée"
                parts.append(f"la case « {other.label} » est {state}")
                continue
            labels = dict(resolve_choices(other, self.context)) if other.is_choice else {}
            values = " ou ".join(f"« {labels.get(condition_text(v), condition_text(v))} »" for v in accepted)
            parts.append(f"vous répondez {values} à « {other.label} »")
        return ("Seulement si " + " et ".join(parts) + ".") if parts else ""

    def aria_for(self, field_spec, control=True):
        """aria-* attributes of a field's input; control=False for a fieldset or a file input."""
        field = self[field_spec.name]
        ids = [f"{field.id}-hint"] if self.hint_for(field_spec) else []
        if field.errors:
            ids.append(f"{field.id}-error")
        attributes = {"aria-describedby": " ".join(ids)} if ids else {}
        if control and field.errors:
            attributes["aria-invalid"] = "true"
        if control and field_spec.required_when_shown:
            attributes["aria-required"] = "true"
        return attributes

    # --- show_if / required_if, evaluated in field order --------------------------

    def evaluate_conditions(self):
        """Decide which fields are shown and which are required, from the current values.

        A hidden field counts as empty for the conditions of the fields below it
        (conditions may only refer to fields above, which check_spec enforces).
        """
        self._shown, self._required = {}, {}
        values = {}
        for field_spec in self.spec.fields:
            shown = condition_holds(field_spec.show_if, values) if field_spec.show_if else True
            values[field_spec.name] = _condition_value(field_spec, self[field_spec.name]) if shown else None
            self._shown[field_spec.name] = shown
            self._required[field_spec.name] = shown and (
                field_spec.required
                or (bool(field_spec.required_if) and condition_holds(field_spec.required_if, values))
            )

    def is_shown(self, name):
        if not hasattr(self, "_shown"):
            self.evaluate_conditions()
        return self._shown.get(name, True)

    def is_required(self, name):
        if not hasattr(self, "_required"):
            self.evaluate_conditions()
        return self._required.get(name, False)

    def current_values(self):
        """Python values of the fields as validation goes (normalized ones included).

        Hidden fields and fields already found invalid count as empty, so a
        validator never compares with a value the user must correct anyway.
        """
        return {
            field_spec.name: _python_value(field_spec, self[field_spec.name])
            if self.is_shown(field_spec.name) and not self[field_spec.name].errors
            else _empty_value(field_spec)
            for field_spec in self.spec.fields
        }

    def validate(self, extra_validators=None):
        """Validate visible fields only: a hidden field has no error and comes back empty."""
        self.evaluate_conditions()
        success = True
        for name, field in self._fields.items():
            if not self.is_shown(name):
                field.errors = []
                continue
            extra = (extra_validators or {}).get(name, ())
            if not field.validate(self, extra):
                success = False
        csrf_name = self.meta.csrf_field_name if self.meta.csrf else None
        if csrf_name and csrf_name in self._fields and self[csrf_name].errors:
            self[csrf_name].errors = [messages.CSRF]
        return success


def _python_value(field_spec, field):
    if field_spec.type in ("text", "textarea", "email", "phone", "nir", "siret", "password"):
        return field.data or ""
    if field_spec.type == "choice":
        return field.data if field.data not in (None, "") else None
    if field_spec.type == "multichoice":
        return list(field.data or [])
    if field_spec.type == "checkbox":
        return bool(field.data)
    return field.data  # date, number, file


def _condition_value(field_spec, field):
    """The value conditions see: a code the form does not offer counts as no answer."""
    value = _python_value(field_spec, field)
    if field_spec.is_choice:
        offered = {str(choice[0]) for choice in field.choices or ()}
        if field_spec.type == "choice":
            return value if value is not None and str(value) in offered else None
        return [code for code in value if str(code) in offered]
    return value


def _empty_value(field_spec):
    return {
        "text": "", "textarea": "", "email": "", "phone": "", "nir": "", "siret": "", "password": "",
        "multichoice": [], "checkbox": False,
    }.get(field_spec.type)


@lru_cache(maxsize=256)
def form_class(spec):
    """The form class of a spec; cached per FormSpec object (a reloaded file gives a new object)."""
    attributes = {field_spec.name: make_field(field_spec) for field_spec in spec.fields}
    attributes["spec"] = spec
    name = "SpecForm_" + re.sub(r"\W", "_", spec.form_key)
    return type(name, (SpecForm,), attributes)


def resolve_choices(field_spec, context, allowed=None):
    """[(code, label)] offered by a choice field in this context, limited to `allowed` codes if given."""
    if field_spec.choices is not None:
        choices = dict(field_spec.choices)
    elif field_spec.vocabulary:
        from app.domain.vocabularies import all_vocabularies

        choices = all_vocabularies()[field_spec.vocabulary]
    else:
        choices = registry.PROVIDERS[field_spec.choices_provider](context)
    pairs = [(str(code), str(label)) for code, label in choices.items()]
    if allowed is not None:
        if isinstance(allowed, str):
            allowed = allowed.split(",")
        allowed = {str(code).strip() for code in allowed}
        pairs = [pair for pair in pairs if pair[0] in allowed]  # keep the spec's order
    return pairs


def build_form(spec, context=None, restrict_choices=None, formdata=None, data=None, csrf=True):
    """A form instance for the spec.

    context: what providers and validators read (company_kind, other_companies, today…).
    restrict_choices: {field name: allowed codes} from the user task's `choices.<field>` properties.
    formdata: None = Flask-WTF's default (the request's form and files on POST).
    data: initial values in the JSON-safe shape clean_data returns (ISO dates…).
    csrf: False for the API (authenticated otherwise) and for tests.
    """
    kwargs = {}
    if formdata is not None:
        kwargs["formdata"] = formdata
    if data:
        kwargs["data"] = {name: value for name, value in data.items() if name in spec.field_names}
    if not csrf:
        kwargs["meta"] = {"csrf": False}
    form = form_class(spec)(**kwargs)
    form.context = dict(context or {})
    restrict_choices = restrict_choices or {}
    for field_spec in spec.fields:
        if field_spec.is_choice:
            form[field_spec.name].choices = resolve_choices(
                field_spec, form.context, restrict_choices.get(field_spec.name)
            )
    form.unreachable = _unreachable_fields(spec, form)
    return form


def _unreachable_fields(spec, form):
    """Fields whose show_if asks for a choice the diagram does not offer here.

    E.g. where a task only offers "accept", the refusal fields would only confuse.
    Conditions point upwards, so one pass in field order settles chains.
    """
    unreachable = set()
    for field_spec in spec.fields:
        for name, accepted in (field_spec.show_if or {}).items():
            other = spec.field(name)
            if name in unreachable:
                unreachable.add(field_spec.name)
            elif other.is_choice and other.type != "checkbox":
                offered = {str(code) for code, _label in form[name].choices}
                if not offered & {condition_text(v) for v in accepted}:
                    unreachable.add(field_spec.name)
    return frozenset(unreachable)


def clean_data(form):
    """JSON-safe values of every non-file field (hidden ones empty): ISO dates, numbers, codes, booleans."""
    form.evaluate_conditions()
    values = form.current_values()
    return {
        field_spec.name: _json_value(field_spec, values[field_spec.name])
        for field_spec in form.spec.fields
        if field_spec.type != "file"
    }


def form_result(form):
    """Validate a bound form: (clean_data, errors) shaped like validate_json's; files via uploaded_files()."""
    if not form.validate():
        return {}, {name: list(messages_) for name, messages_ in form.errors.items()}
    return clean_data(form), {}


def place_field_errors(form, field_errors):
    """Show a service's per-field messages (ServiceError.field_errors) next to the form's fields;
    the messages about no field of this form are returned, for the alert above it."""
    others = []
    for name, field_messages in (field_errors or {}).items():
        field_messages = [field_messages] if isinstance(field_messages, str) else list(field_messages)
        if name in form.spec.field_names:
            form[name].errors = field_messages
        else:
            others.extend(field_messages)
    return others


def uploaded_files(form):
    """{field name: werkzeug FileStorage} for the visible file fields that received a file."""
    return {
        field_spec.name: form[field_spec.name].data
        for field_spec in form.spec.fields
        if field_spec.type == "file" and form.is_shown(field_spec.name) and form[field_spec.name].data
    }


def _json_value(field_spec, value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if field_spec.type == "choice" and value is not None:
        return str(value)
    if field_spec.type == "multichoice":
        return [str(code) for code in value]
    return value


# --- JSON input ----------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _to_formdata_values(field_spec, value):
    """The strings an HTML form would post for this JSON value; TypeError(French message) if its type is wrong."""
    kind = field_spec.type
    if value is None:
        return []
    if kind == "file":
        raise TypeError(messages.FILE_NOT_IN_JSON)
    if kind == "checkbox":
        if not isinstance(value, bool):
            raise TypeError(messages.EXPECTED_BOOL)
        return ["y"] if value else []
    if kind == "multichoice":
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, (bool, dict, list)) or item is None for item in items):
            raise TypeError(messages.EXPECTED_LIST)
        return [str(item) for item in items]
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise TypeError(messages.EXPECTED_NUMBER if kind == "number" else messages.EXPECTED_TEXT)
    if kind == "date":
        if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
            raise TypeError(messages.INVALID_ISO_DATE)
        return [value]
    return [str(value)]


def validate_json(spec, payload, context=None, restrict_choices=None, files=None):
    """Validate an API payload with the very form the HTML page uses.

    Returns (clean_data, errors): clean_data as clean_data() gives it ({} when
    there are errors), errors {field name: [French messages]}. Dates are ISO
    "YYYY-MM-DD". `files` ({name: FileStorage}) serves multipart API calls.
    """
    if not isinstance(payload, dict):
        return {}, {"_form": [messages.NOT_AN_OBJECT]}
    errors = {key: [messages.UNKNOWN_FIELD] for key in payload if key not in spec.field_names}
    formdata = MultiDict()
    for field_spec in spec.fields:
        if field_spec.name not in payload:
            continue
        try:
            for item in _to_formdata_values(field_spec, payload[field_spec.name]):
                formdata.add(field_spec.name, item)
        except TypeError as exc:
            errors[field_spec.name] = [str(exc)]
    for name, storage in (files or {}).items():
        formdata.add(name, storage)

    form = build_form(spec, context, restrict_choices, formdata=formdata, csrf=False)
    form.validate()
    for field_spec in spec.fields:
        field_errors = form[field_spec.name].errors
        if field_spec.name in errors or not field_errors:
            continue  # a JSON type error says more than what followed from it
        if field_spec.type == "date":
            field_errors = [messages.INVALID_ISO_DATE if m == messages.INVALID_DATE else m for m in field_errors]
        errors[field_spec.name] = list(field_errors)
    if errors:
        return {}, errors
    return clean_data(form), {}

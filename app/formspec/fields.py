"""WTForms fields for each spec field type, with French messages.

make_field(field_spec) returns an unbound WTForms field. Whether an empty
field is an error is decided by the form (required / required_if / show_if),
through the ConditionalRequired validator that starts every chain.
"""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import fields as wtf
from wtforms import validators as wtv
from wtforms import widgets
from wtforms.validators import StopValidation, ValidationError

from app.formspec import messages, registry

# Field types that check and normalize their value with a registry validator.
TYPE_VALIDATORS = {"nir": ("nir",), "siret": ("siret",), "phone": ("french_phone",)}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # ISO first: what <input type="date"> sends and shows


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def parse_date(text):
    """A date from "2026-11-22" or "22/11/2026", else None."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class DateField(wtf.Field):
    """A date typed as ISO (what browsers send) or jj/mm/aaaa (what people type without a date picker)."""

    widget = widgets.DateInput()

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if self.data else ""

    def process_data(self, value):
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            value = parse_date(value.strip())
        self.data = value if isinstance(value, date) else None

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.data = parse_date(text) if text else None
        if text and self.data is None:
            raise ValueError(messages.INVALID_DATE)


class NumberField(wtf.Field):
    """A decimal number; accepts the French comma (17,5)."""

    widget = widgets.TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data).replace(".", ",")

    def process_data(self, value):
        try:
            self.data = None if value in (None, "") else Decimal(str(value))
        except InvalidOperation:
            self.data = None

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = str(valuelist[0]).strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.data = None
            raise ValueError(messages.INVALID_NUMBER)
        self.data = number


class _ChoiceCheck:
    """French message for a code outside the offered choices; empty is left to ConditionalRequired."""

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        if str(self.data) not in {str(choice[0]) for choice in self.choices or ()}:
            raise ValidationError(messages.INVALID_CHOICE)


class SelectField(_ChoiceCheck, wtf.SelectField):
    pass


class RadioField(_ChoiceCheck, wtf.RadioField):
    pass


class MultiChoiceField(wtf.SelectMultipleField):
    """Several codes, rendered as DSFR checkboxes."""

    def pre_validate(self, form):
        offered = {str(choice[0]) for choice in self.choices or ()}
        if any(str(code) not in offered for code in self.data or ()):
            raise ValidationError(messages.INVALID_CHOICES)


# --- validators ----------------------------------------------------------------

def is_empty(field):
    """Whether the user gave no value (a value that failed to parse is not empty)."""
    if isinstance(field, wtf.BooleanField):
        return not field.data
    if isinstance(field, FileField):
        return not (isinstance(field.data, FileStorage) and field.data)
    if field.process_errors:
        return False
    if field.raw_data is not None:
        return not any(str(item).strip() for item in field.raw_data)
    return field.data in (None, "", [])


class ConditionalRequired:
    """Ends validation on an empty value: an error if the form says the field is required now.

    The form decides (required, or required_if holding, on a visible field),
    so the same spec rule applies to HTML and JSON input.
    """

    field_flags = {}  # no HTML `required`: a field hidden by show_if must not block submission

    def __call__(self, form, field):
        if not is_empty(field):
            return
        field.errors[:] = []
        if form.is_required(field.name):
            raise StopValidation(messages.REQUIRED)
        raise StopValidation()


class OnParsedValue:
    """Runs a WTForms validator only if the value parsed: "not a number" needs no range error too."""

    def __init__(self, inner):
        self.inner = inner
        self.field_flags = getattr(inner, "field_flags", {})  # e.g. maxlength for the HTML

    def __call__(self, form, field):
        if not field.errors:
            self.inner(form, field)


class RegistryCheck:
    """Runs a named validator of the registry; its French message becomes the field's error."""

    def __init__(self, name):
        self.name = name

    def __call__(self, form, field):
        if field.errors or field.data in (None, "", []):
            return  # an unparseable or empty value has its own message already
        function = registry.VALIDATORS[self.name]
        try:
            result = function(field.data, form.current_values(), form.context)
        except ValueError as exc:  # DomainRuleError, InvalidIdentifier, ValueError
            raise ValidationError(str(exc)) from None
        if result is not None:
            field.data = result


class PdfFile:
    """A PDF (by name and by its %PDF- signature) no bigger than max_size_mb."""

    def __init__(self, max_size_mb):
        self.max_size_mb = max_size_mb

    def __call__(self, form, field):
        storage = field.data
        stream = storage.stream
        head = stream.read(5)
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        if not (storage.filename or "").lower().endswith(".pdf") or head != b"%PDF-":
            raise ValidationError(messages.NOT_PDF)
        if size > self.max_size_mb * 1024 * 1024:
            raise ValidationError(messages.file_too_big(self.max_size_mb))


# --- factory -------------------------------------------------------------------

def make_field(spec):
    """The unbound WTForms field for a FieldSpec (choices are set per form instance)."""
    checks = [ConditionalRequired()]
    options = {"label": spec.label, "description": spec.help}
    kind = spec.type
    if kind in ("text", "nir", "siret"):
        field_class = wtf.StringField
        options["filters"] = [_strip]
        if kind != "text":
            options["render_kw"] = {"autocomplete": "off", "spellcheck": "false"}
    elif kind == "textarea":
        field_class = wtf.TextAreaField
        options["filters"] = [_strip]
        options["render_kw"] = {"rows": 5}
    elif kind == "email":
        field_class = wtf.EmailField
        options["filters"] = [_strip]
        checks.append(wtv.Email(message=messages.INVALID_EMAIL))
    elif kind == "phone":
        field_class = wtf.TelField
        options["filters"] = [_strip]
        options["render_kw"] = {"autocomplete": "tel"}
    elif kind == "date":
        field_class = DateField
    elif kind == "number":
        field_class = NumberField
        options["render_kw"] = {"inputmode": "decimal"}
        if spec.min is not None or spec.max is not None:
            checks.append(OnParsedValue(
                wtv.NumberRange(spec.min, spec.max, message=messages.number_range(spec.min, spec.max))))
    elif kind == "choice":
        field_class = RadioField if spec.widget == "radio" else SelectField
        options["choices"] = []
    elif kind == "multichoice":
        field_class = MultiChoiceField
        options["choices"] = []
    elif kind == "checkbox":
        field_class = wtf.BooleanField
    elif kind == "password":
        # Never filtered (spaces count) and never sent back to the browser by WTForms.
        field_class = wtf.PasswordField
        options["render_kw"] = {"autocomplete": "new-password"}
    elif kind == "file":
        field_class = FileField
        options["render_kw"] = {"accept": ".pdf,application/pdf"}
        checks.append(PdfFile(spec.max_size_mb))
    else:  # check_spec refuses unknown types before we get here
        raise ValueError(f"Type de champ inconnu : {kind}")
    if spec.max_length:
        checks.append(wtv.Length(max=spec.max_length, message=messages.max_length(spec.max_length)))
    checks.extend(RegistryCheck(name) for name in TYPE_VALIDATORS.get(kind, ()) + spec.validators)
    return field_class(validators=checks, **options)

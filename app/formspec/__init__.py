"""Declarative forms: forms/<form_key>.yaml → a Flask-WTF form for HTML and a validator for JSON.

spec.py      loading, caching and checking YAML specs (FormSpecError, French problems)
registry.py  named choice providers and validators that specs refer to
fields.py    one WTForms field per spec field type, French messages
build.py     the form class and instance of a spec, clean data, JSON validation
"""
from app.formspec.build import (
    build_form,
    clean_data,
    form_class,
    form_result,
    place_field_errors,
    resolve_choices,
    uploaded_files,
    validate_json,
)
from app.formspec.spec import (
    FIELD_TYPES,
    FieldSpec,
    FormSpec,
    FormSpecError,
    check_restrict_choices,
    check_spec,
    list_form_keys,
    load_spec,
    parse_restrict_choices,
    parse_spec,
)

__all__ = [
    "FIELD_TYPES", "FieldSpec", "FormSpec", "FormSpecError",
    "build_form", "check_restrict_choices", "check_spec", "clean_data", "form_class", "form_result",
    "list_form_keys", "load_spec", "parse_restrict_choices", "parse_spec", "place_field_errors",
    "resolve_choices", "uploaded_files", "validate_json",
]

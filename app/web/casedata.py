"""What the pages show about a case: parties, the application's data, labels of answers.

Read-only helpers shared by the task and case pages. Personal data of the job
seeker goes through `can_see_personal_data` (DOMAIN §13).
"""
from flask import current_app

from app import formspec, permissions
from app.domain.vocabularies import PERSONAL_VALUE_LOGGED, ROLES, SENDER_KINDS
from app.models import Document, Organisation


STATUS_LABELS = {
    "running": ("En cours", "info"),
    "completed": ("Terminé", "success"),
    "error": ("Bloqué : étape automatique en échec", "error"),
    "cancelled": ("Annulé", "warning"),
    "suspended": ("Suspendu par le support", "warning"),
}
# The badge colour of a business stage (DOMAIN §4 states); others are neutral.
STAGE_SEVERITY = {
    "new": "new", "processing": "info", "postponed": "warning", "pool": "info",
    "prior_to_hire": "info", "accepted": "success", "refused": "error", "cancelled": "warning",
    "obsolete": "warning",
}


def parties(case):
    """Company, sender (organisation and person) and job seeker of a case, for display."""
    employer = case.organisation_for("employer")
    sender_party = case.party("prescriber") or case.party("sender")
    sender = None
    if sender_party is not None:
        kind = "prescriber" if sender_party.role == "prescriber" else "employer"
        sender = {"organisation": sender_party.organisation, "person": sender_party.user,
                  "kind_label": SENDER_KINDS.get(kind, "")}
    elif case.job_seeker is not None and case.job_seeker.user_id and case.created_by_id == case.job_seeker.user_id:
        sender = {"organisation": None, "person": case.job_seeker.user,
                  "kind_label": SENDER_KINDS["job_seeker"]}
    return {"employer": employer, "sender": sender, "job_seeker": case.job_seeker}


def role_label(role):
    return ROLES.get(role, role or "")


def stage_severity(stage):
    return STAGE_SEVERITY.get(stage, "new")


# -- answers of completed tasks, with their French labels --------------------------------

def _load_spec(form_key):
    if not form_key:
        return None
    try:
        return formspec.load_spec(form_key, current_app.config["FORMS_DIR"])
    except formspec.FormSpecError:
        return None


def _choice_labels(field_spec, value, employer):
    """{code: label} for a choice field, whatever the context it was answered in."""
    context = {"company_kind": employer.kind if employer else "", "other_companies": {}}
    codes = value if isinstance(value, list) else [value]
    ids = [int(c) for c in codes if isinstance(c, (int, str)) and str(c).isdigit()]
    if ids:
        # Providers such as "the user's other companies" answer organisation ids.
        context["other_companies"] = {str(o.id): o.display_name
                                      for o in Organisation.query.filter(Organisation.id.in_(ids))}
    try:
        labels = dict(formspec.resolve_choices(field_spec, context))
    except Exception:
        labels = {}
    if field_spec.choices_provider and field_spec.vocabulary is None and not labels:
        labels = context["other_companies"]
    # A refusal reason outside the employer's list (e.g. `auto`, chosen by the system).
    from app.domain.vocabularies import REFUSAL_REASONS
    if field_spec.name == "refusal_reason":
        labels = {**REFUSAL_REASONS, **labels}
    return labels


def _display_value(field_spec, value, employer):
    if field_spec is None:
        return str(value)
    if value == PERSONAL_VALUE_LOGGED:
        return "Renseigné (voir la fiche du candidat)"
    if field_spec.type == "checkbox":
        return "Oui" if value else "Non"
    if field_spec.type in ("choice", "multichoice"):
        labels = _choice_labels(field_spec, value, employer)
        codes = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(code), str(code)) for code in codes)
    if field_spec.type == "date":
        from app.web.filters import date_fr
        return date_fr(value) or str(value)
    return str(value)


def _empty(value):
    return value is None or value == "" or value == [] or value is False


def answers(fields, form_key, employer):
    """[(label, text)] of a task's submitted fields, in the form's order, empty ones left out."""
    spec = _load_spec(form_key)
    rows = []
    if spec is not None:
        for field_spec in spec.fields:
            if field_spec.name not in fields:
                continue
            value = fields[field_spec.name]
            if _empty(value) and field_spec.type != "checkbox":
                continue
            if field_spec.type == "checkbox" and not _is_shown(field_spec, fields):
                continue
            rows.append((field_spec.label, _display_value(field_spec, value, employer)))
        known = set(spec.field_names)
    else:
        known = set()
    for name, value in fields.items():
        if name not in known and not _empty(value):
            rows.append((name, value if isinstance(value, str) else str(value)))
    return rows


def _is_shown(field_spec, fields):
    if not field_spec.show_if:
        return True
    from app.formspec.spec import condition_holds
    return condition_holds(field_spec.show_if, fields)


def timeline_items(case, items, viewer=None):
    """Add to services.cases.timeline items what the page shows: the answers with labels."""
    employer = case.organisation_for("employer")
    for item in items:
        fields = (item.get("data") or {}).get("fields")
        item["answers"] = answers(fields, item["form_key"], employer) \
            if item["kind"] == "task_completed" and isinstance(fields, dict) else []
    return items



def case_documents(case, viewer):
    """Files attached to the case (the CV), for those who may see the person's data (DOMAIN §13)."""
    if not permissions.can_see_personal_data(viewer, case):
        return []
    return Document.query.filter_by(case_id=case.id).order_by(Document.id).all()

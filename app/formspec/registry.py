"""Named choice providers and validators that form specs may refer to.

A provider is `function(context) -> {code: label}`: choices that depend on who
fills the form (the company's kind, the user's other companies…).

A validator is `function(value, data, context)`: `value` is the field's
Python value (a date for a date field), `data` the other fields' values,
`context` what the caller passed to build_form. It raises ValueError (the
domain's DomainRuleError and InvalidIdentifier are ValueErrors) with a French
message; it may return a normalized value, which then replaces the field's.
Validators only run on non-empty values.
"""
from datetime import date, datetime

from app.domain import hiring, identifiers, places, rome
from app.domain.vocabularies import refusal_reasons_for
from app.domain.calendar import PARIS

PROVIDERS = {}
VALIDATORS = {}

# Dates in the IAE are French civil dates: "today" is today in Paris, not on the server's clock.


def provider(name):
    def register(function):
        PROVIDERS[name] = function
        return function
    return register


def validator(name):
    def register(function):
        VALIDATORS[name] = function
        return function
    return register


def context_today(context):
    today = (context or {}).get("today")
    if isinstance(today, datetime):
        return today.date()
    return today or datetime.now(PARIS).date()


def as_choices(items):
    """{code: label} from a mapping, (code, label) pairs, or objects/dicts with id and name."""
    if not items:
        return {}
    if isinstance(items, dict):
        return {str(code): str(label) for code, label in items.items()}
    choices = {}
    for item in items:
        if isinstance(item, (tuple, list)):
            code, label = item[0], item[1]
        elif isinstance(item, dict):
            code, label = item["id"], item.get("name") or item.get("label")
        else:
            code, label = item.id, getattr(item, "display_name", None) or item.name
        choices[str(code)] = str(label)
    return choices


# --- providers -----------------------------------------------------------------

@provider("refusal_reasons_for_company")
def refusal_reasons_for_company(context):
    """Refusal reasons the receiving company may pick (GEIQ lacks two, DOMAIN §4)."""
    return refusal_reasons_for(context.get("company_kind"))


@provider("user_other_companies")
def user_other_companies(context):
    """The user's other companies, targets of a transfer (DOMAIN §4)."""
    return as_choices(context.get("other_companies"))


@provider("application_companies")
def application_companies(context):
    """Companies that appear in a list of applications, for its filter (app/services/applications.py)."""
    return as_choices(context.get("companies"))


FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre")


@provider("recent_months")
def recent_months(context):
    """The current month and the 35 before it, newest first: {"2026-11": "novembre 2026", ...}."""
    today = context_today(context)
    year, month = today.year, today.month
    months = {}
    for _ in range(36):
        months[f"{year:04d}-{month:02d}"] = f"{FRENCH_MONTHS[month - 1]} {year}"
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


# --- validators ----------------------------------------------------------------

@validator("hire_start_date")
def hire_start_date(value, data, context):
    hiring.check_hire_start_date(value, context_today(context), context.get("company_kind"))


@validator("hire_end_after_start")
def hire_end_after_start(value, data, context):
    # The start date lives in the same form under this contract name (forms/hire_contract.yaml).
    start = data.get("hiring_start_at")
    if isinstance(start, date):
        hiring.check_hire_end_date(start, value)


@validator("hire_start_change")
def hire_start_change(value, data, context):
    """A declared hire's new start: between today and today + 30 days (DOMAIN §5 step 7).
    Whether the contract has started is checked with the case (app/services/hire.py)."""
    today = context_today(context)
    current = context.get("current_hiring_start")
    hiring.check_start_change(current if isinstance(current, date) else date.max, value, today)


@provider("hire_company_jobs")
def hire_company_jobs(context):
    """The hiring company's job descriptions, then "other" to type a title (DOMAIN §5 step 2)."""
    return {**as_choices(context.get("hire_jobs")), "other": "Un autre poste"}


@validator("period_end")
def period_end(value, data, context):
    """The end of a period (field date_to) is not before its start (field date_from)."""
    start = data.get("date_from")
    if isinstance(start, date) and value < start:
        raise ValueError("La date de fin doit être égale ou postérieure à la date de début.")


@validator("nir")
def nir(value, data, context):
    return identifiers.validate_nir(value)


@validator("siret")
def siret(value, data, context):
    return identifiers.validate_siret(value)


@validator("french_phone")
def french_phone(value, data, context):
    return identifiers.validate_french_phone(value)


# --- accounts (forms/invitation_account.yaml, forms/organisation_account.yaml) ------------
# Long rather than clever: 12 characters at least; a short sentence is easy to remember.
PASSWORD_MIN_LENGTH = 12


@validator("password_strength")
def password_strength(value, data, context):
    if len(value) < PASSWORD_MIN_LENGTH:
        raise ValueError(f"Choisissez un mot de passe d'au moins {PASSWORD_MIN_LENGTH} caractères.")


@validator("password_confirmation")
def password_confirmation(value, data, context):
    """Same as the field `password` above it (skipped while that one is empty or invalid)."""
    password = data.get("password")
    if password and value != password:
        raise ValueError("Les deux mots de passe ne sont pas identiques : saisissez-les à nouveau.")


# --- job descriptions (forms/job_description.yaml, DOMAIN §10) ---------------------
# An appellation travels in forms as "<ROME code>|<title>", e.g. "F1703|Maçon / Maçonne".

def appellation_key(appellation):
    return f"{appellation.code}|{appellation.title}"


def appellation_from_key(key):
    """The shipped appellation a form value names, or None."""
    code, _, title = str(key or "").partition("|")
    return rome.get_appellation(code, title) if title else None


@provider("rome_appellations")
def rome_appellations(context):
    """The appellation already chosen (context["appellation"], a form value) and those matching
    the job searched above the form (context["appellation_query"])."""
    found = [appellation_from_key(context.get("appellation"))]
    found += rome.search_appellations(context.get("appellation_query") or "", limit=30)
    return {appellation_key(a): a.label for a in found if a is not None}


@validator("rome_appellation")
def rome_appellation(value, data, context):
    if appellation_from_key(value) is None:
        raise ValueError("Choisissez un métier de la liste des appellations ROME.")


@validator("french_postcode")
def french_postcode(value, data, context):
    return places.validate_postcode(value)


@validator("whole_number")
def whole_number(value, data, context):
    if value != int(value):
        raise ValueError("Saisissez un nombre entier (ex. 35).")
    return int(value)


@provider("departments")
def departments(context):
    """Every French département, "35 — Ille-et-Vilaine" (app/domain/places.py)."""
    return {code: places.department_label(code) for code in places.DEPARTMENTS}


# --- sending applications (forms/prescription_*.yaml, app/services/prescription.py) -------

@provider("prescription_company_jobs")
def prescription_company_jobs(context):
    """The open job descriptions of the company applied to (its page's "Postuler" link)."""
    return as_choices(context.get("company_jobs"))


@provider("prescription_add_more")
def prescription_add_more(context):
    """Send to the chosen company only, or to others too (only offered when there are others)."""
    choices = {"no": f"Seulement à {context.get('targets_label') or 'la structure choisie'}"}
    if context.get("more_targets"):
        choices["yes"] = "À cette structure et à d'autres structures du même département"
    return choices


@provider("prescription_more_targets")
def prescription_more_targets(context):
    """Open jobs ("job-<id>") and spontaneous applications ("company-<id>") of other companies nearby."""
    return as_choices(context.get("more_targets"))


def _all_criteria(value, data):
    # The criteria come in two fields, one per level (forms/*_eligibility.yaml): this runs on
    # the level-2 one, with the level-1 ticks read from the form's other values.
    return list(data.get("criteria_level_1") or []) + list(value or [])


@validator("prescriber_criteria")
def prescriber_criteria(value, data, context):
    """Optional for an authorized prescriber, but never an exclusive pair (DOMAIN §6.1, §3 step 3)."""
    from app.domain import eligibility
    eligibility.check_criteria_selection(_all_criteria(value, data), None, author=eligibility.PRESCRIBER)


@validator("employer_criteria")
def employer_criteria(value, data, context):
    """The counting rule of the company's kind, and no exclusive pair (DOMAIN §6.1)."""
    from app.domain import eligibility
    eligibility.check_criteria_selection(_all_criteria(value, data), context.get("company_kind"),
                                         author=eligibility.EMPLOYER)


@validator("birth_date")
def birth_date(value, data, context):
    if value > context_today(context):
        raise ValueError("La date de naissance ne peut pas être dans le futur.")
    if value.year < 1900:
        raise ValueError("Vérifiez l'année de naissance.")


# --- process administration (forms/process_migration.yaml, app/web/process_admin.py) -------

@provider("migration_cases")
def migration_cases(context):
    """The running cases a process owner may move to the newest version (or those the pre-check let move)."""
    return as_choices(context.get("cases"))


# --- supervision and support (app/web/supervision.py, app/web/support.py) ------------------
# The view computes what its user may choose (scope-dependent) and hands it in the context.

@provider("supervision_departments")
def supervision_departments(context):
    return as_choices(context.get("departments"))


@provider("supervision_organisations")
def supervision_organisations(context):
    return as_choices(context.get("organisations"))


@provider("supervision_processes")
def supervision_processes(context):
    return as_choices(context.get("processes"))


@provider("supervision_stages")
def supervision_stages(context):
    return as_choices(context.get("stages"))


@provider("reassignment_candidates")
def reassignment_candidates(context):
    """Active members of the task's organisation (app/services/support.py)."""
    return as_choices(context.get("candidates"))


@provider("case_roles")
def case_roles(context):
    """Roles of a case whose organisation support may change."""
    return as_choices(context.get("roles"))


# --- prolongations of a PASS IAE (forms/prolongation_*.yaml, app/services/prolongations.py) --

@provider("prolongation_reasons")
def prolongation_reasons(context):
    """The reasons this employer may choose now for this PASS (computed by the service)."""
    return as_choices(context.get("prolongation_reasons"))


@provider("prolongation_prescriber_organisations")
def prolongation_prescriber_organisations(context):
    """The authorized prescriber organisations of the person chosen by email."""
    return as_choices(context.get("prescriber_organisations"))


@provider("prolongation_deny_reasons")
def prolongation_deny_reasons(context):
    from app.domain.approvals.prolongations import DENY_REASONS
    return dict(DENY_REASONS)


@provider("prolongation_proposed_actions")
def prolongation_proposed_actions(context):
    from app.domain.approvals.prolongations import DENY_PROPOSED_ACTIONS
    return dict(DENY_PROPOSED_ACTIONS)


@provider("prolongation_request_states")
def prolongation_request_states(context):
    from app.domain.approvals.prolongations import PROLONGATION_REQUEST_STATES
    return dict(PROLONGATION_REQUEST_STATES)


# --- suspensions of a PASS IAE (forms/suspension_*.yaml, app/services/suspensions.py) --------

@provider("suspension_reasons")
def suspension_reasons(context):
    """The reasons of the organisation that suspends: its company kind, none for a prescriber."""
    from app.domain.approvals.suspensions import reasons_for
    return reasons_for(context.get("suspender_kind"))

"""Prolongation of a PASS IAE beyond its 24 months (DOMAIN §9, seed 003 §3.2).

Placement: a prolongation's first day is the day after the PASS's current last
day and its last day becomes the PASS's new last day. DOMAIN §9's "start =
current PASS end" is the live service's wording for the same junction with
half-open counting; with the inclusive counting of DOMAIN §7.2 (see dates.py)
starting on the end day itself would count that day twice. So a prolongation
of N days (end − start + 1 = N) moves the PASS end by exactly N days, with no
gap and no overlap.

Caps are in days. A "year" of prolongation is 365 days, as the cumulative caps
of the table already are (1095 = 3 × 365, 1825 = 5 × 365), so the 10 years of
SENIOR_CDI are 3650 days.

Cumulative caps are per reason: "counts all prolongations of the PASS" means
every prolongation of this PASS with that reason, whoever declared or decided
it, not only the employer's or the current request's. A cap shared by all
reasons would make the table's per-reason caps meaningless (an RQTH prolongation
would eat into the SENIOR allowance) and the live service also sums per reason.
"""
from datetime import timedelta
from typing import NamedTuple

from app.domain.approvals.dates import (
    ONE_DAY,
    STATUS_FUTURE,
    STATUS_SUSPENDED,
    ProlongationFacts,
    effective_end,
    fr_date,
    pass_status,
    suspension_on,
)
from app.domain.errors import DomainRuleError
from app.domain.hiring import add_months
from app.domain.vocabularies import SIAE_KINDS

# DOMAIN §9 table: reasons and labels.
PROLONGATION_REASONS = {
    "SENIOR_CDI": "CDI Inclusion conclu avec une personne de 57 ans et plus",
    "COMPLETE_TRAINING": "Fin d'une formation",
    "RQTH": "Reconnaissance de la qualité de travailleur handicapé",
    "SENIOR": "50 ans et plus",
    "PARTICULAR_DIFFICULTIES": "Difficultés particulièrement importantes",
}
# DOMAIN §9: reserved to AI and ACI (seed 003 §3.2: "Pour les AI et ACI...").
REASONS_LIMITED_TO_KINDS = {"PARTICULAR_DIFFICULTIES": ("AI", "ACI")}

# DOMAIN §9 table: longest single prolongation, in days (10 years = 10 × 365).
MAX_DAYS_EACH = {
    "SENIOR_CDI": 10 * 365,
    "COMPLETE_TRAINING": 365,
    "RQTH": 365,
    "SENIOR": 365,
    "PARTICULAR_DIFFICULTIES": 365,
}
# DOMAIN §9 table: total of this PASS's prolongations with the reason; absent = no cap.
CUMULATIVE_CAP_DAYS = {
    "RQTH": 1095,
    "SENIOR": 1825,
    "PARTICULAR_DIFFICULTIES": 1095,
}

# DOMAIN §9 table, "decided by".
DECIDED_DIRECTLY = "direct"
DECIDED_BY_AUTHORIZED_PRESCRIBER = "authorized_prescriber"
DECIDED_BY = {
    "SENIOR_CDI": DECIDED_DIRECTLY,
    "COMPLETE_TRAINING": DECIDED_DIRECTLY,
    "RQTH": DECIDED_BY_AUTHORIZED_PRESCRIBER,
    "SENIOR": DECIDED_BY_AUTHORIZED_PRESCRIBER,
    "PARTICULAR_DIFFICULTIES": DECIDED_BY_AUTHORIZED_PRESCRIBER,
}

# DOMAIN §9: window around the PASS's current end, as calendar offsets of
# that end (same day number, clamped to the month's end like the hire's
# "today + 6 months", app/domain/hiring.py).
WINDOW_MONTHS_BEFORE_END = 12
WINDOW_MONTHS_AFTER_END = 6
MIN_DAYS = 1

# DOMAIN §9: states of a prolongation request.
PROLONGATION_REQUEST_STATES = {
    "pending": "À traiter",
    "granted": "Acceptée",
    "denied": "Refusée",
}
# DOMAIN §9: why an authorized prescriber denies a request (labels completed
# from the live service where DOMAIN abbreviates them).
DENY_REASONS = {
    "IAE": "L'IAE ne correspond plus aux besoins / à la situation de la personne",
    "SIAE": "La typologie de SIAE ne correspond plus aux besoins / à la situation de la personne",
    "DURATION": "La durée de prolongation demandée n'est pas adaptée à la situation du candidat",
    "REASON": "Le motif de prolongation demandé n'est pas adapté à la situation du candidat",
}
# DOMAIN §9: actions the prescriber proposes when the IAE no longer fits.
DENY_PROPOSED_ACTIONS = {
    "EXIT_IAE": (
        "Accompagnement à la recherche d'emploi hors IAE et mobilisation de l'offre de services "
        "disponible au sein de votre structure ou celle d'un partenaire"
    ),
    "SOCIAL_PARTNER": "Orientation vers un partenaire de l'accompagnement social/professionnel",
    "OTHER": "Autre",
}
REASONS_WITH_PROPOSED_ACTIONS = ("IAE",)


class ReasonOption(NamedTuple):
    """One line of the reason choice: disabled lines say why, enabled ones the latest end allowed."""

    code: str
    label: str
    enabled: bool
    disabled_reason: str | None
    max_end: object  # a date, or None when disabled


def prolongation_reasons_for(company_kind):
    """The reasons an employer of this kind may declare, {code: label}; none outside the SIAE kinds."""
    if company_kind not in SIAE_KINDS:
        return {}
    return {
        code: label
        for code, label in PROLONGATION_REASONS.items()
        if code not in REASONS_LIMITED_TO_KINDS or company_kind in REASONS_LIMITED_TO_KINDS[code]
    }


def needs_prescriber_decision(reason):
    """True when the reason makes a request an authorized prescriber decides on (DOMAIN §9)."""
    return DECIDED_BY[reason] == DECIDED_BY_AUTHORIZED_PRESCRIBER


def prolongation_start(pass_facts):
    """First day of the next prolongation: the day after the PASS's current last day."""
    return effective_end(pass_facts) + ONE_DAY


def prolongation_window(pass_facts):
    """(first day, last day) on which a prolongation of this PASS may be declared (DOMAIN §9).

    From the same date 12 months before the current end to the same date 6
    months after it, both included: end 31/08/2027 → 31/08/2026 … 29/02/2028.
    """
    end = effective_end(pass_facts)
    return add_months(end, -WINDOW_MONTHS_BEFORE_END), add_months(end, WINDOW_MONTHS_AFTER_END)


def prolongation_blocker(pass_facts, today, has_pending_request=False):
    """Why this PASS cannot be prolonged today (a French sentence), or None (DOMAIN §9)."""
    end = effective_end(pass_facts)
    status = pass_status(pass_facts, today)
    if status == STATUS_FUTURE:
        return (
            f"Ce PASS IAE n'a pas encore démarré (début le {fr_date(pass_facts.start)}) : "
            "il ne peut pas encore être prolongé."
        )
    if status == STATUS_SUSPENDED:
        suspension = suspension_on(pass_facts, today)
        return (
            f"Ce PASS IAE est suspendu jusqu'au {fr_date(suspension.end)} : il ne peut pas être prolongé "
            f"pendant une suspension (possible à nouveau à partir du {fr_date(suspension.end + ONE_DAY)})."
        )
    if has_pending_request:
        return (
            "Une demande de prolongation est déjà en attente de décision pour ce PASS IAE : "
            "une seule demande peut être en cours à la fois."
        )
    earliest, latest = prolongation_window(pass_facts)
    if today < earliest:
        return (
            f"Ce PASS IAE se termine le {fr_date(end)} : il est trop tôt pour le prolonger, ce sera possible "
            f"à partir du {fr_date(earliest)} ({WINDOW_MONTHS_BEFORE_END} mois avant sa fin)."
        )
    if today > latest:
        return (
            f"Ce PASS IAE a pris fin le {fr_date(end)} : il ne pouvait être prolongé que jusqu'au "
            f"{fr_date(latest)} ({WINDOW_MONTHS_AFTER_END} mois après sa fin)."
        )
    return None


def used_days(pass_facts, reason):
    """Days of this PASS's prolongations with `reason`, counted inclusively."""
    return sum(p.days for p in pass_facts.prolongations if p.reason == reason)


def max_prolongation_days(pass_facts, reason):
    """Longest prolongation allowed now for `reason`: the per-prolongation maximum, cut to what the cap leaves.

    0 when the cumulative cap is reached.
    """
    allowed = MAX_DAYS_EACH[reason]
    cap = CUMULATIVE_CAP_DAYS.get(reason)
    if cap is not None:
        allowed = min(allowed, max(cap - used_days(pass_facts, reason), 0))
    return allowed


def max_prolongation_end(pass_facts, reason):
    """Latest last day of the next prolongation for `reason`, or None when the cap is reached."""
    allowed = max_prolongation_days(pass_facts, reason)
    if allowed < MIN_DAYS:
        return None
    return prolongation_start(pass_facts) + timedelta(days=allowed - 1)


def _cap_reached_message(reason):
    return (
        f"La durée cumulée des prolongations pour le motif « {PROLONGATION_REASONS[reason]} » a atteint "
        f"son maximum de {CUMULATIVE_CAP_DAYS[reason]} jours pour ce PASS IAE."
    )


def available_reasons(pass_facts, company_kind, today, has_pending_request=False):
    """The reasons a form offers, as ReasonOption(code, label, enabled, disabled_reason, max_end).

    Reasons the employer's kind may never use are left out; the others are
    listed, disabled with a French explanation when the PASS cannot be
    prolonged today or when the reason's cumulative cap is reached.
    """
    blocker = prolongation_blocker(pass_facts, today, has_pending_request)
    options = []
    for code, label in prolongation_reasons_for(company_kind).items():
        if blocker is not None:
            options.append(ReasonOption(code, label, False, blocker, None))
            continue
        max_end = max_prolongation_end(pass_facts, code)
        if max_end is None:
            options.append(ReasonOption(code, label, False, _cap_reached_message(code), None))
        else:
            options.append(ReasonOption(code, label, True, None, max_end))
    return options


def _check_reason(reason, company_kind):
    if reason not in PROLONGATION_REASONS:
        raise DomainRuleError("Choisissez un motif de prolongation dans la liste.")
    if company_kind not in SIAE_KINDS:
        raise DomainRuleError("Seule une SIAE (AI, ACI, EI, ETTI, EITI) peut prolonger un PASS IAE.")
    if reason not in prolongation_reasons_for(company_kind):
        kinds = " et ".join(REASONS_LIMITED_TO_KINDS[reason])
        raise DomainRuleError(
            f"Le motif « {PROLONGATION_REASONS[reason]} » est réservé aux structures de type {kinds}."
        )


def _check_length(pass_facts, reason, start, end):
    label = PROLONGATION_REASONS[reason]
    if end is None:
        raise DomainRuleError("La date de fin de la prolongation est obligatoire.")
    if end < start:
        raise DomainRuleError(
            f"La prolongation commence le {fr_date(start)}, lendemain de la fin actuelle du PASS IAE, et dure "
            f"au moins {MIN_DAYS} jour : date de fin au plus tôt le {fr_date(start)}."
        )
    length = (end - start).days + 1
    each = MAX_DAYS_EACH[reason]
    if length > each:
        latest = start + timedelta(days=each - 1)
        raise DomainRuleError(
            f"Une prolongation pour le motif « {label} » dure au plus {each} jours : date de fin au plus "
            f"tard le {fr_date(latest)}."
        )
    cap = CUMULATIVE_CAP_DAYS.get(reason)
    if cap is not None:
        used = used_days(pass_facts, reason)
        remaining = max(cap - used, 0)
        if remaining < MIN_DAYS:
            raise DomainRuleError(_cap_reached_message(reason))
        if length > remaining:
            latest = start + timedelta(days=remaining - 1)
            raise DomainRuleError(
                f"Pour le motif « {label} », les prolongations d'un PASS IAE durent au plus {cap} jours au "
                f"total ; {used} jours sont déjà accordés, il en reste {remaining} : date de fin au plus tard "
                f"le {fr_date(latest)}."
            )


def check_prolongation(pass_facts, reason, end, company_kind, today, has_pending_request=False):
    """Check a prolongation declared (or requested) on `today`; return it as ProlongationFacts.

    DOMAIN §9: an SIAE, a reason its kind may use, the PASS started and not
    suspended today, no pending request, today within 12 months before to 6
    months after the current end; start = the day after the current end;
    at least 1 day; at most the reason's maximum and what its cap leaves.
    Whether it applies at once or becomes a request: needs_prescriber_decision().
    """
    _check_reason(reason, company_kind)
    blocker = prolongation_blocker(pass_facts, today, has_pending_request)
    if blocker is not None:
        raise DomainRuleError(blocker)
    start = prolongation_start(pass_facts)
    _check_length(pass_facts, reason, start, end)
    return ProlongationFacts(start, end, reason)


def check_prolongation_grant(pass_facts, requested):
    """The prolongation an authorized prescriber grants for a pending request; checked again.

    The window and the pending-request rules were checked when the request was
    made (the pending request is this one). If the PASS end moved meanwhile (a
    suspension declared, edited or deleted), the granted prolongation keeps the
    requested number of days and is placed again right after the current end,
    so that it still neither leaves a gap nor overlaps. Its length is checked
    again against the reason's maximum and cap.
    """
    start = prolongation_start(pass_facts)
    end = start + timedelta(days=requested.days - 1)
    _check_length(pass_facts, requested.reason, start, end)
    return ProlongationFacts(start, end, requested.reason)


def check_denial(reason, explanation, proposed_actions=()):
    """Check a prescriber's denial (DOMAIN §9); return the proposed actions to store.

    A reason and an explanation are required; for IAE at least one proposed
    action is required. Other reasons take no proposed action: any given
    (e.g. left over in a hidden field) is dropped, an empty tuple is returned.
    """
    if reason not in DENY_REASONS:
        raise DomainRuleError("Choisissez un motif de refus dans la liste.")
    if not (explanation or "").strip():
        raise DomainRuleError("Expliquez le motif du refus : cette explication est transmise à l'employeur.")
    if reason not in REASONS_WITH_PROPOSED_ACTIONS:
        return ()
    actions = tuple(dict.fromkeys(proposed_actions or ()))
    unknown = [action for action in actions if action not in DENY_PROPOSED_ACTIONS]
    if unknown:
        raise DomainRuleError("Choisissez les actions envisagées dans la liste.")
    if not actions:
        raise DomainRuleError(
            f"Pour le motif « {DENY_REASONS[reason]} », indiquez au moins une action envisagée pour la personne."
        )
    return actions

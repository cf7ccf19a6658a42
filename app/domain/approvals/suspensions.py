"""Suspension of a PASS IAE (DOMAIN §8): reasons, date limits, edit, early end, end by a new hire.

Each check returns the suspension as it should be stored, or raises
DomainRuleError with a French message naming the limit and the date it allows.
Who may act (the SIAE of the last hire, or an authorized prescriber) is decided
elsewhere; here `company_kind` only selects the reasons.
"""
from dataclasses import replace
from datetime import timedelta

from app.domain.approvals.dates import (
    ONE_DAY,
    STATUS_EXPIRED,
    STATUS_FUTURE,
    STATUS_SUSPENDED,
    SuspensionFacts,
    effective_end,
    fr_date,
    pass_status,
    period_last_day,
    suspension_on,
)
from app.domain.errors import DomainRuleError

# DOMAIN §8: reasons, with the exact labels users see.
SUSPENSION_REASONS = {
    "CONTRACT_SUSPENDED": "Contrat de travail suspendu depuis plus de 15 jours",
    "CONTRACT_BROKEN": "Contrat de travail rompu",
    "FINISHED_CONTRACT": "Contrat de travail terminé",
    "APPROVAL_BETWEEN_CTA_MEMBERS": "Situation faisant l'objet d'un accord entre les acteurs membres du CTA",
    "CONTRAT_PASSERELLE": "Bascule dans l'expérimentation contrat passerelle",
}
# DOMAIN §8: the "contrat passerelle" experiment concerns ACI and EI only.
REASONS_LIMITED_TO_KINDS = {"CONTRAT_PASSERELLE": ("ACI", "EI")}
# DOMAIN §3 step 2, §5 step 6: a new hire ends an ongoing suspension only when
# its reason allows it; every current reason does (as in the live service).
# A reason outside this list (e.g. one imported from an older system) blocks.
REASONS_ENDED_BY_A_NEW_HIRE = tuple(SUSPENSION_REASONS)

# DOMAIN §8: at most 36 months, counted from the first day of the suspension.
MAX_DURATION_MONTHS = 36
# DOMAIN §8: a suspension may start at most 365 days before the day it is declared.
MAX_RETROACTIVITY_DAYS = 365


def reasons_for(company_kind):
    """The reasons an SIAE of this kind may choose, {code: label} in display order.

    `company_kind` None means the suspension is declared by an authorized
    prescriber (DOMAIN §8, seed 003 §3.2): the reasons tied to no company kind.
    """
    return {
        code: label
        for code, label in SUSPENSION_REASONS.items()
        if code not in REASONS_LIMITED_TO_KINDS or company_kind in REASONS_LIMITED_TO_KINDS[code]
    }


def max_suspension_end(start):
    """Last day a suspension starting on `start` may have: start + 36 months − 1 day.

    31/01/2026 → 30/01/2029; a start on 29/02/2028 has its anniversary on
    01/03/2031, so the maximum is 28/02/2031 (a full 36 months, no day lost).
    """
    return period_last_day(start, MAX_DURATION_MONTHS)


def earliest_retroactive_start(today):
    """The earliest start a suspension declared on `today` may have (today − 365 days)."""
    return today - timedelta(days=MAX_RETROACTIVITY_DAYS)


def _check_reason(reason, company_kind):
    if reason not in SUSPENSION_REASONS:
        raise DomainRuleError("Choisissez un motif de suspension dans la liste.")
    if reason not in reasons_for(company_kind):
        kinds = " et ".join(REASONS_LIMITED_TO_KINDS[reason])
        raise DomainRuleError(
            f"Le motif « {SUSPENSION_REASONS[reason]} » est réservé aux structures de type {kinds}."
        )


def _check_dates(others, start, end, end_unknown, last_hire_start, today, retroactive_floor):
    """The date rules shared by a new and an edited suspension (DOMAIN §8).

    `others` is the PASS without the suspension being checked (for an edit, the
    PASS as if that suspension did not exist). `retroactive_floor` is the
    (date, explanation) of the retroactivity limit. Returns the resolved end.
    """
    if start is None:
        raise DomainRuleError("La date de début de la suspension est obligatoire.")
    if start > today:
        raise DomainRuleError(
            f"La suspension ne peut pas commencer dans le futur : date de début au plus tard le {fr_date(today)}."
        )

    latest_end = max_suspension_end(start)
    if end_unknown:
        end = latest_end
    elif end is None:
        raise DomainRuleError(
            "La date de fin de la suspension est obligatoire ; si elle n'est pas connue, indiquez-le "
            f"et la suspension durera le maximum, jusqu'au {fr_date(latest_end)}."
        )
    if end < start:
        raise DomainRuleError(
            f"La suspension ne peut pas finir avant de commencer : date de fin au plus tôt le {fr_date(start)}."
        )
    if end > latest_end:
        raise DomainRuleError(
            f"Une suspension dure au plus {MAX_DURATION_MONTHS} mois : date de fin au plus tard le "
            f"{fr_date(latest_end)}."
        )

    for other in others.suspensions:
        if other.start <= end and start <= other.end:
            raise DomainRuleError(
                f"La suspension chevauche la suspension du {fr_date(other.start)} au {fr_date(other.end)} : "
                f"elle peut commencer au plus tôt le {fr_date(other.end + ONE_DAY)}."
            )

    # The lower bounds on the start; the binding one (the latest) is reported.
    floors = [(others.start, "date de début du PASS IAE"), retroactive_floor]
    if last_hire_start is not None:
        floors.append((last_hire_start, "date de la dernière embauche"))
    if others.suspensions:
        # The previous suspension is the latest one: a new suspension comes after
        # every earlier one, never in a gap between two of them (as in the live
        # service). For an edit, the ongoing suspension is the latest anyway.
        previous_end = max(s.end for s in others.suspensions)
        floors.append((previous_end + ONE_DAY, "lendemain de la fin de la suspension précédente"))
    floor, why = max(floors, key=lambda item: item[0])
    if start < floor:
        raise DomainRuleError(f"La suspension ne peut pas commencer avant le {fr_date(floor)}, {why}.")

    pass_last_day = effective_end(others)
    if start > pass_last_day:
        raise DomainRuleError(
            f"La suspension doit commencer pendant la validité du PASS IAE : au plus tard le "
            f"{fr_date(pass_last_day)}, date de fin du PASS IAE."
        )
    return end


def check_new_suspension(pass_facts, start, end, end_unknown, reason, company_kind, last_hire_start, today):
    """Check a suspension declared on `today`; return it as SuspensionFacts (end resolved).

    DOMAIN §8: the PASS must be valid today (started, not expired) and not
    already suspended; start not in the future, not before the last hire's
    start, the day after the previous suspension, today − 365 days or the PASS
    start, and not after the PASS end; end ≥ start and ≤ start + 36 months − 1
    day ("end unknown" = that maximum, whatever `end` says); no overlap.
    `last_hire_start` may be None when no hire is known (prescriber case).
    """
    _check_reason(reason, company_kind)
    status = pass_status(pass_facts, today)
    if status == STATUS_FUTURE:
        raise DomainRuleError(
            f"Ce PASS IAE n'a pas encore démarré : il pourra être suspendu à partir du {fr_date(pass_facts.start)}."
        )
    if status == STATUS_EXPIRED:
        raise DomainRuleError(
            f"Ce PASS IAE a expiré le {fr_date(effective_end(pass_facts))} : il ne peut plus être suspendu."
        )
    if status == STATUS_SUSPENDED:
        ongoing = suspension_on(pass_facts, today)
        raise DomainRuleError(
            f"Ce PASS IAE est déjà suspendu jusqu'au {fr_date(ongoing.end)} : modifiez la suspension en cours "
            "plutôt que d'en déclarer une nouvelle."
        )
    retroactive_floor = (
        earliest_retroactive_start(today),
        f"soit {MAX_RETROACTIVITY_DAYS} jours avant aujourd'hui (limite de rétroactivité)",
    )
    end = _check_dates(pass_facts, start, end, end_unknown, last_hire_start, today, retroactive_floor)
    return SuspensionFacts(start, end, reason)


def _check_ongoing(suspension, today, action):
    if not suspension.contains(today):
        raise DomainRuleError(
            f"Seule une suspension en cours peut être {action} : celle-ci court du {fr_date(suspension.start)} "
            f"au {fr_date(suspension.end)}."
        )


def _without(pass_facts, suspension):
    if suspension not in pass_facts.suspensions:
        raise ValueError("the suspension is not one of this PASS's suspensions")
    return replace(pass_facts, suspensions=tuple(s for s in pass_facts.suspensions if s != suspension))


def check_edit_suspension(
    pass_facts, suspension, start, end, end_unknown, reason, company_kind, last_hire_start, today
):
    """Check new dates and reason for an ongoing suspension; return the edited SuspensionFacts.

    DOMAIN §8: only an ongoing suspension is edited. The rules of a new
    suspension apply against the PASS without this suspension (its own days no
    longer push the end, its own dates do not overlap itself), except the
    retroactivity limit, counted from today, which never forbids keeping the
    suspension's original start: an edit of the end alone must stay possible
    when the suspension was declared long ago.
    """
    _check_ongoing(suspension, today, "modifiée")
    _check_reason(reason, company_kind)
    others = _without(pass_facts, suspension)
    retroactive_floor = (
        earliest_retroactive_start(today),
        f"soit {MAX_RETROACTIVITY_DAYS} jours avant aujourd'hui (limite de rétroactivité)",
    )
    if suspension.start < retroactive_floor[0]:
        retroactive_floor = (
            suspension.start,
            "date de début déclarée de la suspension (plus tôt, elle dépasserait la limite de "
            f"rétroactivité de {MAX_RETROACTIVITY_DAYS} jours)",
        )
    end = _check_dates(others, start, end, end_unknown, last_hire_start, today, retroactive_floor)
    return SuspensionFacts(start, end, reason)


def check_delete_suspension(suspension, today):
    """Raise DomainRuleError unless the suspension may be deleted (ongoing, DOMAIN §8)."""
    _check_ongoing(suspension, today, "supprimée")


def end_suspension_early(suspension, first_day_back, today):
    """End an ongoing suspension because the person is back at work; return the shortened one.

    DOMAIN §8: the employer gives the first day back at work; the suspension
    ends the day before (new end = first day back − 1). That day may be in the
    future. It must leave at least one day of suspension (first day back after
    the start) and must shorten it (first day back at the latest on the
    planned end: on the day after the end, nothing changes).
    """
    _check_ongoing(suspension, today, "écourtée")
    earliest = suspension.start + ONE_DAY
    if first_day_back < earliest:
        raise DomainRuleError(
            f"La date de reprise doit être au plus tôt le {fr_date(earliest)}, lendemain du début de la "
            f"suspension (pour annuler entièrement la suspension, supprimez-la)."
        )
    if first_day_back > suspension.end:
        raise DomainRuleError(
            f"La date de reprise doit être au plus tard le {fr_date(suspension.end)}, date de fin prévue "
            "de la suspension."
        )
    return replace(suspension, end=first_day_back - ONE_DAY)


def suspension_end_for_new_hire(suspension, hire_start):
    """What a new hire starting on `hire_start` does to a suspension (DOMAIN §5 step 6).

    Returns the suspension unchanged when it is over before the hire starts,
    the suspension ending the day before the hire when the hire starts during
    it, and None when the hire starts on or before the suspension's first day:
    the person works from before the pause, not a single day stays suspended,
    so the suspension is to be deleted (and the PASS end pulled back by all its
    days). Raises DomainRuleError when the reason does not let a hire end it
    (DOMAIN §3 step 2).
    """
    if hire_start > suspension.end:
        return suspension
    if suspension.reason not in REASONS_ENDED_BY_A_NEW_HIRE:
        raise DomainRuleError(
            f"Le PASS IAE est suspendu jusqu'au {fr_date(suspension.end)} pour un motif qui ne permet pas "
            f"une nouvelle embauche : l'embauche peut commencer au plus tôt le "
            f"{fr_date(suspension.end + ONE_DAY)}."
        )
    if hire_start <= suspension.start:
        return None
    return replace(suspension, end=hire_start - ONE_DAY)


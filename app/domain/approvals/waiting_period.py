"""The waiting period (délai de carence) after a PASS IAE ends (DOMAIN §7.3, §3 step 2, §5 step 4)."""
from app.domain.approvals.dates import ONE_DAY, fr_date, period_last_day
from app.domain.errors import DomainRuleError
from app.domain.vocabularies import SIAE_KINDS

# DOMAIN §7.3: 2 years, from the day after the PASS ends.
WAITING_PERIOD_MONTHS = 24


def waiting_period_last_day(last_pass_end):
    """Last day of the waiting period that follows a PASS ending on `last_pass_end`.

    The period starts the day after the end and lasts 24 calendar months, so its
    last day is the day before the anniversary of that first day:
    end 15/03/2025 → first day 16/03/2025 → last day 15/03/2027 (= end + 2 years).
    Leap days: end 28/02/2026 → first day 01/03/2026 → last day 29/02/2028 (two
    full years of waiting, the extra 29/02 included); end 28/02/2028 or
    29/02/2028 → first day 29/02/2028 or 01/03/2028 → last day 28/02/2030 in
    both cases (a period starting a 29/02 has its anniversary on 1 March).
    A new PASS without derogation is possible from the next day on.
    """
    return period_last_day(last_pass_end + ONE_DAY, WAITING_PERIOD_MONTHS)


def in_waiting_period(last_pass_end, today):
    """True when `today` falls in the waiting period after a PASS that ended on `last_pass_end`.

    `last_pass_end` is the PASS's effective end (suspensions and prolongations
    included); None (never had a PASS) means no waiting period. While the PASS
    is still running there is no waiting period either.
    """
    if last_pass_end is None:
        return False
    return last_pass_end < today <= waiting_period_last_day(last_pass_end)


def check_waiting_period(
    last_pass_end, today, company_kind, sender_is_authorized_prescriber, has_valid_prescriber_diagnosis
):
    """Raise DomainRuleError when the waiting period blocks an application or a hire in an SIAE.

    DOMAIN §7.3: blocked during the waiting period unless the sender is an
    authorized prescriber or the person holds a valid prescriber diagnosis
    (the derogation). Only the SIAE kinds are subject to the PASS IAE: GEIQ,
    EA, EATT and OPCS are never blocked (DOMAIN §1).
    """
    if company_kind not in SIAE_KINDS:
        return
    if not in_waiting_period(last_pass_end, today):
        return
    if sender_is_authorized_prescriber or has_valid_prescriber_diagnosis:
        return
    last_day = waiting_period_last_day(last_pass_end)
    raise DomainRuleError(
        f"Le dernier PASS IAE de ce candidat a pris fin le {fr_date(last_pass_end)} : un délai de carence "
        f"de 2 ans s'applique jusqu'au {fr_date(last_day)} inclus. Pendant ce délai, une embauche en SIAE "
        "n'est possible que si un prescripteur habilité (France Travail, Mission locale, Cap emploi, etc.) "
        "déroge au délai de carence : il doit envoyer lui-même la candidature ou réaliser un diagnostic "
        "d'éligibilité pour ce candidat. Vous pouvez orienter le candidat vers un prescripteur habilité. "
        f"Sans dérogation, une nouvelle candidature sera possible à partir du {fr_date(last_day + ONE_DAY)}."
    )

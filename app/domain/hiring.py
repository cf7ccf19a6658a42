"""Hire contract rules (DOMAIN §5 step 2): bounds of the contract's start and end dates."""
import calendar
from datetime import date, timedelta

from app.domain.errors import DomainRuleError

# DOMAIN §5 step 2: the start date is at most today + 6 months.
MAX_START_MONTHS_AHEAD = 6
# DOMAIN §5 step 2: a GEIQ may declare a contract that has already started.
PAST_START_ALLOWED_KINDS = ("GEIQ",)


def add_months(day, months):
    """Same day `months` calendar months later, clamped to the month's end (31/08 + 6 → 28 or 29/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _fr(day):
    return day.strftime("%d/%m/%Y")


def latest_hire_start(today):
    """The latest start date a hire declared today may have."""
    return add_months(today, MAX_START_MONTHS_AHEAD)


def check_hire_start_date(start, today, company_kind):
    """Raise DomainRuleError unless `start` is allowed for a hire declared on `today`.

    DOMAIN §5 step 2: not in the past (except GEIQ), at most today + 6 months.
    """
    if start < today and company_kind not in PAST_START_ALLOWED_KINDS:
        raise DomainRuleError(
            f"La date de début du contrat ne peut pas être dans le passé (avant le {_fr(today)})."
        )
    latest = latest_hire_start(today)
    if start > latest:
        raise DomainRuleError(
            "La date de début du contrat ne peut pas être plus de 6 mois après aujourd'hui "
            f"(au plus tard le {_fr(latest)})."
        )


def check_hire_end_date(start, end):
    """Raise DomainRuleError if the optional end date is before the start (DOMAIN §5 step 2)."""
    if end is not None and start is not None and end < start:
        raise DomainRuleError(
            "La date de fin du contrat ne peut pas être antérieure à la date de début "
            f"({_fr(start)})."
        )


# DOMAIN §5 step 7: while the contract has not started, its start may move to a day between
# today and today + 30 days (the live service's rule for a hire already declared).
MAX_START_CHANGE_DAYS = 30


def latest_changed_start(today):
    """The latest new start date a hire whose contract has not started may move to."""
    return today + timedelta(days=MAX_START_CHANGE_DAYS)


def check_start_change(current_start, new_start, today):
    """Raise DomainRuleError unless a declared hire may move its start to `new_start` on `today`.

    DOMAIN §5 step 7: only a contract that has not started yet (its first day is after today),
    to a day between today and today + 30 days."""
    if current_start <= today:
        raise DomainRuleError(
            f"Le contrat a commencé le {_fr(current_start)} : sa date de début ne peut plus être modifiée."
        )
    if new_start < today:
        raise DomainRuleError(
            f"La nouvelle date de début ne peut pas être dans le passé (au plus tôt le {_fr(today)})."
        )
    latest = latest_changed_start(today)
    if new_start > latest:
        raise DomainRuleError(
            f"La nouvelle date de début ne peut pas être plus de {MAX_START_CHANGE_DAYS} jours après "
            f"aujourd'hui (au plus tard le {_fr(latest)})."
        )

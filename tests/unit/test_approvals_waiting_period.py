"""Waiting period after a PASS IAE (app/domain/approvals/waiting_period.py, DOMAIN §7.3): pure."""
from datetime import date, timedelta

import pytest

from app.domain.approvals import check_waiting_period, in_waiting_period, waiting_period_last_day
from app.domain.errors import DomainRuleError

END = date(2025, 3, 15)
D = timedelta(days=1)


def test_the_waiting_period_runs_from_the_day_after_the_end_for_two_years():
    assert waiting_period_last_day(END) == date(2027, 3, 15)
    assert not in_waiting_period(END, END)               # last day of the PASS
    assert in_waiting_period(END, END + D)               # first day of the waiting period
    assert in_waiting_period(END, date(2027, 3, 15))     # its last day
    assert not in_waiting_period(END, date(2027, 3, 16))  # free again


def test_no_previous_pass_no_waiting_period():
    assert not in_waiting_period(None, date(2026, 1, 1))
    check_waiting_period(None, date(2026, 1, 1), "EI", False, False)


@pytest.mark.parametrize(
    "end, last_day",
    [
        (date(2025, 12, 31), date(2027, 12, 31)),
        (date(2026, 2, 28), date(2028, 2, 29)),   # from 01/03/2026: two years include 29/02/2028
        (date(2028, 2, 28), date(2030, 2, 28)),   # from 29/02/2028: anniversary 01/03/2030
        (date(2028, 2, 29), date(2030, 2, 28)),   # from 01/03/2028
        (date(2027, 2, 28), date(2029, 2, 28)),
    ],
)
def test_last_day_around_leap_years(end, last_day):
    assert waiting_period_last_day(end) == last_day
    assert in_waiting_period(end, last_day)
    assert not in_waiting_period(end, last_day + D)


@pytest.mark.parametrize("kind", ["AI", "ACI", "EI", "ETTI", "EITI"])
def test_siae_hire_is_blocked_with_the_dates_and_the_derogation(kind):
    with pytest.raises(DomainRuleError) as excinfo:
        check_waiting_period(END, END + D, kind, False, False)
    message = str(excinfo.value)
    assert "a pris fin le 15/03/2025" in message
    assert "délai de carence de 2 ans s'applique jusqu'au 15/03/2027 inclus" in message
    assert "prescripteur habilité" in message
    assert "diagnostic d'éligibilité" in message
    assert "à partir du 16/03/2027" in message


def test_blocked_on_the_last_day_free_the_day_after():
    with pytest.raises(DomainRuleError):
        check_waiting_period(END, date(2027, 3, 15), "EI", False, False)
    check_waiting_period(END, date(2027, 3, 16), "EI", False, False)


def test_not_blocked_while_the_pass_runs():
    check_waiting_period(END, END, "EI", False, False)


@pytest.mark.parametrize("kind", ["GEIQ", "EA", "EATT", "OPCS"])
def test_other_employers_are_never_blocked(kind):
    check_waiting_period(END, END + D, kind, False, False)


def test_an_authorized_prescriber_derogates():
    check_waiting_period(END, END + D, "EI", True, False)


def test_a_valid_prescriber_diagnosis_derogates():
    check_waiting_period(END, END + D, "ACI", False, True)

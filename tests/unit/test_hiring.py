"""Hire contract dates (app/domain/hiring.py, DOMAIN §5 step 2): pure, no Flask."""
from datetime import date, timedelta

import pytest

from app.domain.errors import DomainRuleError
from app.domain.hiring import add_months, check_hire_end_date, check_hire_start_date, latest_hire_start

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("kind", ["EI", "ACI", "GEIQ", None])
def test_today_is_allowed(kind):
    check_hire_start_date(TODAY, TODAY, kind)


def test_yesterday_is_refused_with_the_date():
    with pytest.raises(DomainRuleError) as excinfo:
        check_hire_start_date(TODAY - timedelta(days=1), TODAY, "EI")
    assert str(excinfo.value) == "La date de début du contrat ne peut pas être dans le passé (avant le 22/11/2026)."


def test_geiq_may_declare_a_contract_already_started():
    check_hire_start_date(TODAY - timedelta(days=1), TODAY, "GEIQ")
    check_hire_start_date(date(2025, 1, 1), TODAY, "GEIQ")


def test_six_months_ahead_exactly_is_allowed():
    assert latest_hire_start(TODAY) == date(2027, 5, 22)
    check_hire_start_date(date(2027, 5, 22), TODAY, "EI")


@pytest.mark.parametrize("kind", ["EI", "GEIQ"])
def test_one_day_beyond_six_months_is_refused_with_the_latest_date(kind):
    with pytest.raises(DomainRuleError) as excinfo:
        check_hire_start_date(date(2027, 5, 23), TODAY, kind)
    assert "au plus tard le 22/05/2027" in str(excinfo.value)
    assert "6 mois" in str(excinfo.value)


def test_six_calendar_months_clamp_to_the_end_of_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    with pytest.raises(DomainRuleError, match="au plus tard le 28/02/2027"):
        check_hire_start_date(date(2027, 3, 1), date(2026, 8, 31), "EI")


def test_end_date_on_or_after_start():
    check_hire_end_date(TODAY, TODAY)
    check_hire_end_date(TODAY, TODAY + timedelta(days=1))
    check_hire_end_date(TODAY, None)


def test_end_date_before_start_is_refused():
    with pytest.raises(DomainRuleError) as excinfo:
        check_hire_end_date(TODAY, TODAY - timedelta(days=1))
    assert str(excinfo.value) == (
        "La date de fin du contrat ne peut pas être antérieure à la date de début (22/11/2026)."
    )


def test_domain_rule_error_is_a_value_error():
    assert issubclass(DomainRuleError, ValueError)

"""PASS IAE dates (app/domain/approvals/dates.py, DOMAIN §7.1, §7.2): pure, no Flask."""
from datetime import date, timedelta

import pytest

from app.domain.approvals import (
    PASS_STATUSES,
    PassFacts,
    Period,
    ProlongationFacts,
    SuspensionFacts,
    anniversary,
    days_inclusive,
    effective_end,
    pass_end,
    pass_status,
    pass_status_label,
    period_last_day,
    remaining_days,
)

START = date(2026, 1, 1)
D = timedelta


def facts(**kwargs):
    return PassFacts("999990000123", START, **kwargs)


def test_a_pass_lasts_730_days_start_included():
    assert pass_end(START) == date(2027, 12, 31)
    assert days_inclusive(START, pass_end(START)) == 730
    # Across a leap day the 730 days still hold: 2028 has a 29/02.
    assert pass_end(date(2027, 3, 1)) == date(2029, 2, 27)
    assert days_inclusive(date(2027, 3, 1), date(2029, 2, 27)) == 730


def test_base_end_defaults_to_pass_end_and_may_be_given():
    assert facts().base_end == date(2027, 12, 31)
    assert facts(base_end=date(2026, 6, 30)).base_end == date(2026, 6, 30)


def test_facts_are_frozen_and_periods_sorted():
    later = SuspensionFacts(date(2026, 5, 1), date(2026, 5, 2))
    earlier = SuspensionFacts(date(2026, 3, 1), date(2026, 3, 2))
    f = facts(suspensions=[later, earlier])
    assert f.suspensions == (earlier, later)
    with pytest.raises(AttributeError):
        f.start = date(2020, 1, 1)


def test_period_length_is_inclusive():
    assert Period(date(2026, 3, 1), date(2026, 3, 1)).days == 1
    assert Period(date(2026, 2, 1), date(2026, 2, 28)).days == 28
    assert Period(date(2028, 2, 1), date(2028, 2, 29)).days == 29


def test_period_overlap_at_the_edges():
    p = Period(date(2026, 3, 10), date(2026, 3, 20))
    assert p.overlaps(Period(date(2026, 3, 20), date(2026, 3, 25)))
    assert p.overlaps(Period(date(2026, 3, 1), date(2026, 3, 10)))
    assert not p.overlaps(Period(date(2026, 3, 21), date(2026, 3, 25)))
    assert not p.overlaps(Period(date(2026, 3, 1), date(2026, 3, 9)))


def test_a_one_day_suspension_pushes_the_end_by_one_day():
    # The live service adds end − start (0 here): DOMAIN §7.2 says not to copy that.
    one_day = SuspensionFacts(date(2026, 3, 10), date(2026, 3, 10), "CONTRACT_BROKEN")
    assert effective_end(facts(suspensions=(one_day,))) == date(2028, 1, 1)


def test_end_moves_by_the_inclusive_length_of_every_suspension_and_prolongation():
    s1 = SuspensionFacts(date(2026, 3, 1), date(2026, 3, 31))   # 31 days
    s2 = SuspensionFacts(date(2026, 6, 1), date(2026, 6, 30))   # 30 days
    p1 = ProlongationFacts(date(2028, 3, 2), date(2028, 5, 31), "SENIOR")  # 91 days
    assert s1.days + s2.days + p1.days == 152
    assert effective_end(facts(suspensions=(s1, s2), prolongations=(p1,))) == date(2027, 12, 31) + D(days=152)


def test_deleting_a_suspension_pulls_the_end_back_by_its_length():
    s = SuspensionFacts(date(2026, 3, 1), date(2026, 3, 31))
    assert effective_end(facts(suspensions=(s,))) - effective_end(facts()) == D(days=31)


def test_status_and_labels_at_each_edge():
    s = SuspensionFacts(date(2026, 3, 10), date(2026, 3, 19))  # pushes the end by 10 days
    f = facts(suspensions=(s,))
    end = date(2028, 1, 10)
    assert effective_end(f) == end
    assert pass_status(f, START - D(days=1)) == "future"
    assert pass_status(f, START) == "valid"
    assert pass_status(f, date(2026, 3, 9)) == "valid"
    assert pass_status(f, date(2026, 3, 10)) == "suspended"
    assert pass_status(f, date(2026, 3, 19)) == "suspended"
    assert pass_status(f, date(2026, 3, 20)) == "valid"
    assert pass_status(f, end) == "valid"
    assert pass_status(f, end + D(days=1)) == "expired"
    assert pass_status_label(f, START - D(days=1)) == "Valide (non démarré)"
    assert pass_status_label(f, START) == "Valide"
    assert pass_status_label(f, date(2026, 3, 10)) == "Valide (suspendu)"
    assert pass_status_label(f, end + D(days=1)) == "Expiré"
    assert PASS_STATUSES == {
        "future": "Valide (non démarré)",
        "valid": "Valide",
        "suspended": "Valide (suspendu)",
        "expired": "Expiré",
    }


def test_remaining_days_counts_today_and_the_last_day():
    f = facts()
    assert remaining_days(f, START) == 730
    assert remaining_days(f, date(2027, 12, 31)) == 1
    assert remaining_days(f, date(2027, 12, 30)) == 2
    assert remaining_days(f, date(2028, 1, 1)) == 0
    assert remaining_days(f, date(2030, 1, 1)) == 0


def test_remaining_days_of_a_future_pass_is_its_whole_duration():
    assert remaining_days(facts(), START - D(days=1)) == 730
    assert remaining_days(facts(), START - D(days=200)) == 730


def test_remaining_days_do_not_count_suspended_days():
    s = SuspensionFacts(date(2026, 3, 10), date(2026, 3, 19))
    f = facts(suspensions=(s,))
    before = remaining_days(f, date(2026, 3, 9))
    # While suspended, the remaining duration is frozen; it resumes afterwards.
    assert remaining_days(f, date(2026, 3, 10)) == before - 1
    assert remaining_days(f, date(2026, 3, 19)) == before - 1
    assert remaining_days(f, date(2026, 3, 20)) == before - 1
    assert remaining_days(f, date(2026, 3, 21)) == before - 2
    # After the suspension it is end − today + 1.
    assert remaining_days(f, date(2026, 3, 20)) == (date(2028, 1, 10) - date(2026, 3, 20)).days + 1
    # Before it, the 10 suspended days are not counted either.
    assert before == (date(2028, 1, 10) - date(2026, 3, 9)).days + 1 - 10


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 1, 31), 36, date(2029, 1, 31)),
        (date(2028, 2, 29), 36, date(2031, 3, 1)),   # no 29/02/2031: the next day
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 3, 1)),    # no 31/02
        (date(2026, 3, 31), -1, date(2026, 3, 1)),   # no 31/02, backwards too
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_anniversary(day, months, expected):
    assert anniversary(day, months) == expected


def test_period_last_day_is_the_day_before_the_anniversary():
    assert period_last_day(date(2026, 1, 1), 24) == date(2027, 12, 31)
    assert period_last_day(date(2028, 2, 29), 36) == date(2031, 2, 28)
    assert period_last_day(date(2027, 2, 28), 36) == date(2030, 2, 27)

"""The French date filters of the templates (Europe/Paris time, relative due dates)."""
from datetime import date, datetime, timedelta, timezone

from app.web.filters import date_fr, datetime_fr, due_relative, is_due_soon, is_overdue, plural

NOW = datetime(2026, 11, 22, 15, 5, tzinfo=timezone.utc)  # 16:05 in Paris (winter time)


def test_dates_and_datetimes_in_paris_time():
    assert date_fr(date(2026, 11, 22)) == "22/11/2026"
    assert date_fr("2026-11-22") == "22/11/2026"
    assert datetime_fr(NOW) == "22/11/2026 à 16:05"
    assert datetime_fr(datetime(2026, 7, 14, 21, 30, tzinfo=timezone.utc)) == "14/07/2026 à 23:30"  # summer time
    # 23:30 UTC on 22/11 is already the 23rd in Paris.
    assert date_fr(datetime(2026, 11, 22, 23, 30, tzinfo=timezone.utc)) == "23/11/2026"
    assert datetime_fr(datetime(2026, 11, 22, 15, 5)) == "22/11/2026 à 16:05"  # naive values are UTC
    assert date_fr(None) == "" and datetime_fr(None) == ""


def test_relative_due_dates():
    assert due_relative(NOW + timedelta(days=3), now=NOW) == "dans 3 jours"
    assert due_relative(NOW + timedelta(days=1), now=NOW) == "demain"
    assert due_relative(NOW + timedelta(hours=2), now=NOW) == "aujourd'hui"
    assert due_relative(NOW - timedelta(hours=2), now=NOW) == "en retard depuis aujourd'hui"
    assert due_relative(NOW - timedelta(days=1), now=NOW) == "en retard d'un jour"
    assert due_relative(NOW - timedelta(days=2), now=NOW) == "en retard de 2 jours"
    assert due_relative(None, now=NOW) == ""


def test_overdue_and_soon():
    assert is_overdue(NOW - timedelta(minutes=1), now=NOW)
    assert not is_overdue(NOW + timedelta(minutes=1), now=NOW)
    assert is_due_soon(NOW + timedelta(days=2), now=NOW)
    assert not is_due_soon(NOW + timedelta(days=4), now=NOW)
    assert not is_due_soon(NOW - timedelta(days=1), now=NOW)  # late, not "soon"
    assert not is_overdue(None) and not is_due_soon(None)


def test_plural():
    assert plural(0, "tâche") == "0 tâche"
    assert plural(1, "tâche") == "1 tâche"
    assert plural(2, "tâche") == "2 tâches"
    assert plural(2, "notification non lue", "notifications non lues") == "2 notifications non lues"

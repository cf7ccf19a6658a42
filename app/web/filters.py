"""Jinja filters: French dates in the Europe/Paris time zone, relative due dates.

    {{ task.due_at | date_fr }}        22/11/2026
    {{ event.at | datetime_fr }}       22/11/2026 à 17:05
    {{ task.due_at | due_relative }}   dans 3 jours / aujourd'hui / en retard de 2 jours
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# A task due within this many days is flagged "Bientôt".
DUE_SOON_DAYS = 3


def _now():
    return datetime.now(timezone.utc)


def to_paris(value):
    """A datetime in Paris local time (naive values are taken as UTC, as stored)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(PARIS)


def _as_date(value):
    """The Paris calendar date of a datetime, a date as is, an ISO string parsed; else None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_paris(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return _as_date(parsed) if "T" in value or " " in value.strip() else parsed.date()
    return None


def date_fr(value):
    day = _as_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def datetime_fr(value):
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return date_fr(value)
    local = to_paris(value)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


def days_until(value, now=None):
    """Whole calendar days (Paris) from today to `value`; negative when past."""
    day = _as_date(value)
    if day is None:
        return None
    today = to_paris(now or _now()).date()
    return (day - today).days


def due_relative(value, now=None):
    days = days_until(value, now)
    if days is None:
        return ""
    if days == 0:
        # Due today: late as soon as the hour has passed.
        if isinstance(value, datetime) and to_paris(value) < to_paris(now or _now()):
            return "en retard depuis aujourd'hui"
        return "aujourd'hui"
    if days == 1:
        return "demain"
    if days > 1:
        return f"dans {days} jours"
    late = -days
    return "en retard d'un jour" if late == 1 else f"en retard de {late} jours"


def is_overdue(value, now=None):
    if value is None:
        return False
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware < (now or _now())
    days = days_until(value, now)
    return days is not None and days < 0


def is_due_soon(value, now=None):
    """Due within the next DUE_SOON_DAYS days and not late yet."""
    if value is None or is_overdue(value, now):
        return False
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware < (now or _now()) + timedelta(days=DUE_SOON_DAYS)
    days = days_until(value, now)
    return days is not None and days <= DUE_SOON_DAYS


def plural(count, singular, plural_form=None):
    """`3 | plural("tâche")` → "3 tâches"; 0 and 1 take the singular, as in French."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{count} {word}"


def register_filters(app):
    app.add_template_filter(date_fr, "date_fr")
    app.add_template_filter(datetime_fr, "datetime_fr")
    app.add_template_filter(due_relative, "due_relative")
    app.add_template_filter(plural, "plural")
    app.add_template_global(is_overdue, "is_overdue")
    app.add_template_global(is_due_soon, "is_due_soon")

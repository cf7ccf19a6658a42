"""PASS IAE dates (DOMAIN §7.1, §7.2): the facts a rule needs, end date, status, remaining days.

Counting convention used throughout app/domain/approvals: a period is a pair of
dates whose both ends are days of the period, so its length is
end − start + 1 ("inclusive count"). A one-day suspension has start == end and
pushes the PASS end by one day.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)

# DOMAIN §7.1: a PASS IAE lasts 730 days, so with the start day counted its
# last day is start + 729 days.
PASS_DURATION_DAYS = 730

# DOMAIN §7.1: status computed on a date, with the labels users see.
STATUS_FUTURE = "future"
STATUS_VALID = "valid"
STATUS_SUSPENDED = "suspended"
STATUS_EXPIRED = "expired"
PASS_STATUSES = {
    STATUS_FUTURE: "Valide (non démarré)",
    STATUS_VALID: "Valide",
    STATUS_SUSPENDED: "Valide (suspendu)",
    STATUS_EXPIRED: "Expiré",
}


def fr_date(day):
    """A date as French users read it: dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")


def days_inclusive(start, end):
    """Number of days from `start` to `end`, both counted (a one-day period gives 1)."""
    return (end - start).days + 1


def anniversary(day, months):
    """The date bearing the same day number `months` calendar months later (negative: earlier).

    When that day does not exist in the target month (29/02 in a common year,
    31 in a 30-day month) the anniversary is the first day of the next month,
    so that a period running "until the day before the anniversary" never loses
    a day: a period starting 29/02/2028 for 36 months ends 28/02/2031.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return date(year, month, day.day)
    return date(year, month, last) + ONE_DAY


def period_last_day(first_day, months):
    """Last day of a period of `months` calendar months whose first day is `first_day`.

    That is the day before the anniversary (see anniversary() for missing days):
    01/03/2026 + 24 months → 29/02/2028; 31/01/2026 + 36 months → 30/01/2029.
    """
    return anniversary(first_day, months) - ONE_DAY


@dataclass(frozen=True)
class Period:
    """A run of whole days, both ends included."""

    start: date
    end: date

    @property
    def days(self):
        return days_inclusive(self.start, self.end)

    def contains(self, day):
        return self.start <= day <= self.end

    def overlaps(self, other):
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class SuspensionFacts(Period):
    """A suspension of a PASS IAE (DOMAIN §8): its days and its reason code."""

    reason: str | None = None


@dataclass(frozen=True)
class ProlongationFacts(Period):
    """A granted (or direct) prolongation of a PASS IAE (DOMAIN §9)."""

    reason: str | None = None


@dataclass(frozen=True)
class PassFacts:
    """What the rules need to know about one PASS IAE.

    `base_end` is the end before any suspension or prolongation: pass_end(start)
    for a PASS issued here (the default), another date only for a PASS imported
    or corrected by support. The current end is effective_end(facts): a row that
    stores the pushed end date must not pass it as `base_end`.
    """

    number: str | None
    start: date
    base_end: date | None = None
    suspensions: tuple = field(default=())
    prolongations: tuple = field(default=())

    def __post_init__(self):
        if self.base_end is None:
            object.__setattr__(self, "base_end", pass_end(self.start))
        object.__setattr__(self, "suspensions", tuple(sorted(self.suspensions, key=lambda s: s.start)))
        object.__setattr__(self, "prolongations", tuple(sorted(self.prolongations, key=lambda p: p.start)))


def pass_end(start):
    """Last day of a new PASS IAE starting on `start` (DOMAIN §7.1: end = start + 729)."""
    return start + timedelta(days=PASS_DURATION_DAYS - 1)


def effective_end(facts):
    """The current last day of the PASS: base end pushed by every suspension and prolongation.

    DOMAIN §7.2: each suspension and prolongation pushes the end by its length
    counted inclusively (end − start + 1). The live service pushes by
    end − start, which loses one day per suspension or prolongation: a one-day
    suspension would push nothing. We deliberately do not copy that.
    """
    pushed = sum(s.days for s in facts.suspensions) + sum(p.days for p in facts.prolongations)
    return facts.base_end + timedelta(days=pushed)


def suspension_on(facts, day):
    """The suspension covering `day`, or None."""
    for suspension in facts.suspensions:
        if suspension.contains(day):
            return suspension
    return None


def pass_status(facts, day):
    """Status of the PASS on `day` (DOMAIN §7.1): future, valid, suspended or expired."""
    if day < facts.start:
        return STATUS_FUTURE
    if day > effective_end(facts):
        return STATUS_EXPIRED
    if suspension_on(facts, day) is not None:
        return STATUS_SUSPENDED
    return STATUS_VALID


def pass_status_label(facts, day):
    """The French label of pass_status(facts, day)."""
    return PASS_STATUSES[pass_status(facts, day)]


def remaining_days(facts, today):
    """Days of path left to the person, counted from today (or the start, if later) to the end.

    Both ends are counted; 0 once expired; for a PASS not started yet, its
    whole duration (730 days for a new one). Days covered by a suspension are
    not counted: a suspension preserves the remaining duration (seed 003 §3.2),
    it does not add to it. So while a PASS is suspended the figure stays put
    and, when nothing is suspended from today on, it is simply end − today + 1.
    """
    end = effective_end(facts)
    first = max(today, facts.start)
    if first > end:
        return 0
    window = Period(first, end)
    suspended = 0
    for suspension in facts.suspensions:
        if suspension.overlaps(window):
            suspended += days_inclusive(max(suspension.start, first), min(suspension.end, end))
    return window.days - suspended

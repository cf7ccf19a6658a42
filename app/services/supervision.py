"""Supervision dashboards (DOMAIN §12): SQL aggregates over cases, tasks and events only.

No workflow is ever deserialized here. Every figure is computed for one process, within
a supervisor's scope (app.permissions.SupervisionScope) and the filters they chose:

    tables = dashboard("application", scope, Filters(date_from=..., department="35"))
    tables["stages"].rows      # [{"stage": "Nouvelle candidature", "count": 12}, ...]

Each table is what the page draws (a chart and the same numbers as an accessible table),
what the CSV export writes and what GET /api/v1/dashboard/<process> returns.

Periods: the flows (cases opened, closed, lead times, answers, refusals) count the cases
opened in the period; the current situation (open tasks, where cases wait) is "now",
whatever the period. Weeks are ISO weeks (Monday to Sunday), in Paris time on PostgreSQL
and in UTC on SQLite (the development default).
"""
import functools
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, literal, literal_column, or_, select
from sqlalchemy import case as when

from app.domain.approvals.dates import anniversary
from app.domain.calendar import PARIS
from app.domain.vocabularies import COMPANY_KINDS, REFUSAL_REASONS, SENDER_KINDS
from app.extensions import db
from app.models import (
    Approval,
    ApprovalHire,
    Case,
    CaseParty,
    Event,
    Organisation,
    ProcessVersion,
    Prolongation,
    Suspension,
    Task,
    User,
)
from app.models.base import utcnow
from app.models.case_flows import (
    ALL_DEPARTMENTS,
    EPOCH_DAY,
    SUPPORT_EVENT_KINDS,
    CaseFlowCount,
    OpenTaskCount,
    PassCount,
    ScopedFlowCount,
    SupportJournalEntry,
    hour_number,
)

DUE_SOON_DAYS = 3
SLOWEST_COUNT = 3
# The support actions supervisors read in the dashboard's journal (app/services/support.py).
JOURNAL_SIZE = 20
# Lead times of a scope with more cases than this are measured on the cases whose id is a
# multiple of SAMPLE_EVERY (a regular sample that the partial index ix_cases_sample holds).
SAMPLE_SIZE = 20_000
SAMPLE_EVERY = 32
# An organisation's or a département's lead times: above this many cases, one in SCOPE_SAMPLE_EVERY
# (by case id: the partial indexes ix_case_parties_sample and ix_cases_department_sample) is measured.
SCOPE_SAMPLE_SIZE = 4_000
SCOPE_SAMPLE_EVERY = 8
PASS_EXPIRY_MONTHS = 3
# Up to this many open tasks in a scope, their median waiting time is computed exactly (one join,
# a few milliseconds); beyond, it is estimated from the days they were created (OpenTaskCount).
EXACT_MEDIAN_TASKS = 1_000


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    department: str | None = None
    organisation_id: int | None = None
    company_kind: str | None = None

    def as_dict(self):
        return {"date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "department": self.department, "organisation_id": self.organisation_id,
                "company_kind": self.company_kind}


@dataclass
class Table:
    """One figure of the dashboard: rows of {column key: value}, columns [(key, French label)]."""
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    description: str = ""
    empty_message: str = "Aucune donnée pour ces filtres."
    # {"type": "bar"|"line", "labels": column key, "series": [column keys]} for Chart.js; None: no chart.
    chart: dict | None = None
    available: bool = True

    def as_dict(self):
        return {"key": self.key, "title": self.title, "description": self.description,
                "available": self.available,
                "columns": [{"key": k, "label": label} for k, label in self.columns],
                "rows": self.rows}


# -- scope and filters as SQL conditions on cases --------------------------------------

def _party_is(organisation_id):
    """The organisation is a party of the case (any role): its case ids come from one index."""
    return Case.id.in_(select(CaseParty.case_id).where(CaseParty.organisation_id == organisation_id))


def scope_conditions(scope):
    """What a scope lets its holder see, as conditions on Case (DOMAIN §12)."""
    if scope.kind == "platform":
        return []
    if scope.kind == "organisation":
        return [_party_is(scope.organisation_id)]
    if scope.kind == "department":
        # The employer's département, copied on the case from its employer party (app/models/cases.py).
        return [Case.employer_department == scope.department]
    raise ValueError(f"unknown scope {scope.kind!r}")


def filter_conditions(filters):
    """The chosen filters as conditions on Case (period excluded: see period_bounds)."""
    conditions = []
    if filters.department:
        conditions.append(Case.employer_department == filters.department)
    if filters.company_kind:
        conditions.append(Case.employer_kind == filters.company_kind)
    if filters.organisation_id:
        conditions.append(_party_is(filters.organisation_id))
    return conditions


def period_bounds(filters):
    """[start, end) in UTC from the filters' Paris calendar dates (either may be None)."""
    start = end = None
    if filters.date_from:
        start = datetime.combine(filters.date_from, time(), PARIS).astimezone(UTC)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), PARIS).astimezone(UTC)
    return start, end


def _in_period(column, filters):
    start, end = period_bounds(filters)
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def counted_place(scope, filters):
    """Where the daily flow counters hold this scope's figures: ALL_DEPARTMENTS (the whole platform,
    CaseFlowCount), (organisation id, "") or (0, département) (ScopedFlowCount); None when they must be
    counted from the cases (a company kind, an organisation within a département, two of either)."""
    if filters.company_kind:
        return None
    organisations = {o for o in (scope.organisation_id if scope.kind == "organisation" else None,
                                 filters.organisation_id) if o}
    departments = {d for d in (scope.department if scope.kind == "department" else None, filters.department) if d}
    if not organisations and not departments:
        return ALL_DEPARTMENTS if scope.kind == "platform" else None
    if len(organisations) == 1 and not departments:
        return (organisations.pop(), "")
    if len(departments) == 1 and not organisations:
        return (0, departments.pop())
    return None


def _flow_table(place):
    return CaseFlowCount if place == ALL_DEPARTMENTS else ScopedFlowCount


def _counted(process_key, filters, measure, *columns, place=ALL_DEPARTMENTS):
    """SELECT columns, SUM(cases) FROM the daily counters of the period and place, grouped by columns."""
    table = _flow_table(place)
    conditions = [table.process_key == process_key, table.measure == measure]
    if place != ALL_DEPARTMENTS:
        conditions += [ScopedFlowCount.organisation_id == place[0], ScopedFlowCount.department == place[1]]
    if filters.date_from:
        conditions.append(table.day >= filters.date_from)
    if filters.date_to:
        conditions.append(table.day <= filters.date_to)
    total = func.sum(table.cases)
    return (select(*columns, total).where(*conditions).group_by(*columns)
            .having(total != 0))


def case_conditions(process_key, scope, filters, period=True):
    conditions = [Case.process_key == process_key, *scope_conditions(scope), *filter_conditions(filters)]
    if period:
        conditions += _in_period(Case.created_at, filters)
    return conditions


# -- portable SQL pieces -------------------------------------------------------------

def _dialect():
    return db.session.get_bind().dialect.name


def _seconds_between(later, earlier):
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _weekly_counted(process_key, filters, measure, place=ALL_DEPARTMENTS):
    """{monday: count} from the daily counters (the whole platform, an organisation, a département)."""
    counts = {}
    table = _flow_table(place)
    for day, count in db.session.execute(_counted(process_key, filters, measure, table.day, place=place)):
        day = _as_date(day)
        monday = day - timedelta(days=day.weekday())
        counts[monday] = counts.get(monday, 0) + int(count)
    return counts


def _weekly_grouped(conditions, column_, filters, now):
    """{monday: count} by grouping the cases of a smaller scope (a département, an organisation)."""
    conditions = [*conditions, column_.isnot(None), *_in_period(column_, filters)]
    if _dialect() == "postgresql":
        week = func.date(func.date_trunc("week", func.timezone("Europe/Paris", column_)))
        return {_as_date(w): n for w, n in db.session.execute(
            select(week, func.count()).where(*conditions).group_by(week))}
    counts = {}
    for (when_,) in db.session.execute(select(column_).where(*conditions)):
        day = when_.astimezone(PARIS).date()
        monday = day - timedelta(days=day.weekday())
        counts[monday] = counts.get(monday, 0) + 1
    return counts


def _median_and_count(values_select):
    """(median, count) of the single column of `values_select`, NULLs ignored, in one pass."""
    # OFFSET 0 keeps the subquery apart: each case's duration is then computed once, not per aggregate.
    sub = values_select.offset(0).subquery()
    column_ = list(sub.c)[0]
    if _dialect() == "postgresql":
        median, count = db.session.execute(
            select(func.percentile_cont(0.5).within_group(column_), func.count(column_))).one()
        return (float(median) if median is not None else None), count
    values_ = db.session.execute(select(column_).where(column_.isnot(None)).order_by(column_)).scalars().all()
    return (statistics.median(values_) if values_ else None), len(values_)


def _grouped_medians(group, value, base):
    """{group value: (median of `value`, count)} over the rows of `base` (a select with the right FROM)."""
    if _dialect() == "postgresql":
        rows = db.session.execute(base.with_only_columns(
            group, func.percentile_cont(0.5).within_group(value), func.count()).group_by(group))
        return {g: (float(m) if m is not None else None, n) for g, m, n in rows}
    found = {}
    for g, v in db.session.execute(base.with_only_columns(group, value).order_by(group, value)):
        found.setdefault(g, []).append(v)
    return {g: (statistics.median(vs), len(vs)) for g, vs in found.items()}


def _days(seconds):
    return None if seconds is None else round(seconds / 86400.0, 1)


# -- the figures ----------------------------------------------------------------------

def stage_labels(process_key, stages):
    """{stage: label} from the latest diagram's milestones; a stage it no longer draws keeps the
    label a case recorded (labels are not read per case: counting stays in the index)."""
    labels = dict(_milestones(*_latest_xml(process_key)))
    for stage in stages:
        if stage not in labels:
            labels[stage] = db.session.execute(select(Case.stage_label).where(
                Case.process_key == process_key, Case.stage == stage).limit(1)).scalar() or stage
    return labels


def cases_by_stage(process_key, scope, filters):
    place = counted_place(scope, filters)
    if place is not None:
        rows = db.session.execute(_counted(process_key, filters, "opened", _flow_table(place).stage,
                                           place=place)).all()
    else:
        rows = db.session.execute(
            select(Case.stage, func.count())
            .where(*case_conditions(process_key, scope, filters)).group_by(Case.stage)).all()
    rows = sorted(((stage, int(count)) for stage, count in rows), key=lambda r: (-r[1], r[0] or ""))
    labels = stage_labels(process_key, [stage for stage, _count in rows if stage])
    return Table(
        "stages", "Dossiers par étape", [("stage", "Étape"), ("count", "Dossiers")],
        [{"stage": labels.get(stage) or "Sans étape", "count": count} for stage, count in rows],
        description="Les dossiers ouverts sur la période, selon l'étape où ils en sont aujourd'hui.",
        chart={"type": "bar", "labels": "stage", "series": ["count"]})


def opened_and_closed_per_week(process_key, scope, filters, now=None):
    """Cases opened and closed per ISO week (Monday to Sunday, Paris time) of the period."""
    now = now or utcnow()
    conditions = case_conditions(process_key, scope, filters, period=False)
    counts = {}
    place = counted_place(scope, filters)
    for key, column_ in (("opened", Case.created_at), ("closed", Case.closed_at)):
        if place is not None:
            found = _weekly_counted(process_key, filters, key, place)
        else:
            found = _weekly_grouped(conditions, column_, filters, now)
        for monday, count in found.items():
            counts.setdefault(monday, {})[key] = count
    rows = []
    for monday in sorted(counts):
        year, number, _ = monday.isocalendar()
        rows.append({"week": f"{year}-S{number:02d}", "monday": monday.isoformat(),
                     "opened": counts[monday].get("opened", 0), "closed": counts[monday].get("closed", 0)})
    while rows and not rows[0]["opened"] and not rows[0]["closed"]:
        rows.pop(0)
    while rows and not rows[-1]["opened"] and not rows[-1]["closed"]:
        rows.pop()
    return Table(
        "weekly", "Dossiers ouverts et clos par semaine",
        [("week", "Semaine"), ("monday", "Du lundi"), ("opened", "Ouverts"), ("closed", "Clos")], rows,
        description="Semaines ISO, du lundi au dimanche (heure de Paris).",
        chart={"type": "line", "labels": "week", "series": ["opened", "closed"]})


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _waiting_tasks(process_key, scope, filters):
    """FROM tasks JOIN cases: the open, listed tasks of running cases in scope (now, any period)."""
    return (select(Task.id).join(Case, Case.id == Task.case_id)
            .where(Task.state == "open", Task.listed.is_(True), Case.status == "running",
                   *case_conditions(process_key, scope, filters, period=False)))


def task_titles(process_key, spec_names):
    """{spec name: title} from the latest diagram; a task of an older version keeps its own title."""
    names = dict(_element_names(*_latest_xml(process_key)))
    missing = [n for n in spec_names if n not in names]
    if missing:
        names.update(db.session.execute(select(Task.spec_name, func.max(Task.title))
                                        .where(Task.spec_name.in_(missing)).group_by(Task.spec_name)).all())
    return names


def _latest_xml(process_key):
    version = ProcessVersion.latest(process_key)
    return (version.sha256, version.xml) if version is not None else ("", "")


@functools.lru_cache(maxsize=64)
def _element_names(_sha256, xml):
    """(id, name) of the diagram's named elements, read from the XML only."""
    if not xml:
        return ()
    from lxml import etree
    root = etree.fromstring(xml.encode("utf-8"))
    return tuple((e.get("id"), e.get("name")) for e in root.iter() if e.get("id") and e.get("name"))


def _counted_department(scope, filters):
    """The counters' department holding this scope's figures ("*": the platform), or None when they
    must be counted from the rows (an organisation, a company kind, two different départements)."""
    if scope.kind == "organisation" or filters.organisation_id or filters.company_kind:
        return None
    wanted = {d for d in (scope.department if scope.kind == "department" else None, filters.department) if d}
    if len(wanted) > 1:
        return None
    return wanted.pop() if wanted else ALL_DEPARTMENTS


def _open_counted(process_key, department, measure, *conditions):
    """SELECT spec_name, bucket, tasks FROM the open task counters of a département or "*" (now)."""
    return db.session.execute(
        select(OpenTaskCount.spec_name, OpenTaskCount.bucket, OpenTaskCount.tasks)
        .where(OpenTaskCount.process_key == process_key, OpenTaskCount.department == department,
               OpenTaskCount.measure == measure, OpenTaskCount.tasks != 0, *conditions)).all()


def _counted_deadlines(process_key, department, now, soon):
    """[(spec name, open, overdue, due soon)] of a département (or "*") from the open task counters.

    Hours wholly before `now` are overdue, those wholly within [now, soon) due soon; the tasks of the
    two hours that hold `now` and `soon` are counted one by one (exact figures, a few hundred tasks)."""
    found = {}
    for spec_name, _day, tasks in _open_counted(process_key, department, "created"):
        found.setdefault(spec_name, [0, 0, 0])[0] += tasks
    now_hour, soon_hour = hour_number(now), hour_number(soon)
    for spec_name, hour, tasks in _open_counted(process_key, department, "due", OpenTaskCount.bucket < soon_hour,
                                                OpenTaskCount.bucket != now_hour):
        found.setdefault(spec_name, [0, 0, 0])[1 if hour < now_hour else 2] += tasks
    edges = [and_(Task.due_at >= _hour_start(hour), Task.due_at < _hour_start(hour + 1))
             for hour in sorted({now_hour, soon_hour})]
    for spec_name, overdue, due_soon in db.session.execute(
            select(Task.spec_name, func.sum(when((Task.due_at < now, 1), else_=0)),
                   func.sum(when((and_(Task.due_at >= now, Task.due_at < soon), 1), else_=0)))
            .join(Case, Case.id == Task.case_id)
            .where(Task.state == "open", Task.listed.is_(True), Case.status == "running",
                   Case.process_key == process_key, or_(*edges),
                   *([] if department == ALL_DEPARTMENTS else [Case.employer_department == department]))
            .group_by(Task.spec_name)):
        counts = found.setdefault(spec_name, [0, 0, 0])
        counts[1] += int(overdue or 0)
        counts[2] += int(due_soon or 0)
    return [(name, *counts) for name, counts in sorted(found.items()) if counts[0]]


def _hour_start(hour):
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hour)


def deadlines(process_key, scope, filters, now=None):
    now = now or utcnow()
    soon = now + timedelta(days=DUE_SOON_DAYS)
    department = _counted_department(scope, filters)
    if department is not None:
        rows = _counted_deadlines(process_key, department, now, soon)
    else:
        base = _waiting_tasks(process_key, scope, filters)
        rows = db.session.execute(base.with_only_columns(
            Task.spec_name, func.count(),
            func.sum(when((Task.due_at < now, 1), else_=0)),
            func.sum(when((and_(Task.due_at >= now, Task.due_at < soon), 1), else_=0)))
            .group_by(Task.spec_name).order_by(Task.spec_name)).all()
    titles = task_titles(process_key, [r[0] for r in rows])
    table_rows = [{"task": titles.get(name, name), "open": count, "overdue": int(overdue or 0),
                   "due_soon": int(due_soon or 0)}
                  for name, count, overdue, due_soon in rows]
    table_rows.sort(key=lambda r: (-r["overdue"], -r["due_soon"], r["task"]))
    return Table(
        "deadlines", "Tâches en retard et à échéance proche",
        [("task", "Tâche"), ("open", "Ouvertes"), ("overdue", "En retard"),
         ("due_soon", f"À échéance sous {DUE_SOON_DAYS} jours")], table_rows,
        description="Situation actuelle : les tâches à faire des dossiers en cours, quelle que soit la date "
                    "d'ouverture du dossier.",
        empty_message="Aucune tâche en attente.",
        chart={"type": "bar", "labels": "task", "series": ["overdue", "due_soon"]})


def waiting_points(process_key, scope, filters, now=None):
    """Where cases wait now: per task of the diagram, how many and their median waiting time."""
    now = now or utcnow()
    estimated = False
    department = _counted_department(scope, filters)
    if department is not None:
        histograms = {}
        for spec_name, day, tasks in _open_counted(process_key, department, "created"):
            histograms.setdefault(spec_name, []).append((day, tasks))
        estimated = sum(n for days in histograms.values() for _day, n in days) > EXACT_MEDIAN_TASKS
    if estimated:
        found = {name: (_median_waiting(days, now), sum(n for _day, n in days)) for name, days in histograms.items()}
    else:
        base = _waiting_tasks(process_key, scope, filters)
        found = _grouped_medians(Task.spec_name, _seconds_between(literal(now), Task.created_at), base)
    titles = task_titles(process_key, list(found))
    rows = [{"element": name, "task": titles.get(name, name), "waiting": count, "median_days": _days(median)}
            for name, (median, count) in found.items()]
    rows.sort(key=lambda r: (-(r["median_days"] or 0), r["task"]))
    for rank, row in enumerate(rows):
        row["slowest"] = rank < SLOWEST_COUNT and (row["median_days"] or 0) > 0
    return Table(
        "waiting", "Où les dossiers attendent",
        [("task", "Tâche"), ("waiting", "Dossiers en attente"), ("median_days", "Attente médiane (jours)")],
        rows,
        description=f"Situation actuelle. Les {SLOWEST_COUNT} tâches où l'on attend le plus longtemps sont "
                    "signalées." + (" Les attentes médianes sont estimées à la journée près, d'après le jour où "
                                    "chaque tâche a été créée ; les nombres de dossiers sont exacts."
                                    if estimated else ""),
        empty_message="Aucun dossier n'attend.")


def _median_waiting(days, now):
    """Median waiting time in seconds of tasks counted by the Paris day they were created
    [(day number, tasks)]: the median task's day, supposing its tasks spread evenly over it."""
    days = sorted(days)
    total = sum(n for _day, n in days)
    position = (total - 1) / 2.0  # percentile_cont's median, as for the exact figure
    seen = 0
    for day, n in days:
        if position < seen + n:
            start = datetime.combine(EPOCH_DAY + timedelta(days=day), time(), PARIS)
            end = datetime.combine(EPOCH_DAY + timedelta(days=day + 1), time(), PARIS)
            created = start + (end - start) * ((position - seen + 0.5) / n)
            return max(0.0, (now - min(created, now)).total_seconds())
        seen += n
    return None


def _lead_time_population(process_key, scope, filters):
    """(conditions on Case, step, total): the cases of the period in scope, of which one in `step`
    has its lead times measured."""
    conditions = case_conditions(process_key, scope, filters)
    place = counted_place(scope, filters)
    if place is None:
        total = db.session.execute(select(func.count()).select_from(Case).where(*conditions)).scalar()
    else:
        total = db.session.execute(_counted(process_key, filters, "opened", place=place).with_only_columns(
            func.sum(_flow_table(place).cases))).scalar() or 0
    # Conditions written as the partial indexes' predicates, constants included, so that PostgreSQL uses them.
    if place not in (None, ALL_DEPARTMENTS) and total > SCOPE_SAMPLE_SIZE:
        organisation_id, department = place
        in_period = [Case.process_key == process_key, *_in_period(Case.created_at, filters)]
        if organisation_id:
            # An organisation's cases come from its parties: the sample too (ix_case_parties_sample).
            sampled = select(CaseParty.case_id).where(
                CaseParty.organisation_id == organisation_id,
                literal_column(f"case_parties.case_id % {SCOPE_SAMPLE_EVERY} = 0"))
            return [*in_period, Case.id.in_(sampled)], SCOPE_SAMPLE_EVERY, total
        return ([*in_period, Case.employer_department == department,
                 literal_column(f"cases.id % {SCOPE_SAMPLE_EVERY} = 0")], SCOPE_SAMPLE_EVERY, total)
    if total > SAMPLE_SIZE:
        return [*conditions, literal_column(f"cases.id % {SAMPLE_EVERY} = 0")], SAMPLE_EVERY, total
    return conditions, 1, total


def lead_times(process_key, scope, filters):
    # Above SAMPLE_SIZE cases (SCOPE_SAMPLE_SIZE for an organisation or a département) the medians are
    # estimated on a regular sample (by case id, which an index holds), and the table says so.
    conditions, step, total = _lead_time_population(process_key, scope, filters)
    answered = (select(_seconds_between(Case.first_answer_at, Case.created_at).label("d"))
                .where(*conditions, Case.first_answer_at.isnot(None)))
    hired = (select(_seconds_between(Case.accepted_at, Case.created_at).label("d"))
             .where(*conditions, Case.stage == "accepted", Case.accepted_at.isnot(None)))
    rows = []
    for label, durations in (("Première réponse de l'employeur", answered), ("Embauche (candidature acceptée)", hired)):
        median, count = _median_and_count(durations)
        rows.append({"measure": label, "median_days": _days(median), "cases": count})
    description = ("Pour les dossiers ouverts sur la période : du dépôt de la candidature à la première tâche "
                   "traitée par l'employeur, et à l'acceptation.")
    if step > 1:
        description += (f" Sur {total:,} dossiers, les médianes sont estimées sur un échantillon régulier d'un "
                        f"dossier sur {step}.").replace(",", "\u202f")
    return Table(
        "lead_times", "Délais médians depuis l'ouverture du dossier",
        [("measure", "Délai"), ("median_days", "Médiane (jours)"), ("cases", "Dossiers mesurés")], rows,
        description=description)


def acceptance_by_sender(process_key, scope, filters):
    place = counted_place(scope, filters)
    if place is not None:
        table = _flow_table(place)
        rows = db.session.execute(
            _counted(process_key, filters, "opened", table.sender_kind, place=place).add_columns(
                func.sum(when((table.stage == "accepted", table.cases), else_=0)))).all()
    else:
        rows = db.session.execute(
            select(Case.sender_kind, func.count(), func.sum(when((Case.stage == "accepted", 1), else_=0)))
            .where(*case_conditions(process_key, scope, filters)).group_by(Case.sender_kind)).all()
    table_rows = []
    for code, sent, accepted in rows:
        if not code:
            continue
        sent = int(sent)
        accepted = int(accepted or 0)
        table_rows.append({"sender": SENDER_KINDS.get(code, code), "sent": sent, "accepted": accepted,
                           "rate": round(100.0 * accepted / sent, 1) if sent else None})
    table_rows.sort(key=lambda r: -r["sent"])
    return Table(
        "acceptance", "Taux d'acceptation selon l'émetteur",
        [("sender", "Émetteur"), ("sent", "Candidatures"), ("accepted", "Acceptées"), ("rate", "Taux (%)")],
        table_rows, description="Candidatures envoyées sur la période, et celles qui ont été acceptées.",
        chart={"type": "bar", "labels": "sender", "series": ["rate"]})


def refusal_reasons(process_key, scope, filters):
    place = counted_place(scope, filters)
    if place is not None:
        table = _flow_table(place)
        rows = db.session.execute(_counted(process_key, filters, "opened", table.refusal_reason, place=place)
                                  .where(table.stage == "refused")).all()
    else:
        rows = db.session.execute(
            select(Case.refusal_reason, func.count())
            .where(*case_conditions(process_key, scope, filters), Case.stage == "refused")
            .group_by(Case.refusal_reason)).all()
    rows = sorted(((code, int(count)) for code, count in rows), key=lambda r: (-r[1], r[0] or ""))
    return Table(
        "refusals", "Motifs de refus",
        [("reason", "Motif"), ("count", "Candidatures déclinées")],
        [{"reason": REFUSAL_REASONS.get(code, code or "Non renseigné"), "count": count} for code, count in rows],
        description="Candidatures ouvertes sur la période et déclinées aujourd'hui.",
        empty_message="Aucune candidature déclinée.",
        chart={"type": "bar", "labels": "reason", "series": ["count"]})


def _passes_in_scope(scope, filters):
    """Conditions on Approval: a PASS belongs to the scope through the companies that hired on it
    (DOMAIN §12: the organisation of a PASS is its hiring company, the département is that company's)."""
    company = []
    if scope.kind == "organisation":
        company.append(ApprovalHire.company_id == scope.organisation_id)
    elif scope.kind == "department":
        company.append(ApprovalHire.company_id.in_(
            select(Organisation.id).where(Organisation.department == scope.department)))
    if filters.organisation_id:
        company.append(ApprovalHire.company_id == filters.organisation_id)
    if filters.department or filters.company_kind:
        organisations_ = select(Organisation.id).where(Organisation.category == "company")
        if filters.department:
            organisations_ = organisations_.where(Organisation.department == filters.department)
        if filters.company_kind:
            organisations_ = organisations_.where(Organisation.kind == filters.company_kind)
        company.append(ApprovalHire.company_id.in_(organisations_))
    if not company:
        return []
    return [Approval.id.in_(select(ApprovalHire.approval_id).where(*company))]


def pass_statistics(scope, filters, today=None):
    """PASS IAE issued, suspended and prolonged in the period (the day it was decided), and those
    not cancelled whose end falls within the next 3 months (now, whatever the period)."""
    from app.services.job_seekers import today_paris

    today = today or today_paris()
    department = _counted_department(scope, filters)
    if department is not None:
        counted = dict(db.session.execute(
            select(PassCount.measure, func.sum(PassCount.passes))
            .where(PassCount.department == department, PassCount.measure.in_(("issued", "suspended", "prolonged")),
                   *_in_days(PassCount.day, filters))
            .group_by(PassCount.measure)).all())
        expiring = db.session.execute(select(func.sum(PassCount.passes)).where(
            PassCount.department == department, PassCount.measure == "ends", PassCount.day >= today,
            PassCount.day < anniversary(today, PASS_EXPIRY_MONTHS))).scalar()
        return _pass_table(int(counted.get("issued") or 0), int(counted.get("suspended") or 0),
                           int(counted.get("prolonged") or 0), int(expiring or 0))
    in_scope = _passes_in_scope(scope, filters)
    live = Approval.cancelled_at.is_(None)

    def count(query):
        return db.session.execute(query).scalar() or 0

    issued = count(select(func.count()).select_from(Approval)
                   .where(live, *in_scope, *_in_period(Approval.created_at, filters)))
    counted = []
    for model in (Suspension, Prolongation):
        counted.append(count(select(func.count()).select_from(model).join(Approval, Approval.id == model.approval_id)
                             .where(live, *in_scope, *_in_period(model.created_at, filters))))
    expiring = count(select(func.count()).select_from(Approval).where(
        live, *in_scope, Approval.end_on >= today, Approval.end_on < anniversary(today, PASS_EXPIRY_MONTHS)))
    return _pass_table(issued, counted[0], counted[1], expiring)


def _in_days(column_, filters):
    conditions = []
    if filters.date_from:
        conditions.append(column_ >= filters.date_from)
    if filters.date_to:
        conditions.append(column_ <= filters.date_to)
    return conditions


def _pass_table(issued, suspended, prolonged, expiring):
    return Table(
        "pass", "PASS IAE", [("measure", "Indicateur"), ("count", "Nombre")],
        [{"measure": "PASS IAE délivrés sur la période", "count": issued},
         {"measure": "Suspensions déclarées sur la période", "count": suspended},
         {"measure": "Prolongations accordées sur la période", "count": prolonged},
         {"measure": f"PASS IAE qui expirent dans les {PASS_EXPIRY_MONTHS} mois", "count": expiring}],
        description="Les PASS IAE des embauches dans les structures de votre périmètre : délivrés, suspendus et "
                    "prolongés sur la période (selon la date de la décision) ; et, aujourd'hui, ceux qui arrivent à "
                    f"leur terme dans les {PASS_EXPIRY_MONTHS} prochains mois.",
        chart={"type": "bar", "labels": "measure", "series": ["count"]})


def support_journal(process_key, scope, filters):
    """The latest support actions on cases in scope: what, on which case, by whom, why."""
    place = counted_place(scope, filters)
    if place is not None and place != ALL_DEPARTMENTS:
        rows = _scoped_journal(process_key, place, filters)
    else:
        rows = _journal_from_events(process_key, scope, filters)
    return Table(
        "support", "Interventions du support",
        [("at", "Date"), ("reference", "Dossier"), ("action", "Action"), ("author", "Par"), ("reason", "Motif")],
        [{"at": at.isoformat() if at else "", "case_id": case_id if scope.personal_data else None,
          "reference": reference, "action": summary,
          "author": f"{first} {last}".strip(), "reason": (data or {}).get("reason", "")}
         for at, case_id, reference, summary, first, last, data in rows],
        description=f"Les {JOURNAL_SIZE} dernières actions du support sur les dossiers de votre périmètre, "
                    "avec leur motif.",
        empty_message="Aucune intervention du support.")


# What a journal line shows: when, which case, what, by whom, and the data holding the reason.
JOURNAL_READ = (Event.at, Case.id, Case.reference, Event.summary, User.first_name, User.last_name, Event.data)


def _scoped_journal(process_key, place, filters):
    """An organisation's or a département's journal: its own rows (SupportJournalEntry), newest first."""
    organisation_id, department = place
    entry = SupportJournalEntry
    return db.session.execute(
        select(*JOURNAL_READ).select_from(entry)
        .join(Event, Event.id == entry.event_id).join(Case, Case.id == entry.case_id)
        .outerjoin(User, User.id == Event.actor_id)
        .where(entry.organisation_id == organisation_id, entry.department == department,
               entry.process_key == process_key, *_in_period(entry.at, filters))
        .order_by(entry.at.desc(), entry.event_id.desc()).limit(JOURNAL_SIZE)).all()


def _journal_from_events(process_key, scope, filters):
    """The whole platform's journal (or a scope the journal rows do not hold: a company kind, two
    filters), from the support events themselves."""
    support_events = [Event.kind.in_(SUPPORT_EVENT_KINDS)]
    # The newest support events first, from ix_events_support_at alone, then those in scope and period
    # with their cases: joining every support event of the period to its case before sorting reads
    # thousands of cases (and the planner, which cannot know that support's events are recent,
    # would). When too few of the newest are in scope (an older period, a narrow filter): all of them.
    for read in (JOURNAL_SIZE * 25, None):
        if read is None:
            chosen = list(support_events)
        else:
            newest = select(Event.id).where(*support_events).order_by(Event.at.desc(), Event.id.desc()).limit(read)
            chosen = [Event.id.in_(newest.scalar_subquery())]
        chosen += [*_in_period(Event.at, filters), Event.actor_id.isnot(None)]
        rows = db.session.execute(
            select(*JOURNAL_READ)
            .join(Case, Case.id == Event.case_id).outerjoin(User, User.id == Event.actor_id)
            .where(*chosen, *case_conditions(process_key, scope, filters, period=False))
            .order_by(Event.at.desc(), Event.id.desc()).limit(JOURNAL_SIZE)).all()
        if read is None or len(rows) == JOURNAL_SIZE:
            break
    return rows


def dashboard(process_key, scope, filters, now=None):
    """Every table of the dashboard of `process_key`, by key, in display order."""
    tables = [
        cases_by_stage(process_key, scope, filters),
        opened_and_closed_per_week(process_key, scope, filters, now),
        deadlines(process_key, scope, filters, now),
        waiting_points(process_key, scope, filters, now),
        lead_times(process_key, scope, filters),
        acceptance_by_sender(process_key, scope, filters),
        refusal_reasons(process_key, scope, filters),
        pass_statistics(scope, filters),
        support_journal(process_key, scope, filters),
    ]
    return {table.key: table for table in tables}


TABLES = ("stages", "weekly", "deadlines", "waiting", "lead_times", "acceptance", "refusals", "pass", "support")


def table(process_key, key, scope, filters, now=None):
    """One table by key (for the CSV export), or None."""
    builders = {
        "stages": lambda: cases_by_stage(process_key, scope, filters),
        "weekly": lambda: opened_and_closed_per_week(process_key, scope, filters, now),
        "deadlines": lambda: deadlines(process_key, scope, filters, now),
        "waiting": lambda: waiting_points(process_key, scope, filters, now),
        "lead_times": lambda: lead_times(process_key, scope, filters),
        "acceptance": lambda: acceptance_by_sender(process_key, scope, filters),
        "refusals": lambda: refusal_reasons(process_key, scope, filters),
        "pass": lambda: pass_statistics(scope, filters),
        "support": lambda: support_journal(process_key, scope, filters),
    }
    builder = builders.get(key)
    return builder() if builder else None


# -- what the filters offer ---------------------------------------------------------------

def processes():
    """{process key: name} of the published processes, by name."""
    latest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version))
              .group_by(ProcessVersion.process_key).subquery())
    rows = db.session.execute(
        select(ProcessVersion.process_key, ProcessVersion.name)
        .join(latest, and_(latest.c.process_key == ProcessVersion.process_key,
                           latest.c[1] == ProcessVersion.version))).all()
    return dict(sorted(((key, name or key) for key, name in rows), key=lambda item: item[1]))


def departments(scope):
    """The départements a scope may filter on: its own, or those of the companies."""
    if scope.kind == "department":
        return [scope.department]
    if scope.kind == "organisation":
        return []
    return [d for (d,) in db.session.execute(
        select(Organisation.department).where(Organisation.category == "company", Organisation.department != "")
        .distinct().order_by(Organisation.department))]


def organisations(scope, department=None):
    """{id: name} of the organisations one may filter on: those of the scope's (or chosen) département."""
    wanted = scope.department if scope.kind == "department" else department
    if scope.kind == "organisation" or not wanted:
        return {}
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.kind, Organisation.category)
        .where(Organisation.department == wanted, Organisation.category.in_(("company", "prescriber")))
        .order_by(Organisation.name))
    return {str(i): (f"{name} ({kind})" if category == "company" else name) for i, name, kind, category in rows}


def company_kinds():
    return dict(COMPANY_KINDS)


def filter_context(scope, department=None):
    """What the filter forms (forms/supervision_filters.yaml, case_filters.yaml) may offer this scope.

    Organisations are those of the chosen département (or the scope's): a platform holds too
    many for one list."""
    chosen = department if scope.kind == "platform" else None
    return {"departments": {d: d for d in departments(scope)}, "organisations": organisations(scope, chosen)}


def case_filter_context(scope, department=None, process_key=None):
    context = filter_context(scope, department)
    context["processes"] = processes()
    context["stages"] = stage_choices(process_key or None)
    return context


def stage_choices(process_key=None):
    """{stage: label} of the milestones drawn in the latest diagrams (of one process), for filters."""
    keys = [process_key] if process_key else list(processes())
    stages = {}
    for key in keys:
        for stage, label in _milestones(*_latest_xml(key)):
            stages.setdefault(stage, label)
    return dict(sorted(stages.items(), key=lambda item: item[1]))


@functools.lru_cache(maxsize=64)
def _milestones(_sha256, xml):
    """(stage, label) of the elements carrying a `stage` property, read from the XML only."""
    if not xml:
        return ()
    from lxml import etree

    from app.engine.parsing import NS

    root = etree.fromstring(xml.encode("utf-8"))
    found = []
    for prop in root.xpath("//spiffworkflow:property[@name='stage']", namespaces=NS):
        element = prop.getparent().getparent().getparent()
        found.append((prop.get("value"), element.get("name") or prop.get("value")))
    return tuple(found)


def latest_xml(process_key):
    version = ProcessVersion.latest(process_key)
    return version.xml if version is not None else None

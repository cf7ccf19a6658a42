"""The open task counters (app/models/case_flows.py OpenTaskCount) stay equal to the open, listed
tasks of running cases whatever happens to them (a task opened, completed, reassigned, due earlier,
a case suspended, resumed, cancelled, deleted), and the "now" figures of the platform and of a
département read from them are those counted from the tasks themselves."""
from collections import Counter
from datetime import timedelta

from app.extensions import db
from app.models import Case, Event, Notification, Task, User
from app.models.base import utcnow
from app.models.case_flows import OpenTaskCount, open_task_keys
from app.permissions import SupervisionScope
from app.services import supervision, support
from tests.web.test_supervision import act, world  # noqa: F401 (fixture)
from tests.web.test_supervision_counters import emptied_case

PLATFORM = SupervisionScope("platform")
DEPARTMENTS = [SupervisionScope("department", department=d) for d in ("35", "93")]


def counters_match_the_tasks():
    expected = Counter()
    for task in Task.query.all():
        case = db.session.get(Case, task.case_id)
        for key in open_task_keys(case.process_key, case.employer_department, case.status, task.spec_name,
                                  task.state, task.listed, task.created_at, task.due_at):
            expected[key] += 1
    stored = Counter({(r.process_key, r.department, r.spec_name, r.measure, r.bucket): r.tasks
                      for r in OpenTaskCount.query.all() if r.tasks})
    assert stored == expected


def figures(key, scope, now, **filters):
    builder = supervision.deadlines if key == "deadlines" else supervision.waiting_points
    table = builder("application", scope, supervision.Filters(**filters), now)
    if key == "deadlines":
        return Counter({(r["task"], c): r[c] for r in table.rows for c in ("open", "overdue", "due_soon")})
    return Counter({r["task"]: r["waiting"] for r in table.rows})


def counted_figures_are_the_tasks(now=None):
    """Each scope's figures from the counters equal those counted from the tasks (a company kind
    filter counts from the tasks: the sum over every kind of company of the dataset)."""
    now = now or utcnow()
    for scope in [PLATFORM, *DEPARTMENTS]:
        for key in ("deadlines", "waiting"):
            queried = Counter()
            for kind in ("ACI", "EI", "GEIQ"):
                queried.update(figures(key, scope, now, company_kind=kind))
            assert +figures(key, scope, now) == +queried, (scope, key)


def support_user(world):  # noqa: F811
    return db.session.get(User, world.users["support"])


def test_counters_follow_tasks_and_cases(app, world):  # noqa: F811
    with app.app_context():
        counters_match_the_tasks()
        counted_figures_are_the_tasks()
        waiting = figures("waiting", PLATFORM, utcnow())
        assert waiting["Traiter la nouvelle candidature"] == 2
        assert waiting["Statuer sur la candidature à l'étude"] == 1
    # Completed: A3's first task closes, the study task opens.
    act(app, world, world.cases["A3"], "employer", decision="study")
    with app.app_context():
        counters_match_the_tasks()
        counted_figures_are_the_tasks()
        assert figures("waiting", PLATFORM, utcnow())["Statuer sur la candidature à l'étude"] == 2
        # Reassigned by support: still one open task, counted once.
        task = Task.query.filter_by(case_id=world.cases["A4"], state="open").one()
        support.reassign(task.id, support_user(world), "Absence de la personne.",
                         assignee_id=world.users["member"], override=True)
        counters_match_the_tasks()
        # Suspended: its task stops counting; resumed, it counts again.
        support.suspend(world.cases["A4"], support_user(world), "Doublon signalé par la structure.")
        counters_match_the_tasks()
        assert figures("waiting", PLATFORM, utcnow())["Statuer sur la candidature à l'étude"] == 1
        support.resume(world.cases["A4"], support_user(world), "Ce n'était pas un doublon.")
        counters_match_the_tasks()
        assert figures("waiting", PLATFORM, utcnow())["Statuer sur la candidature à l'étude"] == 2
        # Its employer changed to a company of another département: its task moves with it.
        support.change_party(world.cases["A4"], support_user(world), "employer", str(world.orgs["r93"]),
                             "Erreur de structure à la création.")
        counters_match_the_tasks()
        counted_figures_are_the_tasks()
        assert figures("waiting", DEPARTMENTS[1], utcnow())["Statuer sur la candidature à l'étude"] == 1
        # Cancelled: gone from the figures.
        support.cancel(world.cases["A5"], support_user(world), "Candidature envoyée par erreur.")
        counters_match_the_tasks()
        counted_figures_are_the_tasks()
        assert figures("waiting", PLATFORM, utcnow())["Traiter la nouvelle candidature"] == 0
        # A case's tasks deleted one by one, then the case (a data fix through the models: a bulk
        # Query.delete() of tasks would bypass the session, and its listeners, altogether).
        Notification.query.filter_by(case_id=world.cases["A4"]).delete()
        Event.query.filter_by(case_id=world.cases["A4"]).delete()
        for task in Task.query.filter_by(case_id=world.cases["A4"]).all():
            db.session.delete(task)
        db.session.delete(emptied_case(world.cases["A4"]))
        db.session.commit()
        counters_match_the_tasks()
        counted_figures_are_the_tasks()


def test_deadlines_are_exact_at_the_hour_boundaries(app, world):  # noqa: F811
    """Due a minute ago, in a minute, just before and just after the "due soon" limit: each task
    is counted where the tasks themselves say, though they fall in hours the counters share."""
    now = utcnow()
    soon = now + timedelta(days=supervision.DUE_SOON_DAYS)
    with app.app_context():
        for key, due in (("A3", now - timedelta(minutes=1)), ("A5", now + timedelta(minutes=1))):
            Task.query.filter_by(case_id=world.cases[key], state="open").one().due_at = due
        db.session.commit()
        counters_match_the_tasks()
        row = figures("deadlines", PLATFORM, now)
        assert (row[("Traiter la nouvelle candidature", "overdue")],
                row[("Traiter la nouvelle candidature", "due_soon")]) == (1, 1)
        counted_figures_are_the_tasks(now)
        for key, due in (("A3", soon - timedelta(minutes=1)), ("A5", soon + timedelta(minutes=1))):
            Task.query.filter_by(case_id=world.cases[key], state="open").one().due_at = due
        db.session.commit()
        row = figures("deadlines", PLATFORM, now)
        assert (row[("Traiter la nouvelle candidature", "overdue")],
                row[("Traiter la nouvelle candidature", "due_soon")]) == (0, 1)
        counted_figures_are_the_tasks(now)


def test_median_waiting_from_the_days_tasks_were_created():
    """Beyond a thousand open tasks a scope's median comes from the days its tasks were
    created: within a day of the exact one."""
    from datetime import UTC, datetime

    from app.models.case_flows import day_number
    now = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    created = [now - timedelta(days=d, hours=h) for d in (1, 2, 2, 5, 9, 30, 31) for h in (0, 5)]
    days = Counter(day_number(c) for c in created)
    exact = sorted((now - c).total_seconds() for c in created)
    exact_median = (exact[6] + exact[7]) / 2
    estimate = supervision._median_waiting(list(days.items()), now)
    assert abs(estimate - exact_median) <= 86400
    assert supervision._median_waiting([], now) is None

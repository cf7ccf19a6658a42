"""The supervision facts kept on cases and the daily counters stay equal to what the cases say,
whatever changes them: the engine, a backdated case, a due date moved, a case deleted."""
from collections import Counter
from datetime import timedelta

from app.extensions import db
from app.models import Case, CaseFlowCount, Task
from app.models.base import utcnow
from app.models.case_flows import flow_keys
from app.permissions import SupervisionScope
from app.services import case_search
from tests.web.test_supervision import backdate, reference, world  # noqa: F401 (fixture)


def counters_match_the_cases():
    expected = Counter()
    for case in Case.query.all():
        for key in flow_keys(case.process_key, case.created_at, case.stage, case.sender_kind, case.refusal_reason,
                             case.closed_at):
            expected[key] += 1
    stored = Counter({(r.process_key, r.day, r.measure, r.stage, r.sender_kind, r.refusal_reason): r.cases
                      for r in CaseFlowCount.query.all() if r.cases})
    assert stored == expected


def test_counters_follow_every_change(app, world):  # noqa: F811
    with app.app_context():
        counters_match_the_cases()
        a1 = db.session.get(Case, world.cases["A1"])
        assert (a1.sender_kind, a1.refusal_reason, a1.stage) == ("prescriber", "no_position", "refused")
        assert a1.first_answer_at is not None and a1.waiting_since is None
        a2 = db.session.get(Case, world.cases["A2"])
        # Accepted, the application follows its hire until it ends or is cancelled (DOMAIN §5 step 7).
        assert a2.accepted_at is not None and a2.closed_at is None
    backdate(app, world.cases["A3"], 40)
    with app.app_context():
        counters_match_the_cases()
        db.session.delete(emptied_case(world.cases["A5"]))
        db.session.commit()
        counters_match_the_cases()


def emptied_case(case_id):
    """The case with its rows removed first (what references it), ready to be deleted."""
    from app.models import CaseParty, Event, Notification
    Notification.query.filter_by(case_id=case_id).delete()
    Event.query.filter_by(case_id=case_id).delete()
    Task.query.filter_by(case_id=case_id).delete()
    CaseParty.query.filter_by(case_id=case_id).delete()
    return db.session.get(Case, case_id)


def test_waiting_facts_follow_the_open_tasks(app, world):  # noqa: F811
    platform = SupervisionScope("platform")

    def found(**query):
        with app.app_context():
            return {row["reference"] for row in case_search.search(platform, case_search.CaseQuery(**query)).items}

    a3, a5 = reference(app, world.cases["A3"]), reference(app, world.cases["A5"])
    assert found(overdue=True) == {a3}
    assert found(waiting_days=30) == set()
    backdate(app, world.cases["A5"], 40)
    assert found(waiting_days=30) == {a5}
    with app.app_context():
        task = Task.query.filter_by(case_id=world.cases["A5"], state="open").one()
        task.due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert found(overdue=True) == {a3, a5}
    with app.app_context():
        Task.query.filter_by(case_id=world.cases["A5"], state="open").one().state = "cancelled"
        db.session.commit()
        assert db.session.get(Case, world.cases["A5"]).waiting_since is None
    assert found(overdue=True) == {a3}

"""The PASS IAE counters (app/models/case_flows.py PassCount) stay equal to what the PASS rows say
(a PASS issued, suspended, prolonged, cancelled, a hire in another département, a company that
moves), and the dashboard's figures read from them are those counted from the PASS themselves."""
from collections import Counter
from datetime import timedelta

from app.extensions import db
from app.models import Approval, ApprovalHire, Organisation, Suspension
from app.models.base import utcnow
from app.models.case_flows import PassCount, pass_keys
from app.permissions import SupervisionScope
from app.services import approvals, supervision
from app.services.job_seekers import today_paris
from tests.web.test_supervision import world  # noqa: F401 (fixture)
from tests.web.test_supervision_pass import passes  # noqa: F401 (fixture)

SCOPES = [SupervisionScope("platform"), SupervisionScope("department", department="35"),
          SupervisionScope("department", department="93"), SupervisionScope("department", department="44")]


def counters_match_the_passes():
    expected = pass_keys(db.session, [i for (i,) in db.session.query(Approval.id)])
    stored = Counter({(r.measure, r.department, r.day): r.passes for r in PassCount.query.all() if r.passes})
    assert stored == +expected


def counted_and_queried(scope, **filters):
    """The figures read from the counters, and those counted from the PASS (what an organisation's
    scope or a company kind filter still does): the company kind of every company, to compare."""
    counted = [r["count"] for r in supervision.pass_statistics(scope, supervision.Filters(**filters)).rows]
    queried = Counter()
    for kind in ("ACI", "EI", "GEIQ"):
        table = supervision.pass_statistics(scope, supervision.Filters(company_kind=kind, **filters))
        queried.update({r["measure"]: r["count"] for r in table.rows})
    return counted, [queried[r["measure"]] for r in supervision.pass_statistics(scope, supervision.Filters()).rows]


def test_pass_counters_follow_every_change(app, world, passes):  # noqa: F811
    today = today_paris()
    with app.app_context():
        counters_match_the_passes()
        for scope in SCOPES:
            counted, queried = counted_and_queried(scope)
            assert counted == queried, scope
        p1 = Approval.query.filter_by(number=passes["P1"]).one()
        # A second suspension, then a hire in another département on the same PASS.
        db.session.add(Suspension(approval=p1, start_on=today + timedelta(days=20), end_on=today + timedelta(days=29),
                                  reason="SICKNESS", organisation_id=world.orgs["jardins"]))
        approvals.refresh_end(p1)
        db.session.commit()
        counters_match_the_passes()
        approvals.attach_hire(p1, db.session.get(Organisation, world.orgs["r93"]), None, today + timedelta(days=40))
        db.session.commit()
        counters_match_the_passes()
        assert [r["count"] for r in supervision.pass_statistics(
            SupervisionScope("department", department="93"), supervision.Filters()).rows] == [2, 2, 1, 1]
        # The company moves to another département: its PASS go with it.
        db.session.get(Organisation, world.orgs["r93"]).department = "44"
        db.session.commit()
        counters_match_the_passes()
        # A suspension withdrawn, a hire removed, a PASS cancelled.
        db.session.delete(Suspension.query.filter_by(approval_id=p1.id).order_by(Suspension.id.desc()).first())
        approvals.refresh_end(p1)
        db.session.delete(ApprovalHire.query.filter_by(approval_id=p1.id, company_id=world.orgs["r93"]).one())
        db.session.commit()
        counters_match_the_passes()
        p2 = Approval.query.filter_by(number=passes["P2"]).one()
        p2.cancelled_at = utcnow()
        db.session.commit()
        counters_match_the_passes()
        for scope in SCOPES:
            counted, queried = counted_and_queried(scope)
            assert counted == queried, scope
        assert [r["count"] for r in supervision.pass_statistics(
            SupervisionScope("platform"), supervision.Filters()).rows] == [1, 1, 0, 0]

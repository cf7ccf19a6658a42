"""The flow counters of each organisation and département (app/models/case_flows.py ScopedFlowCount)
stay equal to what the cases and their parties say, and an organisation's or a département's stages
and weeks read from them are those of its cases — also when support moves a case to another employer."""
from collections import Counter
from datetime import timedelta

from app.extensions import db
from app.models import Case, CaseParty, User
from app.models.case_flows import ScopedFlowCount, flow_keys, paris_day
from app.models.case_flows import _aware as aware
from app.permissions import SupervisionScope
from app.services import supervision, support
from tests.web.test_supervision import world  # noqa: F401 (fixture)

NO_FILTER = supervision.Filters()


def counters_match_the_cases():
    expected = Counter()
    for case in Case.query.all():
        places = {(o, "") for (o,) in db.session.query(CaseParty.organisation_id)
                  .filter(CaseParty.case_id == case.id, CaseParty.organisation_id.isnot(None))}
        if case.employer_department:
            places.add((0, case.employer_department))
        for key in flow_keys(case.process_key, case.created_at, case.stage, case.sender_kind, case.refusal_reason,
                             case.closed_at):
            for organisation_id, department in places:
                expected[(organisation_id, department, *key)] += 1
    stored = Counter({(r.organisation_id, r.department, r.process_key, r.day, r.measure, r.stage, r.sender_kind,
                       r.refusal_reason): r.cases for r in ScopedFlowCount.query.all() if r.cases})
    assert stored == expected


def stage_counts(scope):
    return {row["stage"]: row["count"] for row in supervision.cases_by_stage("application", scope, NO_FILTER).rows}


def opened_per_week(scope):
    return {row["monday"]: row["opened"]
            for row in supervision.opened_and_closed_per_week("application", scope, NO_FILTER).rows if row["opened"]}


def cases_of(organisation_id):
    return [c for c in Case.query.filter_by(process_key="application").all()
            if any(p.organisation_id == organisation_id for p in c.parties)]


def weeks_of(cases):
    found = Counter()
    for case in cases:
        day = paris_day(aware(case.created_at))
        found[(day - timedelta(days=day.weekday())).isoformat()] += 1
    return dict(found)


def test_an_employer_change_moves_the_counts(app, world):  # noqa: F811
    geiq, r93 = world.orgs["geiq"], world.orgs["r93"]
    with app.app_context():
        counters_match_the_cases()
        assert sum(stage_counts(SupervisionScope("organisation", organisation_id=geiq)).values()) == 1
        assert sum(stage_counts(SupervisionScope("organisation", organisation_id=r93)).values()) == 1
        assert opened_per_week(SupervisionScope("organisation", organisation_id=r93)) == weeks_of(cases_of(r93))
        before_93 = sum(stage_counts(SupervisionScope("department", department="93")).values())
        support_user = db.session.get(User, world.users["support"])
        support.change_party(world.cases["A4"], support_user, "employer", str(r93),
                             "Erreur de structure à la création.")
        counters_match_the_cases()
        # The GEIQ no longer sees it in its figures; the company of Seine-Saint-Denis and its
        # département do, at the stage the case is at.
        assert stage_counts(SupervisionScope("organisation", organisation_id=geiq)) == {}
        after = stage_counts(SupervisionScope("organisation", organisation_id=r93))
        assert sum(after.values()) == 2 and len(cases_of(r93)) == 2
        assert opened_per_week(SupervisionScope("organisation", organisation_id=r93)) == weeks_of(cases_of(r93))
        assert sum(stage_counts(SupervisionScope("department", department="93")).values()) == before_93 + 1
        # The same figures through the platform's organisation filter.
        assert stage_counts(SupervisionScope("platform")) != after
        assert {row["stage"]: row["count"] for row in supervision.cases_by_stage(
            "application", SupervisionScope("platform"), supervision.Filters(organisation_id=r93)).rows} == after
        # A case that changes stage moves in every counter it counts in.
        support.cancel(world.cases["A4"], support_user, "Candidature envoyée par erreur.")
        counters_match_the_cases()

"""The flow counters of each organisation and département (app/models/case_flows.py ScopedFlowCount)
stay equal to what the cases and their parties say, and an organisation's or a département's stages
and weeks read from them are those of its cases — also when support moves a case to another employer."""
from collections import Counter
from datetime import timedelta

from app.domain.calendar import today_paris
from app.extensions import db
from app.models import Case, CaseParty, Event, User
from app.models.case_flows import (
    SUPPORT_EVENT_KINDS,
    ScopedFlowCount,
    SupportJournalEntry,
    flow_keys,
    paris_day,
)
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


def journal_matches_the_events():
    """The stored journal rows are the support actions × the places their cases are in now."""
    expected = set()
    for action in Event.query.filter(Event.kind.in_(SUPPORT_EVENT_KINDS), Event.actor_id.isnot(None)):
        case = db.session.get(Case, action.case_id)
        places = {(p.organisation_id, "") for p in case.parties if p.organisation_id}
        if case.employer_department:
            places.add((0, case.employer_department))
        expected |= {(o, d, action.id, case.id, case.process_key) for o, d in places}
    stored = {(r.organisation_id, r.department, r.event_id, r.case_id, r.process_key)
              for r in SupportJournalEntry.query.all()}
    assert stored == expected


def journal_references(scope, filters=NO_FILTER):
    return [row["reference"] for row in supervision.support_journal("application", scope, filters).rows]


def test_the_support_journal_follows_the_case_to_its_new_employer(app, world):  # noqa: F811
    geiq, r93 = world.orgs["geiq"], world.orgs["r93"]
    geiq_scope = SupervisionScope("organisation", organisation_id=geiq)
    r93_scope = SupervisionScope("organisation", organisation_id=r93)
    with app.app_context():
        case = db.session.get(Case, world.cases["A4"])
        support_user = db.session.get(User, world.users["support"])
        geiq_department = case.employer_department
        support.suspend(case.id, support_user, "Doublon signalé par l'employeur.")
        journal_matches_the_events()
        assert journal_references(geiq_scope) == [case.reference]
        assert journal_references(SupervisionScope("department", department=geiq_department)) == [case.reference]
        assert journal_references(r93_scope) == []
        support.resume(case.id, support_user, "Doublon vérifié : ce n'en est pas un.")
        support.change_party(case.id, support_user, "employer", str(r93), "Erreur de structure à la création.")
        journal_matches_the_events()
        # The three actions now show in the journals of the new employer and its département, and
        # no longer in the GEIQ's (nor, through the platform's filter, under the GEIQ).
        assert journal_references(r93_scope) == [case.reference] * 3
        assert journal_references(SupervisionScope("department", department="93")) == [case.reference] * 3
        assert journal_references(geiq_scope) == []
        assert journal_references(SupervisionScope("platform"), supervision.Filters(organisation_id=geiq)) == []
        assert journal_references(SupervisionScope("platform"), supervision.Filters(organisation_id=r93)) \
            == [case.reference] * 3
        # A company kind is read from the support events themselves (the newest first, then all).
        assert journal_references(SupervisionScope("platform"), supervision.Filters(company_kind="ACI")) \
            == [case.reference] * 3
        assert journal_references(SupervisionScope("platform"), supervision.Filters(company_kind="GEIQ")) == []
        if geiq_department != "93":
            assert journal_references(SupervisionScope("department", department=geiq_department)) == []
        # The period filter applies to the journal rows too.
        tomorrow = supervision.Filters(date_from=today_paris() + timedelta(days=1))
        assert journal_references(r93_scope, tomorrow) == []


def test_lead_times_of_a_big_organisation_or_departement_are_measured_on_a_sample(app, world, monkeypatch):  # noqa: F811
    """Above SCOPE_SAMPLE_SIZE cases, an organisation's (a département's) medians read one case in
    SCOPE_SAMPLE_EVERY by id (here every other one, so that this small world has some),
    and the table says so; below, every case."""
    prescriber = world.orgs["ft"]
    scope = SupervisionScope("organisation", organisation_id=prescriber)
    with app.app_context():
        answered = [c for c in cases_of(prescriber) if c.first_answer_at is not None]
        assert len(answered) >= 3
        whole = supervision.lead_times("application", scope, NO_FILTER)
        assert whole.rows[0]["cases"] == len(answered)
        assert "échantillon" not in whole.description
        monkeypatch.setattr(supervision, "SCOPE_SAMPLE_SIZE", 0)
        monkeypatch.setattr(supervision, "SCOPE_SAMPLE_EVERY", 2)
        sampled = supervision.lead_times("application", scope, NO_FILTER)
        assert sampled.rows[0]["cases"] == len([c for c in answered if c.id % 2 == 0])
        assert "un dossier sur 2" in sampled.description
        # A département's too, by the employer's département.
        department = SupervisionScope("department", department="35")
        in_35 = [c for c in Case.query.filter_by(process_key="application", employer_department="35")
                 if c.first_answer_at is not None]
        assert in_35
        measured = supervision.lead_times("application", department, NO_FILTER)
        assert measured.rows[0]["cases"] == len([c for c in in_35 if c.id % 2 == 0])
        assert "un dossier sur 2" in measured.description


def test_an_organisations_case_list_counts_and_pages_its_cases(app, world, monkeypatch):  # noqa: F811
    from app.services import case_search
    monkeypatch.setattr(case_search, "PAGE_SIZE", 2)
    prescriber = world.orgs["ft"]
    scope = SupervisionScope("organisation", organisation_id=prescriber)
    with app.app_context():
        mine = sorted((c for c in Case.query.all() if any(p.organisation_id == prescriber for p in c.parties)),
                      key=lambda c: (c.created_at, c.id), reverse=True)
        assert len(mine) >= 3
        pages = [case_search.search(scope, case_search.CaseQuery(), page=n) for n in (1, 2, 3)]
        assert [p.total for p in pages] == [len(mine)] * 3
        listed = [row["reference"] for p in pages for row in p.items]
        assert listed == [c.reference for c in mine][:6]
        # Past the last page: no case, and the count still says how many there are.
        beyond = case_search.search(scope, case_search.CaseQuery(), page=len(mine) + 1)
        assert beyond.items == [] and beyond.total == len(mine)

"""PASS IAE on the supervisors' dashboard and in the case search, on a known dataset.

  P1  Léo, hired at Les Jardins (ACI, 35) through A2: PASS issued now, suspended once, ends in 2 years
  P2  Nadia, hired at Ressourcerie 93 (ACI, 93): PASS issued 2 years ago, prolonged, ends in 2 months
  P3  Nadia's older PASS, cancelled: counted nowhere
"""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import JobSeeker, Organisation, Prolongation, Suspension
from app.models.base import utcnow
from app.permissions import SupervisionScope
from app.services import approvals, case_search, supervision
from app.services.job_seekers import today_paris
from app.services.tasks import ServiceError
from tests.web.builders import login, text
from tests.web.test_supervision import add_org, reference, references, rows, world  # noqa: F401 (fixture)


@pytest.fixture
def passes(app, world):  # noqa: F811
    today = today_paris()
    with app.app_context():
        leo = db.session.get(JobSeeker, world.seekers["leo"])
        nadia = db.session.get(JobSeeker, world.seekers["nadia"])
        jardins = db.session.get(Organisation, world.orgs["jardins"])
        r93 = db.session.get(Organisation, world.orgs["r93"])
        from app.models import Case
        # The hire process may already have issued Léo's PASS when A2 was accepted: the same facts.
        p1 = approvals.valid_pass(leo.id, today)
        if p1 is None:
            p1 = approvals.issue_pass(leo, today)
            approvals.attach_hire(p1, jardins, db.session.get(Case, world.cases["A2"]), today)
        db.session.add(Suspension(approval=p1, start_on=today, end_on=today + timedelta(days=9), reason="SICKNESS",
                                  organisation_id=jardins.id))
        approvals.refresh_end(p1)

        p3 = approvals.issue_pass(nadia, today - timedelta(days=1500))
        approvals.attach_hire(p3, r93, None, today - timedelta(days=1500))
        p3.cancelled_at = utcnow() - timedelta(days=1400)
        p3.end_on = p3.base_end_on = today - timedelta(days=1400)

        start = today - timedelta(days=700)
        p2 = approvals.issue_pass(nadia, start)
        p2.created_at = utcnow() - timedelta(days=700)
        approvals.attach_hire(p2, r93, None, start)
        db.session.add(Prolongation(approval=p2, start_on=p2.base_end_on + timedelta(days=1),
                                    end_on=today + timedelta(days=60), reason="RQTH", declared_by_company_id=r93.id))
        approvals.refresh_end(p2)
        db.session.commit()
        return {"P1": p1.number, "P2": p2.number, "P3": p3.number}


def figures(app, scope, **filters):
    with app.app_context():
        table = supervision.pass_statistics(scope, supervision.Filters(**filters))
        return [row["count"] for row in table.rows]


def test_pass_figures_follow_the_scope_and_the_period(app, world, passes):  # noqa: F811
    today = today_paris()
    # issued, suspended, prolonged in the period; expiring within 3 months
    assert figures(app, SupervisionScope("platform")) == [2, 1, 1, 1]
    assert figures(app, SupervisionScope("platform"), date_from=today - timedelta(days=30)) == [1, 1, 1, 1]
    assert figures(app, SupervisionScope("department", department="35")) == [1, 1, 0, 0]
    assert figures(app, SupervisionScope("department", department="93")) == [1, 0, 1, 1]
    assert figures(app, SupervisionScope("organisation", organisation_id=world.orgs["jardins"])) == [1, 1, 0, 0]
    assert figures(app, SupervisionScope("organisation", organisation_id=world.orgs["geiq"])) == [0, 0, 0, 0]
    assert figures(app, SupervisionScope("platform"), company_kind="GEIQ") == [0, 0, 0, 0]
    assert figures(app, SupervisionScope("platform"), department="93", company_kind="ACI") == [1, 0, 1, 1]


def test_the_dashboard_shows_pass_figures(app, client, world, passes):  # noqa: F811
    login(client, "agent@ddets93.test")
    page = client.get("/pilotage/application?date_from=&date_to=")
    assert page.status_code == 200
    found = {r[0]: r[1] for r in rows(page, "pass")}
    assert found == {"PASS IAE délivrés sur la période": "1", "Suspensions déclarées sur la période": "0",
                     "Prolongations accordées sur la période": "1", "PASS IAE qui expirent dans les 3 mois": "1"}
    csv_text = client.get("/pilotage/application/export/pass.csv?date_from=&date_to=").get_data(as_text=True)
    assert "PASS IAE qui expirent dans les 3 mois;1" in csv_text


def test_search_by_pass_number_finds_the_holders_cases(app, client, world, passes):  # noqa: F811
    login(client, world.email("support"))
    leo = {reference(app, world.cases[k]) for k in ("A2", "A4")}
    p1 = passes["P1"]
    assert references(client.get(f"/dossiers?q={p1[:5]} {p1[5:7]} {p1[7:]}")) == leo
    nadia = {reference(app, world.cases[k]) for k in ("A1", "A3", "A5")}
    assert references(client.get(f"/dossiers?q={passes['P2']}")) == nadia
    unknown = client.get("/dossiers?q=99999 99 99999")
    assert unknown.status_code == 200
    assert "Aucun PASS IAE ne porte ce numéro." in text(unknown)


def test_a_malformed_pass_number_is_explained_in_french(app, client, world):  # noqa: F811
    login(client, world.email("support"))
    bad = client.get("/dossiers?q=99999 00 0012")
    assert bad.status_code == 422
    assert "Le numéro de PASS IAE doit compter 12 chiffres" in text(bad)
    with app.app_context(), pytest.raises(ServiceError) as refused:
        case_search.search(SupervisionScope("department", department="35"), case_search.CaseQuery(q="999990000001"))
    assert refused.value.status == 403


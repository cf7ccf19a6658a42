"""Supervisors' dashboards and case list: who sees what (a matrix), and every figure on a known dataset.

The dataset, built through the real process (app.services.cases + the engine):

  A1  Nadia → Les Jardins (ACI, 35) by France Travail, opened 10 days ago, refused (no_position)
  A2  Léo   → Les Jardins (ACI, 35) by France Travail, opened 4 days ago, accepted and hired
  A3  Nadia → La Recyclerie (EI, 35) by France Travail, new, its task overdue by a day
  A4  Léo   → GEIQ Bâtiment (GEIQ, 35) by France Travail, opened 2 days ago, under study
  A5  Nadia → Ressourcerie 93 (ACI, 93) by Mission locale, new, its task due tomorrow

First answers came "now": 10, 4 and 2 days after opening (median 4); A2 was accepted 4 days
after it was opened.
"""
import csv
import io
from datetime import timedelta

import pytest

from app.engine import runtime
from app.extensions import db
from app.models import AuditEntry, Case, Event, Membership, Organisation, Task, User
from app.models.base import utcnow
from app.services.job_seekers import today_paris
from tests.support.hire import declare_hire_in
from tests.web.builders import build_scene, login, open_task_id, send_application, text


def act(app, scene, case_id, user_key, **data):
    with app.app_context():
        task = db.session.get(Task, open_task_id(app, case_id))
        runtime.complete_task(task, data, db.session.get(User, scene.users[user_key]))
        db.session.commit()


def backdate(app, case_id, days):
    """Move a case's opening (and its first task) `days` back in time."""
    with app.app_context():
        when = utcnow() - timedelta(days=days)
        case = db.session.get(Case, case_id)
        case.created_at = when
        first = Task.query.filter_by(case_id=case_id).order_by(Task.id).first()
        first.created_at = when
        db.session.commit()


def set_due(app, case_id, delta):
    with app.app_context():
        task = db.session.get(Task, open_task_id(app, case_id))
        task.due_at = utcnow() + delta
        db.session.commit()


def add_person(app, email, first, last, org_id=None, is_admin=False, **flags):
    from tests.web.builders import PASSWORD
    with app.app_context():
        user = User(email=email, first_name=first, last_name=last, **flags)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        if org_id:
            db.session.add(Membership(user_id=user.id, organisation_id=org_id, is_admin=is_admin))
        db.session.commit()
        return user.id


def add_org(app, **fields):
    with app.app_context():
        org = Organisation(**fields)
        db.session.add(org)
        db.session.commit()
        return org.id


@pytest.fixture
def world(app):
    scene = build_scene(app)
    scene.orgs["r93"] = add_org(app, category="company", kind="ACI", name="Ressourcerie 93", siret="81234567600934",
                                department="93", city="Saint-Denis")
    scene.orgs["ddets35"] = add_org(app, category="institution", kind="DDETS", name="DDETS 35", department="35")
    scene.orgs["ddets93"] = add_org(app, category="institution", kind="DDETS", name="DDETS 93", department="93")
    scene.users["ddets35"] = add_person(app, "agent@ddets35.test", "Agnès", "Trente-Cinq", scene.orgs["ddets35"])
    scene.users["ddets93"] = add_person(app, "agent@ddets93.test", "Hugo", "Quatre-Vingt", scene.orgs["ddets93"])
    # The builders make everyone admin of their first organisation: a plain member, here.
    scene.users["member"] = add_person(app, "membre@jardins.test", "Mona", "Membre", scene.orgs["jardins"])
    cases = {}
    cases["A1"] = send_application(app, scene, seeker="nadia", company="jardins")
    backdate(app, cases["A1"], 10)
    act(app, scene, cases["A1"], "employer", decision="refuse", refusal_reason="no_position",
        answer_to_job_seeker="Pas de poste en ce moment.", share_reason_with_job_seeker=True)
    cases["A2"] = send_application(app, scene, seeker="leo", company="jardins")
    backdate(app, cases["A2"], 4)
    act(app, scene, cases["A2"], "employer", decision="accept")
    declare_hire_in(app, cases["A2"], scene.users["employer"], today_paris() + timedelta(days=3))
    cases["A3"] = send_application(app, scene, seeker="nadia", company="recyclerie")
    set_due(app, cases["A3"], -timedelta(days=1))
    cases["A4"] = send_application(app, scene, seeker="leo", company="geiq")
    backdate(app, cases["A4"], 2)
    act(app, scene, cases["A4"], "other_employer", decision="study")
    cases["A5"] = send_application(app, scene, seeker="nadia", company="r93", sender="other_prescriber",
                                   sender_org="ml")
    set_due(app, cases["A5"], timedelta(days=1))
    scene.cases = cases
    return scene


def act_for(client, scene, org_key):
    """Choose, in the header's switcher, the organisation to act for."""
    assert client.post("/organisation", data={"organisation_id": scene.orgs[org_key]}).status_code == 302


def stages(response):
    """{stage label: count} read from the "Dossiers par étape" table of the page."""
    page = text(response)
    section = page.split('id="section-stages"')[1].split("</section>")[0]
    import re
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>(\d+)</td>', section)
    return {label.strip(): int(count) for label, count in rows}


def references(response):
    import re
    return set(re.findall(r"CAND-\d{4}-\d{6}", text(response)))


def reference(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).reference


# -- who sees what ---------------------------------------------------------------------------

VIEWERS = {
    # who: (user key, organisation to act for, cases seen)
    "support": ("support", None, {"A1", "A2", "A3", "A4", "A5"}),
    "admin_jardins": ("employer", "jardins", {"A1", "A2"}),
    "admin_geiq": ("other_employer", "geiq", {"A4"}),
    "admin_prescriber": ("prescriber", "ft", {"A1", "A2", "A3", "A4"}),
    "ddets35": ("ddets35", None, {"A1", "A2", "A3", "A4"}),
    "ddets93": ("ddets93", None, {"A5"}),
}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_each_supervisor_sees_only_the_cases_of_their_scope(app, client, world, viewer):
    user_key, org_key, expected = VIEWERS[viewer]
    email = world.email(user_key) if user_key in ("support", "employer", "other_employer", "prescriber") \
        else {"ddets35": "agent@ddets35.test", "ddets93": "agent@ddets93.test"}[user_key]
    login(client, email)
    if org_key:
        act_for(client, world, org_key)
    everything = {key: reference(app, case_id) for key, case_id in world.cases.items()}

    listed = client.get("/dossiers")
    assert listed.status_code == 200
    assert references(listed) == {everything[k] for k in expected}

    dashboard = client.get("/pilotage/application?date_from=&date_to=")
    assert dashboard.status_code == 200
    assert sum(stages(dashboard).values()) == len(expected)

    # Even asking for another organisation's cases by filter gives nothing beyond the scope.
    other = world.orgs["r93"] if "A5" not in expected else world.orgs["jardins"]
    filtered = client.get(f"/dossiers?q=Ressourcerie&organisation={other}")
    assert references(filtered) <= {everything[k] for k in expected}


def test_an_admin_sees_the_dashboard_of_the_organisation_they_act_for_only(app, client, world):
    # Emma is admin of Les Jardins but a plain member of La Recyclerie (first by name).
    login(client, world.email("employer"))
    refused = client.get("/pilotage/application")
    assert refused.status_code == 403
    assert "réservés aux administrateurs" in text(refused)
    act_for(client, world, "jardins")
    page = client.get("/pilotage/application?date_from=&date_to=")
    assert stages(page) == {"Déclinée": 1, "Acceptée": 1}
    assert reference(app, world.cases["A3"]) not in text(client.get("/dossiers"))


@pytest.mark.parametrize("who", ["membre@jardins.test", "nadia.haddad@exemple.test"])
def test_a_member_who_is_not_admin_and_a_job_seeker_see_no_dashboard(app, client, world, who):
    login(client, who)
    for path in ("/pilotage", "/pilotage/application", "/dossiers", "/pilotage/application/export/stages.csv",
                 "/pilotage/application/diagramme.bpmn"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "<title>Accès refusé — Parcours</title>" in text(response)
    assert "Pilotage" not in text(client.get("/taches"))


def test_an_institution_never_sees_personal_data_nor_searches_people(app, client, world):
    login(client, "agent@ddets35.test")
    page = text(client.get("/dossiers"))
    assert "Nadia" not in page and "HADDAD" not in page and "Léo" not in page
    assert "Les Jardins de la Vilaine" in page  # organisations are not personal data
    refused = client.get("/dossiers?q=nadia@exemple.test")
    assert refused.status_code == 403
    assert "réservée aux structures qui suivent ces personnes" in text(refused)
    # A name finds organisations only.
    assert references(client.get("/dossiers?q=Haddad")) == set()
    # The case page itself stays closed to them.
    assert client.get(f"/dossiers/{world.cases['A1']}").status_code == 403


# -- the figures on the known dataset -------------------------------------------------------

def rows(response, section_key):
    """[[cell texts]] of a dashboard table."""
    import re
    page = text(response)
    section = page.split(f'id="section-{section_key}"')[1].split("</section>")[0]
    body = section.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in section else ""
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        found.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return found


def test_dashboard_figures_for_support(app, client, world):
    login(client, world.email("support"))
    page = client.get("/pilotage/application?date_from=&date_to=")
    assert page.status_code == 200
    assert stages(page) == {"Nouvelle candidature": 2, "Déclinée": 1, "Acceptée": 1, "À l'étude": 1}
    weekly = rows(page, "weekly")
    assert sum(int(r[2]) for r in weekly) == 5   # opened
    # Closed: none (the hired application follows its hire until the hire ends, DOMAIN §5 step 7).
    assert sum(int(r[3]) for r in weekly) == 0
    deadlines = {r[0]: r[1:] for r in rows(page, "deadlines")}
    assert deadlines["Traiter la nouvelle candidature"] == ["2", "1", "1"]
    assert deadlines["Statuer sur la candidature à l'étude"] == ["1", "0", "0"]
    waiting = {r[0].split(" Parmi")[0]: r[1:] for r in rows(page, "waiting")}
    assert waiting["Traiter la nouvelle candidature"][0] == "2"
    assert waiting["Statuer sur la candidature à l'étude"][0] == "1"
    lead = {r[0]: r[1:] for r in rows(page, "lead_times")}
    assert lead["Première réponse de l'employeur"] == ["4,0", "3"]
    assert lead["Embauche (candidature acceptée)"] == ["4,0", "1"]
    acceptance = {r[0]: r[1:] for r in rows(page, "acceptance")}
    assert acceptance == {"Prescripteur": ["5", "1", "20,0"]}
    assert {r[0]: r[1] for r in rows(page, "refusals")} == {"Pas de recrutement en cours": "1"}
    # The hire at Les Jardins (an ACI) issued Léo's PASS IAE.
    assert {r[0]: r[1] for r in rows(page, "pass")}["PASS IAE délivrés sur la période"] == "1"
    # The diagram shows the same waiting points.
    assert '&#34;element&#34;: &#34;ut_new&#34;' in page.get_data(as_text=True) or \
        '"element": "ut_new"' in text(page)


def test_dashboard_filters_narrow_every_figure(app, client, world):
    login(client, world.email("support"))
    today = utcnow().date()
    recent = client.get(f"/pilotage/application?date_from={(today - timedelta(days=5)).isoformat()}"
                        f"&date_to={today.isoformat()}")
    assert stages(recent) == {"Nouvelle candidature": 2, "Acceptée": 1, "À l'étude": 1}
    assert client.get("/pilotage/application?date_from=&date_to=&department=93").status_code == 200
    assert stages(client.get("/pilotage/application?date_from=&date_to=&department=93")) == {
        "Nouvelle candidature": 1}
    assert stages(client.get("/pilotage/application?date_from=&date_to=&company_kind=GEIQ")) == {"À l'étude": 1}
    by_org = client.get(f"/pilotage/application?date_from=&date_to=&department=35&organisation={world.orgs['jardins']}")
    assert stages(by_org) == {"Déclinée": 1, "Acceptée": 1}


def test_bad_filters_are_explained_in_french_and_compute_nothing(app, client, world):
    login(client, world.email("support"))
    response = client.get("/pilotage/application?date_from=2026-02-10&date_to=2026-01-01&company_kind=XX")
    assert response.status_code == 422
    page = text(response)
    assert "Date de fin" not in page  # the labels are the spec's
    assert "Dossiers ouverts jusqu'au : La date de fin doit être égale ou postérieure à la date de début." in page
    assert "Type d'employeur : Choisissez une valeur dans la liste." in page
    assert 'role="alert"' in page
    assert 'id="section-stages"' not in page
    assert client.get("/pilotage/inconnu").status_code == 404


def test_csv_export_is_french_spreadsheet_ready_and_logged(app, client, world):
    login(client, world.email("support"))
    response = client.get("/pilotage/application/export/stages.csv?date_from=&date_to=")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert table[0] == ["Étape", "Dossiers"]
    assert dict(table[1:]) == {"Nouvelle candidature": "2", "Déclinée": "1", "Acceptée": "1", "À l'étude": "1"}
    lead = client.get("/pilotage/application/export/lead_times.csv?date_from=&date_to=").get_data(as_text=True)
    assert "Première réponse de l'employeur;4,0;3" in lead
    with app.app_context():
        entries = AuditEntry.query.filter_by(action="supervision_export").order_by(AuditEntry.id).all()
        assert [e.data["table"] for e in entries] == ["stages", "lead_times"]
        assert entries[0].actor_id == world.users["support"]
    assert client.get("/pilotage/application/export/inconnu.csv").status_code == 404


def test_dashboard_shows_support_actions_with_their_reason(app, client, world):
    from app.services import support
    with app.app_context():
        actor = db.session.get(User, world.users["support"])
        support.suspend(world.cases["A3"], actor, "Doublon signalé par l'employeur.")
    login(client, "agent@ddets35.test")
    page = client.get("/pilotage/application?date_from=&date_to=")
    journal = rows(page, "support")
    assert journal[0][1:] == [reference(app, world.cases["A3"]), "Dossier suspendu par le support", "Sam Support",
                              "Doublon signalé par l'employeur."]
    # A suspended case's task no longer counts as waiting work.
    deadlines = {r[0]: r[1:] for r in rows(page, "deadlines")}
    assert deadlines == {"Statuer sur la candidature à l'étude": ["1", "0", "0"]}


# -- the case list ------------------------------------------------------------------------------

def test_case_list_filters_and_saved_filters(app, client, world):
    login(client, world.email("support"))
    overdue = client.get("/dossiers?overdue=y")
    assert references(overdue) == {reference(app, world.cases["A3"])}
    assert references(client.get("/dossiers?stage=refused")) == {reference(app, world.cases["A1"])}
    assert references(client.get("/dossiers?waiting_days=7")) == set()
    with app.app_context():
        task = db.session.get(Task, open_task_id(app, world.cases["A5"]))
        task.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    assert references(client.get("/dossiers?waiting_days=7")) == {reference(app, world.cases["A5"])}

    saved = client.post("/dossiers/filtres?stage=new&overdue=y", data={"name": "Nouvelles en retard"})
    assert saved.status_code == 302
    listed = text(client.get("/dossiers"))
    assert "Nouvelles en retard" in listed
    with app.app_context():
        from app.models import SavedFilter
        row = SavedFilter.query.one()
        assert row.params == {"stage": "new", "overdue": "y"}
        filter_id = row.id
    applied = client.get(f"/dossiers?filtre={filter_id}", follow_redirects=True)
    assert references(applied) == {reference(app, world.cases["A3"])}
    duplicate = client.post("/dossiers/filtres?stage=new", data={"name": "nouvelles en retard"},
                            follow_redirects=True)
    assert "Vous avez déjà un filtre nommé" in text(duplicate)
    # Another user cannot use or delete it.
    client.post("/logout")
    login(client, "agent@ddets35.test")
    assert client.get(f"/dossiers?filtre={filter_id}").status_code == 404
    assert client.post(f"/dossiers/filtres/{filter_id}/supprimer").status_code == 404
    client.post("/logout")
    login(client, world.email("support"))
    assert client.post(f"/dossiers/filtres/{filter_id}/supprimer").status_code == 302
    with app.app_context():
        from app.models import SavedFilter
        assert SavedFilter.query.count() == 0


def test_search_by_reference_name_siret_email_and_case_number(app, client, world):
    login(client, world.email("support"))
    a1 = reference(app, world.cases["A1"])
    assert references(client.get(f"/dossiers?q={a1}")) == {a1}
    assert references(client.get(f"/dossiers?q={world.cases['A2']}")) == {reference(app, world.cases["A2"])}
    leo = {reference(app, world.cases[k]) for k in ("A2", "A4")}
    assert references(client.get("/dossiers?q=léo mar")) == leo
    assert references(client.get("/dossiers?q=leo.martin@exemple.test")) == leo
    assert references(client.get("/dossiers?q=812 345 676 00934")) == {reference(app, world.cases["A5"])}
    pass_search = client.get("/dossiers?q=999990000123")
    assert "Aucun PASS IAE ne porte ce numéro." in text(pass_search)
    assert references(pass_search) == set()
    bad_siret = client.get("/dossiers?q=81234567600935")
    assert bad_siret.status_code == 422
    assert "Ce SIRET n'est pas valide" in text(bad_siret)


# -- API ---------------------------------------------------------------------------------------

def api_token(client, email, organisation_id=None):
    from tests.web.builders import PASSWORD
    body = {"email": email, "password": PASSWORD}
    if organisation_id:
        body["organisation_id"] = organisation_id
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_api_dashboard_and_search_follow_the_same_scopes(app, client, world):
    headers = api_token(client, "agent@ddets93.test")
    body = client.get("/api/v1/dashboard/application", headers=headers).get_json()
    assert body["scope"] == {"kind": "department", "organisation_id": None, "department": "93"}
    tables = {t["key"]: t for t in body["tables"]}
    assert tables["stages"]["rows"] == [{"stage": "Nouvelle candidature", "count": 1}]
    assert tables["pass"]["available"] is True
    found = client.get("/api/v1/cases/search", headers=headers).get_json()
    assert [item["reference"] for item in found["items"]] == [reference(app, world.cases["A5"])]
    assert found["items"][0]["title"] is None  # no personal data for an institution

    support = api_token(client, world.email("support"))
    body = client.get("/api/v1/dashboard/application?company_kind=ACI", headers=support).get_json()
    stages_rows = {r["stage"]: r["count"] for r in {t["key"]: t for t in body["tables"]}["stages"]["rows"]}
    assert stages_rows == {"Nouvelle candidature": 1, "Déclinée": 1, "Acceptée": 1}
    bad = client.get("/api/v1/dashboard/application?date_from=hier&colour=red", headers=support)
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"date_from", "colour"}

    member = api_token(client, "membre@jardins.test")
    for path in ("/api/v1/dashboard/application", "/api/v1/cases/search"):
        refused = client.get(path, headers=member)
        assert refused.status_code == 403
        assert "Réservé aux superviseurs" in refused.get_json()["error"]
    assert client.get("/api/v1/dashboard/inconnu", headers=support).status_code == 404


def test_events_of_support_actions_are_kept_on_the_case(app, client, world):
    from app.services import support
    with app.app_context():
        actor = db.session.get(User, world.users["support"])
        support.suspend(world.cases["A4"], actor, "Vérification en cours.")
        event = Event.query.filter_by(case_id=world.cases["A4"], kind="case_suspended").one()
        assert event.actor_id == actor.id and event.data["reason"] == "Vérification en cours."
    login(client, world.email("other_employer"))
    act_for(client, world, "geiq")
    assert "Dossier suspendu par le support" in text(client.get(f"/dossiers/{world.cases['A4']}"))

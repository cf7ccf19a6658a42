"""Suspending a PASS IAE from the browser: the form and its French refusals, the pages of the
edit / end early / delete tasks, the PASS page's actions, and who gets 403, 404 and 409."""
from datetime import timedelta

import pytest

from app.domain.approvals import fr_date, max_suspension_end
from app.extensions import db
from app.models import Approval, JobSeeker, Organisation, Suspension, Task
from app.services import approvals
from app.services.job_seekers import today_paris
from tests.web.builders import build_scene, login, logout, text

TODAY = today_paris()
DAY = timedelta(days=1)


@pytest.fixture
def scene(app):
    return build_scene(app)


def issue(app, scene, company="jardins", start=None, hiring_end=None):
    """A PASS for Nadia, hired at `company` on `start` (default: 100 days ago); returns its id."""
    with app.app_context():
        start = start or TODAY - 100 * DAY
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), start)
        approvals.attach_hire(approval, db.session.get(Organisation, scene.orgs[company]), None, start, hiring_end)
        db.session.commit()
        return approval.id


def sign_in(client, scene, key):
    logout(client)
    login(client, scene.email(key))


def as_employer(client, scene, org="jardins"):
    """Sign in as Emma, acting for `org` (she belongs to two companies)."""
    sign_in(client, scene, "employer")
    client.post("/organisation", data={"organisation_id": scene.orgs[org]})


def version(app, approval_id):
    with app.app_context():
        return db.session.get(Approval, approval_id).lock_version


def pass_end(app, approval_id):
    with app.app_context():
        return db.session.get(Approval, approval_id).end_on


def suspend(client, app, approval_id, start, end=None, end_unknown=False, reason="CONTRACT_SUSPENDED",
            lock_version=None):
    data = {"reason": reason, "start_at": start.strftime("%d/%m/%Y"),
            "end_at": end.strftime("%d/%m/%Y") if end else "", "explanation": "Arrêt maladie.",
            "lock_version": lock_version if lock_version is not None else version(app, approval_id)}
    if end_unknown:
        data["end_unknown"] = "y"
    return client.post(f"/pass/{approval_id}/suspendre", data=data)


def suspension_id(app):
    with app.app_context():
        row = Suspension.query.one()
        return row.id


def test_the_form_shows_the_pass_and_the_reasons_of_the_company(client, app, scene):
    approval_id = issue(app, scene)
    as_employer(client, scene)
    page = text(client.get(f"/pass/{approval_id}/suspendre"))
    assert "Suspendre le PASS IAE n° 99999 00 00001" in page
    assert "Jours restants" in page and "Nadia Haddad" in page
    assert "Contrat de travail suspendu depuis plus de 15 jours" in page
    assert "Bascule dans l'expérimentation contrat passerelle" in page  # an ACI
    assert f"Début au plus tôt le {fr_date(TODAY - 100 * DAY)} (date de début du PASS IAE)" in page
    assert "Date de fin inconnue" in page


def test_suspending_redirects_to_the_pass_with_its_new_end(client, app, scene):
    approval_id = issue(app, scene)
    before = pass_end(app, approval_id)
    as_employer(client, scene)
    response = suspend(client, app, approval_id, TODAY - 9 * DAY, TODAY)  # 10 days
    assert response.status_code == 302
    assert pass_end(app, approval_id) == before + 10 * DAY
    page = text(client.get(response.headers["Location"], follow_redirects=True))
    assert f"il se termine désormais le {fr_date(before + 10 * DAY)}" in page


def test_a_start_before_the_last_hire_is_refused_on_the_field(client, app, scene):
    approval_id = issue(app, scene)
    with app.app_context():  # a second contract with the same company, later
        approvals.attach_hire(db.session.get(Approval, approval_id),
                              db.session.get(Organisation, scene.orgs["jardins"]), None, TODAY - 20 * DAY)
        db.session.commit()
    as_employer(client, scene)
    response = suspend(client, app, approval_id, TODAY - 21 * DAY, TODAY)
    page = text(response)
    assert response.status_code == 422
    assert (f"La suspension ne peut pas commencer avant le {fr_date(TODAY - 20 * DAY)}, date de la dernière "
            "embauche.") in page
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    with app.app_context():
        assert Suspension.query.count() == 0


def test_an_end_too_far_names_the_latest_end(client, app, scene):
    approval_id = issue(app, scene)
    as_employer(client, scene)
    latest = max_suspension_end(TODAY)
    page = text(suspend(client, app, approval_id, TODAY, latest + DAY))
    assert f"Une suspension dure au plus 36 mois : date de fin au plus tard le {fr_date(latest)}." in page


def test_a_missing_end_without_end_unknown_is_refused_and_end_unknown_takes_the_maximum(client, app, scene):
    approval_id = issue(app, scene)
    as_employer(client, scene)
    response = suspend(client, app, approval_id, TODAY)
    assert response.status_code == 422
    assert suspend(client, app, approval_id, TODAY, end_unknown=True).status_code == 302
    with app.app_context():
        assert Suspension.query.one().end_on == max_suspension_end(TODAY)


def test_a_stale_page_is_refused_with_409(client, app, scene):
    approval_id = issue(app, scene)
    as_employer(client, scene)
    old = version(app, approval_id)
    assert suspend(client, app, approval_id, TODAY - 2 * DAY, TODAY - 2 * DAY).status_code == 302
    # A colleague's page still showed the PASS before that suspension.
    sign_in(client, scene, "colleague")
    response = suspend(client, app, approval_id, TODAY, TODAY, lock_version=old)
    assert response.status_code == 409 and "modifié par quelqu'un d'autre" in text(response)


def test_an_already_suspended_pass_is_409(client, app, scene):
    approval_id = issue(app, scene)
    as_employer(client, scene)
    suspend(client, app, approval_id, TODAY - 2 * DAY, TODAY + 2 * DAY)
    response = client.get(f"/pass/{approval_id}/suspendre")
    assert response.status_code == 409 and "déjà suspendu" in text(response)


def test_who_may_open_the_form(client, app, scene):
    approval_id = issue(app, scene)
    assert client.get(f"/pass/{approval_id}/suspendre").status_code == 302  # to the login page
    sign_in(client, scene, "other_employer")
    assert client.get(f"/pass/{approval_id}/suspendre").status_code == 403
    sign_in(client, scene, "seeker")
    assert client.get(f"/pass/{approval_id}/suspendre").status_code == 403
    sign_in(client, scene, "prescriber")  # the contract is still running
    response = client.get(f"/pass/{approval_id}/suspendre")
    assert response.status_code == 403 and "contrat" in text(response)
    as_employer(client, scene)
    assert client.get("/pass/999999/suspendre").status_code == 404
    assert client.get(f"/pass/{2**40}/suspendre").status_code == 404


def test_a_prescriber_suspends_when_no_contract_is_left_without_contrat_passerelle(client, app, scene):
    approval_id = issue(app, scene, hiring_end=TODAY - 3 * DAY)
    sign_in(client, scene, "prescriber")
    page = text(client.get(f"/pass/{approval_id}/suspendre"))
    assert "Contrat de travail terminé" in page and "contrat passerelle" not in page
    assert suspend(client, app, approval_id, TODAY - 2 * DAY, TODAY + 30 * DAY,
                   reason="FINISHED_CONTRACT").status_code == 302


# -- the case's tasks ------------------------------------------------------------------------

def suspended(client, app, scene, start=None, end=None):
    approval_id = issue(app, scene)
    as_employer(client, scene)
    assert suspend(client, app, approval_id, start or TODAY - 10 * DAY, end or TODAY + 19 * DAY).status_code == 302
    return approval_id, suspension_id(app)


def test_the_pass_page_links_to_the_three_actions(client, app, scene):
    approval_id, sid = suspended(client, app, scene)
    page = text(client.get(f"/pass/{approval_id}"))
    for action in ("modifier", "terminer", "supprimer"):
        assert f"/suspensions/{sid}/{action}" in page
    sign_in(client, scene, "other_employer")
    assert client.get(f"/suspensions/{sid}/modifier").status_code == 403


def test_edit_page_is_filled_and_shortening_pulls_the_end_back(client, app, scene):
    approval_id, sid = suspended(client, app, scene)
    end_before = pass_end(app, approval_id)
    page = text(client.get(f"/suspensions/{sid}/modifier"))
    assert (TODAY - 10 * DAY).strftime("%d/%m/%Y") in page or (TODAY - 10 * DAY).isoformat() in page
    response = client.post(f"/suspensions/{sid}/modifier", data={
        "reason": "CONTRACT_BROKEN", "start_at": (TODAY - 10 * DAY).strftime("%d/%m/%Y"),
        "end_at": (TODAY + 9 * DAY).strftime("%d/%m/%Y"), "lock_version": version(app, approval_id)})
    assert response.status_code == 302
    assert pass_end(app, approval_id) == end_before - 10 * DAY


def test_end_early_refusal_names_the_date_then_succeeds(client, app, scene):
    approval_id, sid = suspended(client, app, scene)
    end_before = pass_end(app, approval_id)
    v = version(app, approval_id)
    response = client.post(f"/suspensions/{sid}/terminer", data={
        "first_day_back": (TODAY - 10 * DAY).strftime("%d/%m/%Y"), "lock_version": v})
    assert response.status_code == 422
    assert (f"La date de reprise doit être au plus tôt le {fr_date(TODAY - 9 * DAY)}, lendemain du début de la "
            "suspension") in text(response)
    response = client.post(f"/suspensions/{sid}/terminer", data={
        "first_day_back": TODAY.strftime("%d/%m/%Y"), "lock_version": v})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Suspension, sid).end_on == TODAY - DAY
    assert pass_end(app, approval_id) == end_before - 20 * DAY


def test_delete_then_the_action_pages_are_gone(client, app, scene):
    approval_id, sid = suspended(client, app, scene)
    v = version(app, approval_id)
    response = client.post(f"/suspensions/{sid}/supprimer", data={"confirm": "y", "lock_version": v})
    assert response.status_code == 302
    assert client.get(f"/suspensions/{sid}/supprimer").status_code == 404
    page = text(client.get(f"/pass/{approval_id}"))
    assert f"/pass/{approval_id}/suspendre" in page  # may be suspended again


def test_a_stale_task_page_is_409_and_changes_nothing(client, app, scene):
    approval_id, sid = suspended(client, app, scene)
    old = version(app, approval_id)
    client.post(f"/suspensions/{sid}/modifier", data={
        "reason": "CONTRACT_BROKEN", "start_at": (TODAY - 10 * DAY).strftime("%d/%m/%Y"),
        "end_at": (TODAY + 9 * DAY).strftime("%d/%m/%Y"), "lock_version": old})
    response = client.post(f"/suspensions/{sid}/supprimer", data={"confirm": "y", "lock_version": old})
    assert response.status_code == 409
    with app.app_context():
        assert Suspension.query.count() == 1


def test_unknown_action_and_suspension_are_404(client, app, scene):
    _approval_id, sid = suspended(client, app, scene)
    assert client.get(f"/suspensions/{sid}/effacer").status_code == 404
    assert client.get("/suspensions/999999/modifier").status_code == 404


def test_the_case_and_its_task_pages_render(client, app, scene):
    _approval_id, sid = suspended(client, app, scene)
    with app.app_context():
        row = db.session.get(Suspension, sid)
        case_id = row.case_id
        task_id = Task.query.filter_by(case_id=case_id, form_key="suspension_end", state="open").one().id
    page = text(client.get(f"/dossiers/{case_id}"))
    assert "PASS IAE suspendu" in page and "SUS-" in page
    page = text(client.get(f"/taches/{task_id}"))
    assert "Premier jour de reprise du travail" in page
    # Completing it from the generic task page runs the same domain checks.
    response = client.post(f"/taches/{task_id}", data={"first_day_back": (TODAY + 40 * DAY).strftime("%d/%m/%Y")})
    assert response.status_code == 422
    assert f"au plus tard le {fr_date(TODAY + 19 * DAY)}, date de fin prévue" in text(response)

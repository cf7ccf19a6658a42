"""The hire's forms through the web (bpmn/hire.bpmn): each refusal is a 422 naming the field and
the limit in French, nothing is written; the support queue lists the PASS to deliver by hand."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Approval, JobSeeker, Task
from app.services.job_seekers import today_paris
from tests.support.hire import declare_hire_in
from tests.web.builders import build_scene, child_case_id, login, open_task_id, send_application, text

TODAY = today_paris()


@pytest.fixture
def scene(app):
    return build_scene(app)


def accepted(app, client, scene, seeker="nadia"):
    case_id = send_application(app, scene, seeker=seeker)
    login(client, scene.email("employer"))
    response = client.post(f"/taches/{open_task_id(app, case_id)}", data={"decision": "accept"})
    assert response.status_code == 302
    return case_id, child_case_id(app, case_id)


def task_with_form(app, case_id, form_key):
    with app.app_context():
        return Task.query.filter_by(case_id=case_id, form_key=form_key, state="open").one().id


def test_the_missing_information_form_names_each_missing_field(app, client, scene):
    case_id, hire_id = accepted(app, client, scene)
    task_id = task_with_form(app, hire_id, "hire_job_seeker")
    page = text(client.get(f"/taches/{task_id}"))
    assert "Compléter les informations du candidat" in page and "Commune de naissance" in page
    response = client.post(f"/taches/{task_id}", data={"postcode": "3500"})
    assert response.status_code == 422 and "Code postal" in text(response)
    response = client.post(f"/taches/{task_id}", data={})
    assert response.status_code == 422
    page = text(response)
    assert 'role="alert"' in page
    assert "Indiquez l&#39;adresse du candidat." in page or "Indiquez l'adresse du candidat." in page
    assert "Indiquez la commune de naissance" in page
    assert "numéro de sécurité sociale" in page
    with app.app_context():
        assert db.session.get(JobSeeker, scene.seekers["nadia"]).address == ""


def test_the_contract_dates_are_refused_in_french(app, client, scene):
    case_id, hire_id = accepted(app, client, scene)
    client.post(f"/taches/{task_with_form(app, hire_id, 'hire_job_seeker')}",
                data={"address": "1 rue Haute", "birth_place": "Rennes", "nir_missing_reason": "not_known",
                      "france_travail_not_registered": "y"})
    task_id = task_with_form(app, hire_id, "hire_contract")
    base = {"hired_job_description": "other", "hired_job": "Maraîchère"}
    late = TODAY + timedelta(days=200)
    response = client.post(f"/taches/{task_id}", data=dict(base, hiring_start_at=late.isoformat()))
    assert response.status_code == 422
    assert "ne peut pas être plus de 6 mois après aujourd" in text(response)
    start = TODAY + timedelta(days=3)
    response = client.post(f"/taches/{task_id}", data=dict(base, hiring_start_at=start.isoformat(),
                                                           hiring_end_at=(start - timedelta(days=1)).isoformat()))
    assert response.status_code == 422
    assert f"antérieure à la date de début ({start:%d/%m/%Y})" in text(response)
    response = client.post(f"/taches/{task_id}", data={"hiring_start_at": start.isoformat(),
                                                       "hired_job_description": "other"})
    assert response.status_code == 422
    with app.app_context():
        assert Approval.query.count() == 0
        assert Task.query.filter_by(case_id=hire_id, form_key="hire_contract", state="open").count() == 1


def test_start_change_and_cancellation_forms(app, client, scene):
    case_id, hire_id = accepted(app, client, scene)
    declare_hire_in(app, case_id, scene.users["employer"], TODAY + timedelta(days=8),
                    person=dict(address="1 rue Haute", birth_place="Rennes", nir_missing_reason="not_known",
                                france_travail_not_registered=True))
    page = text(client.get(f"/dossiers/{hire_id}"))
    assert "Modifier la date de début" in page and "Annuler l&#39;embauche" in page or "Annuler l'embauche" in page
    change_id = task_with_form(app, hire_id, "hire_start_change")
    too_far = TODAY + timedelta(days=31)
    response = client.post(f"/taches/{change_id}", data={"new_hiring_start_at": too_far.isoformat()})
    assert response.status_code == 422
    assert f"au plus tard le {TODAY + timedelta(days=30):%d/%m/%Y}" in text(response)
    cancel_id = task_with_form(app, hire_id, "hire_cancel")
    response = client.post(f"/taches/{cancel_id}", data={})
    assert response.status_code == 422
    with app.app_context():
        assert Approval.query.one().cancelled_at is None
    response = client.post(f"/taches/{cancel_id}", data={"cancel_confirmed": "y"})
    assert response.status_code == 302
    assert "Embauche annulée" in text(client.get(f"/dossiers/{case_id}"))


def test_the_support_queue_lists_the_pass_to_deliver_by_hand(app, client, scene):
    case_id, hire_id = accepted(app, client, scene)
    declare_hire_in(app, case_id, scene.users["employer"], TODAY + timedelta(days=8),
                    person=dict(address="1 rue Haute", birth_place="Rennes", nir_missing_reason="no_nir"))
    task_id = task_with_form(app, hire_id, "pass_manual_delivery")
    support = app.test_client()
    login(support, scene.email("support"))
    page = text(support.get("/support/files"))
    assert "PASS IAE à délivrer manuellement" in page and f"/taches/{task_id}" in page
    response = support.post(f"/taches/{task_id}", data={"pass_decision": "refuse"})
    assert response.status_code == 422
    assert "Motif du refus" in text(response)
    response = support.post(f"/taches/{task_id}", data={"pass_decision": "deliver"})
    assert response.status_code == 302
    with app.app_context():
        assert Approval.query.one().origin == "manual"
    assert "Aucun PASS IAE à délivrer." in text(support.get("/support/files"))

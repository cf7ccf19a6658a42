"""Prolonging a PASS IAE through the pages (app/web/prolongations.py): the declaration in one or
two steps, the French messages of its refusals, the prescribers' list, the decision on the task
page, and who may see what (403, 404)."""
import io
import re
from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user

from app.extensions import db
from app.models import Approval, Document, JobSeeker, Organisation, ProlongationRequest, Task, User
from app.services import approvals, job_seekers
from tests.web.builders import build_scene, login, logout, text


@pytest.fixture
def scene(app):
    return build_scene(app)


@pytest.fixture
def pass_id(app, scene):
    """Nadia's PASS, hired by Les Jardins (ACI), ending in 30 days."""
    with app.app_context():
        today = job_seekers.today_paris()
        end = today + timedelta(days=30)
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), end - timedelta(days=729))
        approvals.attach_hire(approval, db.session.get(Organisation, scene.orgs["jardins"]), None,
                              end - timedelta(days=729))
        # The form checks addresses like a real one (a .test domain is refused).
        db.session.get(User, scene.users["prescriber"]).email = PRESCRIBER_EMAIL
        db.session.commit()
        return approval.id


PRESCRIBER_EMAIL = "paula.rescrit@francetravail.fr"


def pass_row(app, approval_id):
    with app.app_context():
        approval = db.session.get(Approval, approval_id)
        db.session.expunge(approval)
        return approval


def version_of(response):
    return re.search(r'name="lock_version" value="(\d+)"', text(response)).group(1)


def fr(day):
    return day.strftime("%d/%m/%Y")


def pdf(name="bilan.pdf"):
    return io.BytesIO(b"%PDF-1.4\n" + b"0" * 500), name


def test_the_page_lists_the_reasons_with_their_last_day_and_who_decides(client, scene, pass_id, app):
    login(client, scene.email("colleague"))
    response = client.get(f"/pass/{pass_id}/prolonger")
    page = text(response)
    assert response.status_code == 200
    end = pass_row(app, pass_id).end_on
    assert "Prolonger le PASS IAE n° 99999 00 00001" in page and "Nadia HADDAD" in page
    assert f"La prolongation commence le {fr(end + timedelta(days=1))}" in page
    assert f"le {fr(end + timedelta(days=365))}" in page  # COMPLETE_TRAINING, RQTH...
    assert "Difficultés particulièrement importantes" in page  # an ACI may use it
    assert "Un prescripteur habilité" in page and "Vous, aussitôt" in page


def test_strangers_are_refused_and_unknown_passes_are_not_found(client, scene, pass_id):
    assert client.get(f"/pass/{pass_id}/prolonger").status_code == 302  # sign in first
    login(client, scene.email("other_employer"))
    response = client.get(f"/pass/{pass_id}/prolonger")
    assert response.status_code == 403 and "Seuls les membres d'une SIAE qui a embauché" in text(response)
    assert client.post(f"/pass/{pass_id}/prolonger", data={"reason": "COMPLETE_TRAINING"}).status_code == 403
    logout(client)
    login(client, PRESCRIBER_EMAIL)
    assert client.get(f"/pass/{pass_id}/prolonger").status_code == 403
    assert client.get("/pass/999999/prolonger").status_code == 404
    assert client.get(f"/pass/{2**40}/prolonger").status_code == 404


def test_a_direct_prolongation_too_long_is_refused_in_french_then_recorded(client, scene, pass_id, app):
    login(client, scene.email("colleague"))
    version = version_of(client.get(f"/pass/{pass_id}/prolonger"))
    end = pass_row(app, pass_id).end_on
    response = client.post(f"/pass/{pass_id}/prolonger", data={
        "reason": "COMPLETE_TRAINING", "end_on": (end + timedelta(days=400)).isoformat(), "lock_version": version})
    page = text(response)
    assert response.status_code == 422 and 'role="alert"' in page
    assert (f"Une prolongation pour le motif « Fin d'une formation » dure au plus 365 jours : date de fin au plus "
            f"tard le {fr(end + timedelta(days=365))}.") in page
    assert pass_row(app, pass_id).end_on == end

    response = client.post(f"/pass/{pass_id}/prolonger", data={"end_on": "31/02/2026", "lock_version": version})
    assert response.status_code == 422 and "Motif de la prolongation" in text(response)

    response = client.post(f"/pass/{pass_id}/prolonger", data={
        "reason": "COMPLETE_TRAINING", "end_on": (end + timedelta(days=90)).isoformat(), "lock_version": version})
    assert response.status_code == 302
    assert pass_row(app, pass_id).end_on == end + timedelta(days=90)


def test_a_page_shown_before_a_change_of_the_pass_is_refused_with_409(client, scene, pass_id, app):
    login(client, scene.email("colleague"))
    version = version_of(client.get(f"/pass/{pass_id}/prolonger"))
    end = pass_row(app, pass_id).end_on
    with app.app_context():  # a colleague prolongs it meanwhile
        approval = db.session.get(Approval, pass_id)
        approval.base_end_on = approval.end_on = end + timedelta(days=5)
        db.session.commit()
    response = client.post(f"/pass/{pass_id}/prolonger", data={
        "reason": "COMPLETE_TRAINING", "end_on": (end + timedelta(days=90)).isoformat(), "lock_version": version})
    assert response.status_code == 409 and approvals.PASS_CHANGED in text(response)
    assert pass_row(app, pass_id).end_on == end + timedelta(days=5)


def _request(client, app, pass_id, version, email=PRESCRIBER_EMAIL):
    end = pass_row(app, pass_id).end_on
    return client.post(f"/pass/{pass_id}/prolonger", data={
        "reason": "RQTH", "end_on": (end + timedelta(days=180)).isoformat(), "lock_version": version,
        "explanation": "Aménagement du poste en cours.", "prescriber_email": email})


def test_a_request_goes_to_the_prescriber_in_two_steps_without_javascript(client, scene, pass_id, app):
    login(client, scene.email("colleague"))
    version = version_of(client.get(f"/pass/{pass_id}/prolonger"))
    response = _request(client, app, pass_id, version, email="personne@nulle-part.fr")
    assert response.status_code == 422 and "Aucun compte actif n'a cette adresse e-mail" in text(response)
    response = client.post(f"/pass/{pass_id}/prolonger", data={
        "reason": "RQTH", "end_on": (pass_row(app, pass_id).end_on + timedelta(days=10)).isoformat(),
        "lock_version": version})
    assert response.status_code == 422 and "Adresse e-mail du prescripteur habilité" in text(response)

    # Step 2: the organisations of that person, the first step's answers carried along.
    response = _request(client, app, pass_id, version)
    page = text(response)
    assert response.status_code == 200
    assert "Organisation du prescripteur habilité" in page and "France Travail Rennes" in page
    assert 'name="step" value="2"' in page and 'name="explanation" value="Aménagement du poste en cours."' in page
    form = {"step": "2", "reason": "RQTH", "lock_version": version, "explanation": "Aménagement du poste en cours.",
            "prescriber_email": PRESCRIBER_EMAIL,
            "end_on": (pass_row(app, pass_id).end_on + timedelta(days=180)).isoformat()}
    response = client.post(f"/pass/{pass_id}/prolonger", data=dict(form, contact_phone="12"))
    assert response.status_code == 422 and "Organisation du prescripteur habilité" in text(response)
    response = client.post(f"/pass/{pass_id}/prolonger", data=dict(
        form, prescriber_organisation_id=str(scene.orgs["ft"]), contact_phone="06 11 22 33 44", report=pdf()),
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        row = ProlongationRequest.query.one()
        assert (row.status, row.prescriber_organisation_id, row.reason) == ("pending", scene.orgs["ft"], "RQTH")
        document = db.session.get(Document, row.report_document_id)
        assert document.case_id == row.case_id and document.kind == "prolongation_report"
        report_id, case_id = document.id, row.case_id
    # A second request while this one waits: refused, with the reason.
    response = client.post(f"/pass/{pass_id}/prolonger", data={
        "reason": "COMPLETE_TRAINING", "end_on": (pass_row(app, pass_id).end_on + timedelta(days=9)).isoformat(),
        "lock_version": version})
    assert response.status_code == 409 and "Une demande de prolongation est déjà en attente" in text(response)
    # The report is for the case's parties: the employer and the prescriber organisation.
    assert client.get(f"/prolongations/bilan/{report_id}").status_code == 200
    logout(client)
    login(client, scene.email("other_prescriber"))
    assert client.get(f"/prolongations/bilan/{report_id}").status_code == 403
    assert client.get("/prolongations/bilan/999999").status_code == 404
    assert case_id


def test_the_prescriber_lists_filters_and_decides_on_the_task_page(client, scene, pass_id, app):
    login(client, scene.email("colleague"))
    version = version_of(client.get(f"/pass/{pass_id}/prolonger"))
    _request(client, app, pass_id, version)
    response = client.post(f"/pass/{pass_id}/prolonger", data={
        "step": "2", "reason": "RQTH", "lock_version": version, "explanation": "Aménagement du poste en cours.",
        "prescriber_email": PRESCRIBER_EMAIL, "prescriber_organisation_id": str(scene.orgs["ft"]),
        "end_on": (pass_row(app, pass_id).end_on + timedelta(days=180)).isoformat()})
    assert response.status_code == 302
    assert client.get("/prolongations/demandes").status_code == 403  # an employer has no such list

    logout(client)
    login(client, PRESCRIBER_EMAIL)
    page = text(client.get("/prolongations/demandes"))
    assert "Demandes de prolongation" in page and "Nadia HADDAD" in page and "À traiter" in page
    assert "Reconnaissance de la qualité de travailleur handicapé" in page
    assert "Aucune demande de prolongation dans cet état" in text(client.get("/prolongations/demandes?status=granted"))
    assert client.get("/prolongations/demandes?status=perdu").status_code == 422
    with app.app_context():
        task_id = Task.query.filter_by(state="open", form_key="prolongation_decision").one().id
    assert f"/taches/{task_id}" in page

    page = text(client.get(f"/taches/{task_id}"))
    assert "Décider de la demande de prolongation" in page and "Aménagement du poste en cours." in page
    assert "PASS IAE" in page and "99999 00 00001" in page
    response = client.post(f"/taches/{task_id}", data={
        "decision": "deny", "deny_reason": "IAE", "deny_explanation": "Un emploi classique conviendrait."})
    assert response.status_code == 422
    assert "Pour le motif « L'IAE ne correspond plus aux besoins / à la situation de la personne », indiquez au " \
           "moins une action envisagée pour la personne." in text(response)
    end = pass_row(app, pass_id).end_on
    assert client.post(f"/taches/{task_id}", data={"decision": "grant"}).status_code == 302
    assert pass_row(app, pass_id).end_on == end + timedelta(days=180)
    assert "Acceptée" in text(client.get("/prolongations/demandes?status=granted"))

    logout(client)
    login(client, scene.email("other_prescriber"))
    assert "Nadia" not in text(client.get("/prolongations/demandes"))


def test_the_pass_page_partial_offers_the_button_or_says_why_not(app, scene, pass_id):
    with app.test_request_context("/"):
        approval = db.session.get(Approval, pass_id)
        colleague = db.session.get(User, scene.users["colleague"])
        jardins = db.session.get(Organisation, scene.orgs["jardins"])
        login_user(colleague)
        html = render_template("approvals/_prolongation_actions.html", approval=approval, organisation=jardins,
                               pass_view=approvals.view(approval, job_seekers.today_paris()))
        assert f"/pass/{pass_id}/prolonger" in html and "Prolonger le PASS IAE" in html
        approval.base_end_on = approval.end_on = job_seekers.today_paris() + timedelta(days=500)
        db.session.flush()
        html = render_template("approvals/_prolongation_actions.html", approval=approval, organisation=jardins,
                               pass_view=approvals.view(approval, job_seekers.today_paris()))
        assert "/prolonger" not in html and "il est trop tôt pour le prolonger" in html.replace("&#39;", "'")
        login_user(db.session.get(User, scene.users["other_employer"]))
        geiq = db.session.get(Organisation, scene.orgs["geiq"])
        html = render_template("approvals/_prolongation_actions.html", approval=approval, organisation=geiq,
                               pass_view=approvals.view(approval, job_seekers.today_paris()))
        assert "/prolonger" not in html and "Seule une SIAE qui a embauché" in html.replace("&#39;", "'")
        db.session.rollback()

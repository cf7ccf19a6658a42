"""The task page: an employer processes an application through every transition with forms."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.web.builders import (
    build_scene,
    case_state,
    child_case_id,
    claim_as,
    login,
    notifications_of,
    open_task_id,
    send_application,
    text,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def scene(app):
    return build_scene(app)


@pytest.fixture
def case_id(app, scene):
    return send_application(app, scene)


def post(client, task_id, **data):
    return client.post(f"/taches/{task_id}", data=data)


def task_id_in(location):
    match = re.search(r"/taches/(\d+)$", location)
    assert match, f"not a task page: {location}"
    return int(match.group(1))


def test_the_task_page_explains_the_case_and_why_the_task_is_proposed(app, client, scene, case_id):
    task_id = open_task_id(app, case_id)
    login(client, scene.email("colleague"))
    response = client.get(f"/taches/{task_id}")
    assert response.status_code == 200
    page = text(response)
    assert "<title>Traiter la nouvelle candidature — CAND-" in page
    assert "Traitement d'une candidature" in page
    assert "Nouvelle candidature" in page  # stage
    assert "Nadia HADDAD" in page
    assert "Les Jardins de la Vilaine (ACI)" in page
    assert "Paula Rescrit, France Travail Rennes" in page
    assert "Bonjour, je vous recommande Nadia : motivée, disponible dès lundi." in page
    assert "Pourquoi cette tâche vous est proposée" in page
    assert "revient au rôle <strong>« Employeur »</strong>, tenu par <strong>Les Jardins de la Vilaine (ACI)</strong>" in page
    assert "Vous en êtes membre." in page
    assert "Personne ne l'a encore prise en charge." in page
    # The form of the task's spec, limited to the choices the diagram allows at this stage.
    assert "Que souhaitez-vous faire ?" in page
    assert "Mettre à l'étude" in page
    assert "Décliner la candidature" in page
    assert 'name="refusal_reason"' in page


def test_an_employer_processes_an_application_through_every_transition(app, client, scene, case_id):
    login(client, scene.email("employer"))
    task_id = open_task_id(app, case_id)

    # New → À l'étude: the actor keeps the file and lands on the next task.
    response = post(client, task_id, decision="study")
    assert response.status_code == 302
    task_id = task_id_in(response.headers["Location"])
    page = text(client.get(f"/taches/{task_id}"))
    assert "C'est enregistré." in page
    assert "Statuer sur la candidature à l'étude" in page
    assert "À l'étude" in page
    assert "Prise en charge par <strong>vous</strong>" in page
    assert 'name="decision" value="study"' not in page  # not offered any more at this stage
    assert case_state(app, case_id)[:2] == ("processing", "À l'étude")
    assert ("Candidature à l'étude", "Les Jardins de la Vilaine (ACI) étudie la candidature de Nadia HADDAD.") \
        in notifications_of(app, scene, "prescriber")

    # Postpone: the message to the job seeker is mandatory.
    response = post(client, task_id, decision="postpone")
    assert response.status_code == 422
    page = text(response)
    assert "Ce champ est obligatoire." in page
    assert 'role="alert"' in page
    assert re.search(r'answer_to_job_seeker-error">Ce champ est obligatoire\.', page)
    assert case_state(app, case_id)[0] == "processing"  # nothing saved
    response = post(client, task_id, decision="postpone",
                    answer_to_job_seeker="Nous vous recontactons dès qu'un poste se libère.")
    assert response.status_code == 302
    task_id = task_id_in(response.headers["Location"])
    assert case_state(app, case_id)[:2] == ("postponed", "En attente")
    subjects = [subject for subject, _body in notifications_of(app, scene, "seeker")]
    assert "Candidature en attente" in subjects
    assert any("Nous vous recontactons dès qu'un poste se libère." in body
               for _subject, body in notifications_of(app, scene, "seeker"))

    # Pool.
    response = post(client, task_id, decision="pool")
    task_id = task_id_in(response.headers["Location"])
    assert case_state(app, case_id)[:2] == ("pool", "Vivier")
    assert "Candidature au vivier" in text(client.get(f"/taches/{task_id}"))

    # Refuse with a reason, a message and a private comment: back to the case page.
    response = post(client, task_id, decision="refuse", refusal_reason="did_not_come",
                    answer_to_job_seeker="Nous n'avons pas réussi à vous joindre.",
                    private_comment="Trois appels sans réponse.", share_reason_with_job_seeker="y")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dossiers/{case_id}")
    assert case_state(app, case_id)[:2] == ("refused", "Déclinée")
    page = text(client.get(response.headers["Location"]))
    assert "C'est enregistré." in page
    assert "Déclinée" in page
    assert "Revenir sur le refus" in page  # the optional action, on the case page only
    refused = [body for subject, body in notifications_of(app, scene, "seeker") if subject == "Candidature déclinée"]
    assert refused and "Motif : Candidat non joignable" in refused[0]
    assert "Trois appels sans réponse." not in refused[0]

    # The refusal is not in anybody's inbox, yet the employer may reconsider and accept.
    assert "Revenir sur le refus" not in text(client.get("/taches?vue=organisation"))
    reconsider_id = open_task_id(app, case_id, listed=False)
    page = text(client.get(f"/taches/{reconsider_id}"))
    assert 'name="decision" value="accept"' in page
    assert 'name="decision" value="refuse"' not in page
    response = post(client, reconsider_id, decision="accept")
    assert response.status_code == 302
    hire_task_id = task_id_in(response.headers["Location"])
    hire_case_id = child_case_id(app, case_id)
    assert hire_case_id is not None

    # The hire first asks for what the person's record lacks; only that is required.
    page = text(client.get(f"/taches/{hire_task_id}"))
    assert "Compléter les informations du candidat" in page
    response = post(client, hire_task_id, address="3 rue des Lilas")
    assert response.status_code == 422
    assert "Indiquez la commune de naissance" in text(response)
    response = post(client, hire_task_id, address="3 rue des Lilas", birth_place="Rennes",
                    nir_missing_reason="not_known", france_travail_not_registered="y")
    assert response.status_code == 302
    hire_task_id = task_id_in(response.headers["Location"])
    page = text(client.get(f"/taches/{hire_task_id}"))
    assert "Déclarer l'embauche" in page
    assert "Date de début du contrat" in page

    # The hire form: its date rules speak French.
    past = (datetime.now(PARIS).date() - timedelta(days=3)).isoformat()
    response = post(client, hire_task_id, hiring_start_at=past, hired_job_description="other",
                    hired_job="Maraîchère")
    assert response.status_code == 422
    assert "ne peut pas être dans le passé" in text(response)
    start = datetime.now(PARIS).date() + timedelta(days=7)
    response = post(client, hire_task_id, hiring_start_at=start.isoformat(), hired_job_description="other",
                    hired_job="Maraîchère", answer_to_job_seeker="Bienvenue dans l'équipe !")
    assert response.status_code == 302
    # An ACI hiring someone without PASS nor diagnosis validates eligibility itself.
    eligibility_task_id = task_id_in(response.headers["Location"])
    response = post(client, eligibility_task_id, criteria_level_1="RSA", proofs_kept="y")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dossiers/{hire_case_id}")
    assert case_state(app, case_id) == ("accepted", "Acceptée", "running")
    page = text(client.get(f"/dossiers/{case_id}"))
    assert "Acceptée" in page
    subjects = [subject for subject, _body in notifications_of(app, scene, "seeker")]
    assert "Candidature acceptée" in subjects
    assert "Embauche confirmée" in subjects
    assert "PASS IAE accepté" in subjects
    assert any(f"début du contrat le {start:%d/%m/%Y}" in body
               for subject, body in notifications_of(app, scene, "prescriber") if subject == "Embauche confirmée")


def test_refusing_without_reason_nor_message_names_each_missing_field(app, client, scene, case_id):
    login(client, scene.email("employer"))
    task_id = open_task_id(app, case_id)
    response = post(client, task_id, decision="refuse")
    assert response.status_code == 422
    page = text(response)
    assert "<title>Erreur : " in page
    assert re.search(r'refusal_reason-error">Ce champ est obligatoire\.', page)
    assert re.search(r'answer_to_job_seeker-error">Ce champ est obligatoire\.', page)
    assert 'aria-invalid="true"' in page
    # What was typed is kept.
    assert 'value="refuse" checked' in page


def test_an_empty_form_is_refused_with_a_french_message(app, client, scene, case_id):
    login(client, scene.email("employer"))
    response = post(client, open_task_id(app, case_id))
    assert response.status_code == 422
    page = text(response)
    assert "Le formulaire contient une erreur" in page
    assert "Que souhaitez-vous faire ? : Ce champ est obligatoire." in page


def test_a_choice_the_diagram_does_not_offer_at_this_stage_is_refused(app, client, scene, case_id):
    login(client, scene.email("employer"))
    task_id = open_task_id(app, case_id)
    response = post(client, task_id, decision="study")
    task_id = task_id_in(response.headers["Location"])
    response = post(client, task_id, decision="study")  # already under study
    assert response.status_code == 422
    assert case_state(app, case_id)[0] == "processing"


def test_a_task_already_completed_by_a_colleague(app, client, scene, case_id):
    task_id = open_task_id(app, case_id)
    colleague = app.test_client()
    login(colleague, scene.email("colleague"))
    assert post(colleague, task_id, decision="study").status_code == 302

    login(client, scene.email("employer"))
    response = post(client, task_id, decision="pool")
    assert response.status_code == 409
    page = text(response)
    assert "Cette tâche a déjà été traitée par Karim Collègue." in page
    assert f'href="/dossiers/{case_id}"' in page
    assert case_state(app, case_id)[0] == "processing"  # the colleague's decision stands
    # Opening it again says the same, without a form.
    page = text(client.get(f"/taches/{task_id}"))
    assert "Cette tâche a déjà été traitée par Karim Collègue." in page
    assert 'name="decision"' not in page


def test_a_task_claimed_by_a_colleague_cannot_be_completed(app, client, scene, case_id):
    task_id = open_task_id(app, case_id)
    claim_as(app, scene, task_id, "colleague")
    login(client, scene.email("employer"))
    page = text(client.get(f"/taches/{task_id}"))
    assert "Prise en charge par <strong>Karim Collègue</strong>" in page
    assert "Karim Collègue a pris cette tâche en charge" in page
    assert 'name="decision"' not in page
    response = post(client, task_id, decision="study")
    assert response.status_code == 409
    assert "Cette tâche est prise en charge par Karim Collègue." in text(response)
    # Nor claimed over them.
    response = client.post(f"/taches/{task_id}/prendre")
    assert response.status_code == 409
    assert "déjà prise en charge par Karim Collègue" in text(response)
    # Nor released by someone else.
    response = client.post(f"/taches/{task_id}/liberer")
    assert response.status_code == 403
    assert "Seule la personne qui a pris la tâche peut la libérer." in text(response)
    assert case_state(app, case_id)[0] == "new"


def test_claim_and_release(app, client, scene, case_id):
    task_id = open_task_id(app, case_id)
    login(client, scene.email("colleague"))
    response = client.post(f"/taches/{task_id}/prendre", follow_redirects=True)
    page = text(response)
    assert "Vous avez pris en charge cette tâche" in page
    assert "Prise en charge par <strong>vous</strong>" in page
    assert "Libérer la tâche" in page
    response = client.post(f"/taches/{task_id}/liberer", follow_redirects=True)
    page = text(response)
    assert "Vous avez libéré cette tâche" in page
    assert "Personne ne l'a encore prise en charge." in page


def test_claim_from_the_inbox_goes_back_to_the_inbox(app, client, scene, case_id):
    task_id = open_task_id(app, case_id)
    login(client, scene.email("colleague"))
    response = client.post(f"/taches/{task_id}/prendre", data={"next": "/taches?vue=unassigned"})
    assert response.headers["Location"].endswith("/taches?vue=unassigned")


def test_transfer_to_another_company_of_the_same_user(app, client, scene, case_id):
    login(client, scene.email("employer"))
    task_id = open_task_id(app, case_id)
    page = text(client.get(f"/taches/{task_id}"))
    # Only Emma's other company is offered.
    assert "La Recyclerie Rennaise (EI)" in page
    assert "GEIQ Bâtiment Bretagne" not in page
    response = post(client, task_id, decision="transfer", transfer_to=str(scene.orgs["recyclerie"]))
    assert response.status_code == 302
    assert case_state(app, case_id)[:2] == ("new", "Nouvelle candidature")
    new_task_id = open_task_id(app, case_id)
    assert new_task_id != task_id
    page = text(client.get(f"/dossiers/{case_id}"))
    assert "La Recyclerie Rennaise (EI)" in page
    assert "Candidature transférée de Les Jardins de la Vilaine (ACI) à La Recyclerie Rennaise (EI)" in page
    # Colleagues of the origin, the job seeker and the sender are told.
    for who in ("colleague", "seeker", "prescriber"):
        assert "Candidature transférée" in [s for s, _b in notifications_of(app, scene, who)], who
    # The origin's colleague no longer has the task.
    other = app.test_client()
    login(other, scene.email("colleague"))
    assert other.get(f"/taches/{new_task_id}").status_code == 403
    assert "Nadia HADDAD" not in text(other.get("/taches?vue=organisation"))


def test_an_unknown_task_is_a_french_404(client, scene):
    login(client, scene.email("employer"))
    response = client.get("/taches/999999")
    assert response.status_code == 404
    assert "Cette tâche n'existe pas." in text(response)
    assert client.post("/taches/999999", data={"decision": "study"}).status_code == 404
    assert client.post("/taches/999999/prendre").status_code == 404

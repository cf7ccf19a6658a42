"""The inbox: tabs with counts, filters, due dates, claiming, pagination, empty states."""
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Case, Task
from app.models.base import utcnow
from tests.web.builders import build_scene, claim_as, login, open_task_id, send_application, text


@pytest.fixture
def scene(app):
    return build_scene(app)


def act_for(client, scene, org_key):
    client.post("/organisation", data={"organisation_id": scene.orgs[org_key]})


def set_due(app, task_id, delta):
    with app.app_context():
        db.session.get(Task, task_id).due_at = utcnow() + delta
        db.session.commit()


def rows(page):
    """The table rows of the inbox (one per task)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr.*?</tr>", body, flags=re.S)


def test_the_inbox_lists_tasks_with_their_case_seeker_stage_due_date_and_assignee(app, client, scene):
    case_id = send_application(app, scene)
    login(client, scene.email("colleague"))
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert "<title>Mon organisation — Parcours</title>" in page  # nothing of mine yet: the organisation's list
    for header in ("Dossier", "Candidat", "Tâche", "Étape", "Échéance", "Prise en charge par"):
        assert f'<th scope="col">{header}</th>' in page
    [row] = rows(page)
    with app.app_context():
        reference = db.session.get(Case, case_id).reference
    assert f'href="/dossiers/{case_id}">{reference}</a>' in row
    assert "Nadia HADDAD" in row
    assert f'href="/taches/{open_task_id(app, case_id)}">Traiter la nouvelle candidature</a>' in row
    assert "Nouvelle candidature" in row
    assert "dans 30 jours" in row
    assert "Personne" in row
    assert "Prendre en charge" in row


def test_tabs_count_mine_my_organisations_and_unassigned_tasks(app, client, scene):
    first = send_application(app, scene)
    send_application(app, scene, seeker="leo")
    claim_as(app, scene, open_task_id(app, first), "colleague")
    login(client, scene.email("colleague"))
    page = text(client.get("/taches"))
    assert re.search(r'Mes tâches <span class="parcours-tabs__count">1</span>', page)
    assert re.search(r'Mon organisation <span class="parcours-tabs__count">2</span>', page)
    assert re.search(r'À prendre <span class="parcours-tabs__count">1</span>', page)
    # With a task of one's own, "Mes tâches" opens first.
    assert 'aria-current="page">\n        Mes tâches' in page
    [mine] = rows(page)
    assert "Nadia HADDAD" in mine and "Vous" in mine
    [unassigned] = rows(text(client.get("/taches?vue=unassigned")))
    assert "Léo MARTIN" in unassigned
    assert len(rows(text(client.get("/taches?vue=organisation")))) == 2
    # A colleague sees who handles it.
    other = app.test_client()
    login(other, scene.email("employer"))
    act_for(other, scene, "jardins")
    page = text(other.get("/taches?vue=organisation"))
    assert "Karim Collègue" in page


def test_claiming_from_the_inbox_moves_the_task_to_mine(app, client, scene):
    case_id = send_application(app, scene)
    task_id = open_task_id(app, case_id)
    login(client, scene.email("colleague"))
    response = client.post(f"/taches/{task_id}/prendre", data={"next": "/taches?vue=unassigned"},
                           follow_redirects=True)
    page = text(response)
    assert "Vous avez pris en charge cette tâche" in page
    assert "Toutes les tâches ont été prises en charge : il n'y a rien à prendre." in page
    [row] = rows(text(client.get("/taches?vue=mine")))
    assert "Vous" in row


def test_overdue_and_soon_due_tasks_are_flagged_and_filtered(app, client, scene):
    late = open_task_id(app, send_application(app, scene))
    soon = open_task_id(app, send_application(app, scene, seeker="leo"))
    set_due(app, late, -timedelta(days=2, hours=1))
    set_due(app, soon, timedelta(days=2))
    login(client, scene.email("colleague"))
    page = text(client.get("/taches?vue=organisation"))
    assert "1 tâche en retard, 1 tâche à traiter dans les 3 jours." in page
    late_row, soon_row = rows(page)  # overdue first
    assert "Nadia HADDAD" in late_row and "En retard" in late_row and "en retard de 2 jours" in late_row
    assert "Léo MARTIN" in soon_row and "Bientôt" in soon_row and "dans 2 jours" in soon_row
    page = text(client.get("/taches?vue=organisation&retard=1"))
    [row] = rows(page)
    assert "Nadia HADDAD" in row
    assert "Effacer les filtres" in page


def test_filters_by_process_and_stage(app, client, scene):
    studied = send_application(app, scene)
    send_application(app, scene, seeker="leo")
    login(client, scene.email("colleague"))
    client.post(f"/taches/{open_task_id(app, studied)}", data={"decision": "study"})
    page = text(client.get("/taches?vue=organisation"))
    assert '<option value="application">Traitement d\'une candidature</option>' in page
    assert '<option value="processing">À l\'étude</option>' in page
    assert '<option value="new">Nouvelle candidature</option>' in page
    [row] = rows(text(client.get("/taches?vue=organisation&etape=processing")))
    assert "Nadia HADDAD" in row and "Statuer sur la candidature à l'étude" in row
    [row] = rows(text(client.get("/taches?vue=organisation&etape=new")))
    assert "Léo MARTIN" in row
    assert len(rows(text(client.get("/taches?vue=organisation&processus=application")))) == 2
    # An unknown filter value is ignored rather than hiding everything.
    assert len(rows(text(client.get("/taches?vue=organisation&etape=nimporte")))) == 2
    page = text(client.get("/taches?vue=organisation&etape=processing&retard=1"))
    assert "Aucune tâche ne correspond à ces filtres." in page


def test_pagination(app, client, scene, monkeypatch):
    from app.services import inbox
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for _ in range(3):
        send_application(app, scene)
    login(client, scene.email("colleague"))
    page = text(client.get("/taches?vue=organisation"))
    assert len(rows(page)) == 2
    assert 'aria-label="Pages de la liste des tâches"' in page
    assert 'href="/taches?vue=organisation&page=2"' in page or 'href="/taches?vue=organisation&amp;page=2"' in page
    page2 = text(client.get("/taches?vue=organisation&page=2"))
    assert len(rows(page2)) == 1
    assert "(page 2)" in page2
    assert client.get("/taches?vue=organisation&page=9").status_code == 404


def test_empty_states(app, client, scene):
    send_application(app, scene)
    login(client, scene.email("other_employer"))
    page = text(client.get("/taches"))
    assert "Votre organisation n'a aucune tâche en cours." in page
    assert "<table" not in page
    page = text(client.get("/taches?vue=mine"))
    assert "Aucune tâche ne vous est attribuée pour le moment." in page


def test_a_job_seeker_sees_the_tasks_named_for_them_without_tabs(app, client, scene):
    case_id = send_application(app, scene)
    login(client, scene.email("seeker"))
    page = text(client.get("/taches"))
    assert "Vous n'avez aucune tâche à faire pour le moment." in page
    assert "parcours-tabs" not in page
    assert "Vous agissez pour" not in page
    # A task whose lane is bound to the person (no organisation) is theirs.
    with app.app_context():
        employer_task = db.session.get(Task, open_task_id(app, case_id))
        db.session.add(Task(case_id=case_id, spiff_task_id="test-seeker-task", spec_name="ut_seeker",
                            title="Confirmer votre disponibilité", form_key="application_review",
                            role="job_seeker", candidate_user_id=scene.users["seeker"], state="open",
                            due_at=employer_task.due_at))
        db.session.commit()
    [row] = rows(text(client.get("/taches")))
    assert "Confirmer votre disponibilité" in row
    assert "Personne" in row

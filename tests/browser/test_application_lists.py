"""The three application lists in a real browser: a prescriber filters and downloads what their
organisation sent, an employer reads what its company received, a job seeker follows their own.
Every page visited goes through axe (WCAG 2 A/AA).
"""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.engine import runtime
from app.extensions import db
from app.models import Task, User
from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene, send_application

REFUSAL = {"decision": "refuse", "refusal_reason": "no_position", "share_reason_with_job_seeker": True,
           "answer_to_job_seeker": "Nous n'avons plus de poste ouvert.",
           "private_comment": "Profil intéressant pour la saison prochaine."}


def act(app, case_id, user_id, data):
    with app.app_context():
        task = Task.query.filter_by(case_id=case_id, state="open").order_by(Task.id.desc()).first()
        runtime.complete_task(task, data, db.session.get(User, user_id))
        db.session.commit()


@pytest.fixture
def scene(live_server):
    app = live_server.app
    scene = build_scene(app)
    refused = send_application(app, scene)
    act(app, refused, scene.users["colleague"], REFUSAL)
    send_application(app, scene, seeker="leo", company="jardins")
    send_application(app, scene, company="recyclerie")
    return scene


def sign_in(page, live_server, scene, user):
    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(scene.email(user))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches"))


def sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/login$"))


def test_the_three_application_lists(browser_page, live_server, scene):
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The 422 answer to the wrong dates is expected; any other console error is a bug.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)

    # The prescriber's list, from the menu.
    sign_in(page, live_server, scene, "prescriber")
    page.get_by_role("link", name="Candidatures envoyées").click()
    page.wait_for_url(re.compile(r"/candidatures/envoyees$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Candidatures envoyées"
    table = page.get_by_role("table", name=re.compile("Candidatures envoyées : 3 candidatures"))
    row = table.get_by_role("row").filter(has_text="Les Jardins de la Vilaine").filter(has_text="Déclinée")
    assert row.get_by_text("Commentaire privé : Profil intéressant pour la saison prochaine.").is_visible()
    assert row.get_by_text("Motif : Pas de recrutement en cours").is_visible()
    assert_accessible(page)

    # Filter on the state: only the refused one is left.
    page.locator("label.fr-label", has_text=re.compile("^Déclinée$")).click()
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"state=refused"))
    assert page.get_by_role("table", name=re.compile("1 candidature \\(filtrées\\)")).is_visible()
    assert page.get_by_label("Déclinée").is_checked()
    assert_accessible(page)

    # Dates the wrong way round: the error is announced and named, no list.
    page.get_by_label("Envoyée depuis le").fill("2026-11-30")
    page.get_by_label("Envoyée jusqu'au").fill("2026-11-01")
    page.get_by_role("button", name="Filtrer").click()
    alert = page.locator("[role=alert]").filter(has_text="Un filtre est à corriger")
    alert.wait_for()
    assert "La date de fin doit être égale ou postérieure à la date de début." in alert.inner_text()
    assert page.title().startswith("Erreur : ")
    assert page.get_by_role("table").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Effacer les filtres").first.click()
    page.wait_for_url(re.compile(r"/candidatures/envoyees$"))

    # The monthly synthesis downloads as a CSV named after the organisation and the month.
    month = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger la synthèse du mois").click()
    assert download.value.suggested_filename == f"synthese-candidatures-france-travail-rennes-{month}.csv"
    # The case behind a row opens from its reference.
    page.get_by_role("link", name=re.compile("^CAND-.* : dossier de Léo MARTIN$")).click()
    page.wait_for_url(re.compile(r"/dossiers/\d+$"))
    sign_out(page)

    # The employer's received list, beside the inbox.
    sign_in(page, live_server, scene, "colleague")
    page.get_by_role("link", name="Candidatures reçues").click()
    page.wait_for_url(re.compile(r"/candidatures/recues$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Candidatures reçues"
    row = page.get_by_role("row").filter(has_text="Léo MARTIN")
    assert row.get_by_text("France Travail Rennes").is_visible()
    assert row.get_by_role("link", name=re.compile("^Traiter la nouvelle candidature")).is_visible()
    assert page.get_by_role("link", name="Télécharger cette liste").is_visible()
    assert_accessible(page)
    row.get_by_role("link", name=re.compile("^Traiter la nouvelle candidature")).click()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    sign_out(page)

    # The job seeker's own list: the shared reason, never the private comment.
    sign_in(page, live_server, scene, "seeker")
    page.get_by_role("link", name="Mes candidatures").click()
    page.wait_for_url(re.compile(r"/mes-candidatures$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mes candidatures"
    row = page.get_by_role("row").filter(has_text="Les Jardins de la Vilaine")
    assert row.get_by_text("Motif : Pas de recrutement en cours").is_visible()
    assert row.get_by_text("Nous n'avons plus de poste ouvert.").is_visible()
    assert page.get_by_text("Profil intéressant").count() == 0
    assert page.get_by_role("row").filter(has_text="La Recyclerie Rennaise").is_visible()
    assert_accessible(page)

    assert not errors, errors

"""In a real browser: an admin invites a colleague, who creates an account from the emailed link and
lands in the organisation's inbox; then support validates a new prescriber's authorization.

Every page visited goes through axe (WCAG 2 A/AA); the bpmn-js canvas is left out on the case page.
"""
import re

import pytest

from app.extensions import db
from app.models import Membership, Notification, Organisation, User
from app.services.organisations import start_authorization_case
from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene, send_application

INVITED = "lucie.nouvelle@geiq-batiment.fr"
NEW_PASSWORD = "une phrase assez longue"


def click_label(page, text):
    """Tick a DSFR radio or checkbox as a person does: by clicking its label."""
    page.locator("label.fr-label", has_text=re.compile("^" + re.escape(text) + "$")).click()


def sign_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches$"))


def sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/login$"))


@pytest.fixture
def world(live_server):
    app = live_server.app
    scene = build_scene(app)
    # An application waits at the GEIQ: the new colleague will find it in the inbox.
    send_application(app, scene, company="geiq")
    with app.app_context():
        # A CCAS registered by its admin, waiting for support.
        ccas = Organisation(category="prescriber", kind="CCAS", name="CCAS de Quimper", department="29",
                            city="Quimper", authorization_status="not_set")
        admin = User(email="anne.le-goff@ccas-quimper.fr", first_name="Anne", last_name="Le Goff")
        admin.set_password(PASSWORD)
        db.session.add_all([ccas, admin])
        db.session.flush()
        db.session.add(Membership(user_id=admin.id, organisation_id=ccas.id, is_admin=True))
        start_authorization_case(ccas, admin)
        db.session.commit()
        scene.orgs["ccas"] = ccas.id
    return scene


def invitation_path(app):
    with app.app_context():
        body = Notification.query.filter_by(recipient_email=INVITED).one().body
        return re.search(r"(/invitations/[\w-]+)", body).group(1)


def test_an_admin_invites_a_colleague_and_support_validates_an_authorization(browser_page, live_server, world):
    page, url = browser_page, live_server.url
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # 422 answers to the incomplete forms are expected; any other console error is a bug.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)

    # Olivier, admin of the GEIQ, opens his organisation's page.
    sign_in(page, url, world.email("other_employer"))
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon organisation").click()
    page.wait_for_url(re.compile(r"/organisation/membres$"))
    assert page.get_by_role("heading", level=1).inner_text() == "GEIQ Bâtiment Bretagne (GEIQ)"
    assert page.get_by_role("cell", name="Olivier Dehors (vous)").is_visible()
    assert page.get_by_text("Aucune invitation en attente.").is_visible()
    assert_accessible(page)

    # He invites Lucie.
    page.get_by_label("Adresse e-mail professionnelle de votre collègue (obligatoire)").fill(INVITED)
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.wait_for_url(re.compile(r"/organisation/membres$"))
    assert page.get_by_text(f"Invitation envoyée à {INVITED}").is_visible()
    assert page.get_by_role("cell", name=INVITED, exact=True).is_visible()
    assert_accessible(page)
    sign_out(page)

    # Lucie opens the link of the email and creates her account.
    page.goto(url + invitation_path(live_server.app))
    assert page.get_by_role("heading", level=1).inner_text() == "Rejoindre GEIQ Bâtiment Bretagne"
    assert page.get_by_text("Olivier Dehors vous invite").is_visible()
    assert_accessible(page)
    page.get_by_label("Prénom (obligatoire)").fill("Lucie")
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Nouvelle")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill("trop court")
    page.get_by_label("Confirmez le mot de passe (obligatoire)").fill("trop court")
    page.get_by_role("button", name="Créer mon compte et rejoindre GEIQ Bâtiment Bretagne").click()
    alert = page.locator("[role=alert]").filter(has_text="Mot de passe")
    assert "Choisissez un mot de passe d'au moins 12 caractères." in alert.inner_text()
    assert page.title().startswith("Erreur : ")
    assert page.get_by_label("Prénom (obligatoire)").input_value() == "Lucie"  # kept
    assert page.get_by_label("Mot de passe (obligatoire)", exact=True).input_value() == ""  # never sent back
    assert_accessible(page)
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le mot de passe (obligatoire)").fill(NEW_PASSWORD)
    click_label(page, "Je m'engage à utiliser Parcours pour mes missions professionnelles et à protéger les "
                      "données des personnes que j'accompagne. (obligatoire)")
    page.get_by_role("button", name="Créer mon compte et rejoindre GEIQ Bâtiment Bretagne").click()

    # She lands in the GEIQ's inbox, where an application waits.
    page.wait_for_url(re.compile(r"/taches$"))
    assert page.get_by_text("Bienvenue Lucie : votre compte est créé et vous avez rejoint GEIQ Bâtiment "
                            "Bretagne.").is_visible()
    assert page.get_by_text("Vous agissez pour").is_visible()
    assert page.get_by_role("row").filter(has_text="Nadia HADDAD").get_by_role(
        "link", name="Traiter la nouvelle candidature").is_visible()
    assert_accessible(page)
    sign_out(page)

    # Support finds the CCAS's authorization request in the inbox.
    sign_in(page, url, world.email("support"))
    row = page.get_by_role("row").filter(has_text="Vérifier l'habilitation")
    assert row.get_by_role("cell", name="Habilitation à vérifier", exact=True).is_visible()
    assert_accessible(page)
    row.get_by_role("link", name="Vérifier l'habilitation").click()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    facts = page.locator("section", has=page.get_by_role("heading", name="Le dossier"))
    assert facts.get_by_text("CCAS de Quimper").is_visible()
    assert facts.get_by_text("Centre communal ou intercommunal d'action sociale").is_visible()
    assert facts.get_by_text("Anne Le Goff").is_visible()
    assert not page.get_by_label("Motif du refus (obligatoire)").is_visible()
    assert_accessible(page)
    click_label(page, "Valider l'habilitation")
    page.get_by_role("button", name="Valider", exact=True).click()

    page.wait_for_url(re.compile(r"/dossiers/\d+$"))
    assert page.get_by_text("C'est enregistré.").is_visible()
    assert page.locator(".parcours-page-header").get_by_text("Habilitation validée").is_visible()
    page.wait_for_selector("#diagramme[data-bpmn-rendered=done]")
    assert_accessible(page, exclude=["#diagramme"])
    with live_server.app.app_context():
        assert db.session.get(Organisation, world.orgs["ccas"]).authorization_status == "validated"

    assert not errors, errors

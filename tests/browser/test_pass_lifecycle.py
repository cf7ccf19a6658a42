"""A PASS IAE from hire to prolongation, in a real browser, through the pages only (DOMAIN §5, §7-§9).

Karim (Les Jardins de la Vilaine, an ACI) accepts the application France Travail sent for
Nadia, declares the hire (her missing information, the contract, the SIAE's own eligibility
criteria) and lands on the PASS IAE issued; he downloads its PDF certificate, declares a
suspension and asks an authorized prescriber for a prolongation; Paula (France Travail,
authorized) finds the request and grants it; Karim sees the PASS end pushed back.
Every page visited goes through axe (WCAG 2 A/AA).
"""
import re
from datetime import date, timedelta

import pytest

from app.demo import nir_for
from app.domain.approvals import fr_date
from app.extensions import db
from app.models import Approval, User
from app.services.job_seekers import today_paris
from tests.browser.test_pass_pages import pdf_text, pdf_titles
from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene, send_application

NADIA_NIR = nir_for(2, date(1990, 3, 14), "35", 0)
# How long the PASS has been running when Karim declares the suspension (see months_later).
ELAPSED_DAYS = 400
DIAGRAM = "#diagramme"
PRESCRIBER_EMAIL = "paula.rescrit@francetravail.fr"


@pytest.fixture
def scene(live_server):
    """The organisations and people of tests/web/builders.py, and France Travail's application
    for Nadia to Les Jardins (she has no PASS yet, no address, no NIR on file)."""
    app = live_server.app
    scene = build_scene(app)
    with app.app_context():
        # The e-mail field checks addresses as real ones (a .test domain is refused).
        db.session.get(User, scene.users["prescriber"]).email = PRESCRIBER_EMAIL
        db.session.commit()
    scene.application_id = send_application(app, scene)
    return scene


def months_later(app, approval_id, days):
    """Let `days` pass for this PASS: its dates and its hires' move back by as many days.

    The journey happens in one afternoon, but the rules it walks through need time to pass:
    a suspension can start no earlier than the last hire (declared today, since a contract
    cannot start in the past), a suspended PASS cannot be prolonged, and a prolongation may
    be asked only in the 12 months before the PASS ends (a new PASS lasts 24 months). Moving
    the rows back is what the database would hold if the hire had been declared `days` ago;
    the pages then read it as usual.
    """
    with app.app_context():
        approval = db.session.get(Approval, approval_id)
        shift = timedelta(days=days)
        approval.start_on -= shift
        approval.base_end_on -= shift
        approval.end_on -= shift
        for hire in approval.hires:
            hire.hiring_start_on -= shift
            if hire.hiring_end_on is not None:
                hire.hiring_end_on -= shift
        db.session.commit()


def click_label(page, text):
    """Tick a DSFR radio or checkbox as a person does: by clicking its label."""
    page.locator("label.fr-label", has_text=re.compile("^" + re.escape(text))).first.click()


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches$"))
    assert_accessible(page)


def submit(page, button_name):
    """Click a form's button and wait for the page the server answers with (after its redirect)."""
    with page.expect_navigation():
        page.get_by_role("button", name=button_name).click()


def sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.get_by_text("Vous êtes déconnecté(e).").is_visible()
    assert_accessible(page)


def submit_with_keyboard(page, button_name):
    """Reach the submit button with Tab, as a keyboard user does, and press Enter."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement && document.activeElement.innerText")
        if focused and focused.strip() == button_name:
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"the button {button_name!r} is not reachable with Tab")


def fact(page, term):
    """The first line of what the PASS page's "Situation" list says for `term` ("Fin prévue"...)."""
    item = page.locator("dl.parcours-facts > div").filter(has=page.locator("dt", has_text=re.compile(f"^{term}$")))
    return item.locator("dd").inner_text().strip().splitlines()[0].strip()


def test_a_pass_is_issued_suspended_and_prolonged_by_an_authorized_prescriber(
        browser_page, live_server, scene, tmp_path):
    page = browser_page
    app = live_server.app
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)
    today = today_paris()

    # -- Karim accepts the application -------------------------------------------------------
    sign_in(page, live_server, scene.email("colleague"))
    row = page.get_by_role("row").filter(has_text="Nadia HADDAD")
    row.get_by_role("link", name="Traiter la nouvelle candidature").click()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert_accessible(page)
    click_label(page, "Accepter")
    submit(page, "Valider")

    # -- the hire's tasks: whatever it asks, in the order it asks --------------------------
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Compléter les informations du candidat"
    assert page.get_by_text("Informations manquantes : lieu de naissance, adresse, numéro de sécurité sociale, "
                            "identifiant France Travail.").is_visible()
    assert_accessible(page)
    page.get_by_label("Commune de naissance").fill("Rennes")
    page.get_by_label("Adresse", exact=True).fill("12 rue de Brest")
    page.get_by_label("Numéro de sécurité sociale (NIR)").fill(NADIA_NIR)
    submit(page, "Valider")

    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Déclarer l'embauche"
    assert_accessible(page)
    page.get_by_label("Date de début du contrat").fill(today.isoformat())
    page.get_by_label("Poste occupé").select_option(label="Un autre poste")
    page.get_by_label("Intitulé du poste").fill("Maraîchère")
    submit(page, "Valider")

    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Valider les critères administratifs"
    assert_accessible(page)
    click_label(page, "Bénéficiaire du RSA")
    click_label(page, "Je conserve les justificatifs")
    submit(page, "Valider")

    # The hire case: the PASS IAE was issued at once (Nadia has a NIR now).
    page.wait_for_url(re.compile(r"/dossiers/\d+$"))
    assert page.get_by_text("Embauche confirmée").first.is_visible()
    assert_accessible(page, exclude=[DIAGRAM])
    page.get_by_role("link", name=re.compile(r"PASS IAE 99999 00 00001")).click()

    # -- the PASS page and its certificate -------------------------------------------------
    page.wait_for_url(re.compile(r"/pass/\d+$"))
    approval_id = int(page.url.rsplit("/", 1)[1])
    assert page.get_by_role("heading", level=1).inner_text() == "PASS IAE 99999 00 00001"
    assert fact(page, "État") == "Valide"
    assert fact(page, "Début") == fr_date(today)
    first_end = today + timedelta(days=729)
    assert fact(page, "Fin prévue") == fr_date(first_end)
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'attestation (PDF)").click()
    assert download.value.suggested_filename == "attestation-pass-iae-999990000001.pdf"
    saved = tmp_path / "attestation.pdf"
    download.value.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF-")
    assert "Attestation PASS IAE 99999 00 00001" in pdf_titles(content)
    text = pdf_text(content)
    if text is not None:
        assert "99999 00 00001" in text and "HADDAD" in text

    # -- 400 days later, Nadia's contract was suspended for two weeks ----------------------
    months_later(app, approval_id, ELAPSED_DAYS)
    page.reload()
    end = first_end - timedelta(days=ELAPSED_DAYS)
    assert fact(page, "Fin prévue") == fr_date(end)
    assert_accessible(page)
    page.get_by_role("link", name="Suspendre le PASS IAE").click()
    page.wait_for_url(re.compile(rf"/pass/{approval_id}/suspendre$"))
    assert_accessible(page)
    suspension_start, suspension_end = today - timedelta(days=20), today - timedelta(days=7)
    click_label(page, "Contrat de travail suspendu depuis plus de 15 jours")
    page.get_by_label("Date de début de la suspension").fill(suspension_start.isoformat())
    page.get_by_label("Date de fin de la suspension").fill(suspension_end.isoformat())
    page.get_by_label("Précisions").fill("Arrêt maladie de deux semaines.")
    submit(page, "Suspendre le PASS IAE")

    # The 14 days of the suspension, first and last included, push the end back by 14 days.
    page.wait_for_url(re.compile(rf"/pass/{approval_id}$"))
    end += timedelta(days=14)
    assert page.get_by_text(f"Le PASS IAE est suspendu du {fr_date(suspension_start)} au "
                            f"{fr_date(suspension_end)} : il se termine désormais le {fr_date(end)}.").is_visible()
    assert fact(page, "Fin prévue") == fr_date(end)
    assert fact(page, "État") == "Valide"  # the suspension is over: Nadia is back at work
    assert_accessible(page)

    # -- a prolongation that an authorized prescriber decides ------------------------------
    page.get_by_role("link", name="Prolonger le PASS IAE").click()
    page.wait_for_url(re.compile(rf"/pass/{approval_id}/prolonger$"))
    assert_accessible(page)
    prolonged_end = end + timedelta(days=180)
    click_label(page, "Reconnaissance de la qualité de travailleur handicapé")
    page.get_by_label("Date de fin de la prolongation").fill(prolonged_end.isoformat())
    page.get_by_label("Explication").fill("RQTH obtenue en septembre : Nadia a besoin de six mois de plus.")
    # A typo in the address first: nobody has it, the form says so in French.
    email_field = page.get_by_label("Adresse e-mail du prescripteur habilité qui décidera")
    email_field.fill("paula.rescrit@francetravail.com")
    submit(page, "Continuer")
    page.wait_for_selector("[role=alert]")
    assert page.get_by_text("Aucun compte actif n'a cette adresse e-mail").first.is_visible()
    assert_accessible(page)
    email_field.fill(PRESCRIBER_EMAIL)
    submit(page, "Continuer")

    # Second step, same address: the prescriber's organisation.
    page.wait_for_selector("text=Organisation du prescripteur habilité")
    assert page.get_by_text("Le prescripteur habilité : Paula Rescrit").is_visible()
    assert page.get_by_text(f"du {fr_date(end + timedelta(days=1))} au {fr_date(prolonged_end)}").is_visible()
    assert_accessible(page)
    click_label(page, "France Travail Rennes")
    page.get_by_label("Téléphone pour un entretien avec le prescripteur").fill("02 99 12 34 56")
    submit(page, "Envoyer la demande")

    page.wait_for_url(re.compile(rf"/pass/{approval_id}$"))
    assert page.get_by_text("Votre demande de prolongation est envoyée à France Travail Rennes").is_visible()
    assert fact(page, "Fin prévue") == fr_date(end)  # nothing changes before the decision
    assert page.get_by_text(f"Une demande de prolongation jusqu'au {fr_date(prolonged_end)} attend la décision "
                            "de France Travail Rennes").is_visible()
    assert_accessible(page)
    sign_out(page)

    # -- Paula, authorized prescriber at France Travail, grants it -------------------------
    sign_in(page, live_server, PRESCRIBER_EMAIL)
    page.get_by_role("link", name="Demandes de prolongation").click()
    page.wait_for_url(re.compile(r"/prolongations/demandes$"))
    row = page.get_by_role("row").filter(has_text="Nadia HADDAD")
    assert row.get_by_text("Reconnaissance de la qualité de travailleur handicapé").is_visible()
    assert row.get_by_text("À traiter").is_visible()
    assert_accessible(page)
    row.get_by_role("link", name="Décider de la demande pour Nadia HADDAD").click()

    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Décider de la demande de prolongation"
    assert page.get_by_text("RQTH obtenue en septembre").is_visible()
    assert_accessible(page)
    # Before deciding, Paula looks at the PASS and its history, then comes back.
    page.get_by_role("link", name="n° 99999 00 00001 : voir le PASS IAE et son historique").click()
    page.wait_for_url(re.compile(rf"/pass/{approval_id}$"))
    assert page.get_by_text(f"Du {fr_date(suspension_start)} au {fr_date(suspension_end)}").is_visible()
    assert not page.get_by_role("link", name="Prolonger le PASS IAE").count()  # the employer's action only
    assert_accessible(page)
    page.go_back()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    # With the keyboard only: the choice with Space, the button reached with Tab, then Enter.
    page.get_by_label("Accepter la prolongation").focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Accepter la prolongation").is_checked()
    with page.expect_navigation():
        submit_with_keyboard(page, "Valider")
    page.wait_for_url(re.compile(r"/dossiers/\d+$"))
    assert page.get_by_text("Demande acceptée").first.is_visible()
    assert_accessible(page, exclude=[DIAGRAM])
    sign_out(page)

    # -- Karim sees the PASS end pushed back by the 180 days granted ----------------------
    sign_in(page, live_server, scene.email("colleague"))
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    page.wait_for_url(re.compile(r"/notifications$"))
    assert page.get_by_text("France Travail Rennes a accepté la prolongation du PASS IAE n° 99999 00 00001 de "
                            f"Nadia HADDAD : il est valable jusqu'au {fr_date(prolonged_end)}.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="PASS IAE", exact=True).click()
    page.wait_for_url(re.compile(r"/pass$"))
    assert_accessible(page)
    page.get_by_role("link", name="99999 00 00001 : PASS IAE de Nadia HADDAD").click()
    page.wait_for_url(re.compile(rf"/pass/{approval_id}$"))
    assert fact(page, "Fin prévue") == fr_date(prolonged_end)
    prolongations = page.locator("section", has=page.get_by_role("heading", name="Prolongations", exact=True))
    assert prolongations.get_by_text(f"Du {fr_date(end + timedelta(days=1))} au {fr_date(prolonged_end)}").is_visible()
    assert prolongations.get_by_text("Validée par France Travail Rennes (Paula Rescrit)").is_visible()
    assert_accessible(page)
    assert not errors, errors

"""PASS IAE pages in a real browser: an employer finds a PASS in the company's list, opens it,
downloads its PDF certificate and opens the printable one; the holder finds their own PASS.
Every page visited goes through axe (WCAG 2 A/AA)."""
import re
import zlib
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Case, JobSeeker, Organisation
from app.services import approvals
from app.services.job_seekers import today_paris
from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene, send_application


@pytest.fixture
def scene(live_server):
    """Nadia, sent to Les Jardins by France Travail and hired there 40 days ago on a new PASS."""
    app = live_server.app
    scene = build_scene(app)
    case_id = send_application(app, scene)
    with app.app_context():
        start = today_paris() - timedelta(days=40)
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), start)
        approvals.attach_hire(approval, db.session.get(Organisation, scene.orgs["jardins"]),
                              db.session.get(Case, case_id), start)
        db.session.commit()
        scene.approval_id = approval.id
    return scene


def sign_in(page, live_server, scene, user):
    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(scene.email(user))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches"))


def pdf_titles(content):
    titles = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            titles += re.findall(rb"/Title \((.*?)\)", zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return [title.decode("latin-1") for title in titles]


def pdf_text(content):
    """The PDF's text with pypdf when it is installed, else None (the title is checked anyway)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    import io
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_an_employer_and_the_holder_find_the_pass_and_its_certificate(browser_page, live_server, scene, tmp_path):
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, live_server, scene, "colleague")
    page.get_by_role("link", name="PASS IAE", exact=True).click()
    page.wait_for_url(re.compile(r"/pass$"))
    assert page.get_by_role("heading", level=1).inner_text() == "PASS IAE de vos salariés"
    row = page.get_by_role("row").filter(has_text="Nadia HADDAD")
    assert row.get_by_text("Valide", exact=True).is_visible()
    assert_accessible(page)

    row.get_by_role("link", name="99999 00 00001 : PASS IAE de Nadia HADDAD").click()
    page.wait_for_url(re.compile(rf"/pass/{scene.approval_id}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "PASS IAE 99999 00 00001"
    assert page.get_by_text("690 jours").is_visible()
    assert page.get_by_text("14/03/1990").is_visible()
    assert page.get_by_role("heading", name="Actions").is_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'attestation (PDF)").click()
    assert download.value.suggested_filename == "attestation-pass-iae-999990000001.pdf"
    saved = Path(tmp_path) / "attestation.pdf"
    download.value.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF-") and len(content) > 5000
    assert "Attestation PASS IAE 99999 00 00001" in pdf_titles(content)
    text = pdf_text(content)
    if text is not None:
        assert "99999 00 00001" in text and "HADDAD" in text

    page.get_by_role("link", name="Imprimer l'attestation").click()
    page.wait_for_url(re.compile(rf"/pass/{scene.approval_id}/attestation$"))
    assert page.get_by_role("heading", name="Attestation de PASS IAE").is_visible()
    # print.js shows the button (hidden without JavaScript).
    assert page.get_by_role("button", name="Imprimer").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Imprimer").is_visible()  # not on paper
    assert page.get_by_text("N° 99999 00 00001").is_visible()
    page.emulate_media(media="screen")
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/login$"))

    sign_in(page, live_server, scene, "seeker")
    page.get_by_role("link", name="Mon PASS IAE").click()
    page.wait_for_url(re.compile(r"/mon-pass$"))
    assert_accessible(page)
    page.get_by_role("link", name="PASS IAE 99999 00 00001").click()
    page.wait_for_url(re.compile(rf"/pass/{scene.approval_id}$"))
    assert page.get_by_role("link", name="Télécharger l'attestation (PDF)").is_visible()
    assert_accessible(page)
    assert not errors, errors

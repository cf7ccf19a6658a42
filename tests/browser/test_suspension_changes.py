"""An ongoing suspension in a real browser: the employer edits it, ends it early, then deletes it
from the PASS page, and the PASS end follows each time. Every page visited goes through axe."""
import re
from datetime import timedelta

import pytest

from app.domain.approvals import fr_date
from app.extensions import db
from app.models import Case, JobSeeker, Organisation, User
from app.services import approvals, suspensions
from app.services.job_seekers import today_paris
from tests.browser.test_pass_pages import sign_in
from tests.support.axe import assert_accessible
from tests.web.builders import build_scene, send_application


@pytest.fixture
def scene(live_server):
    """Nadia hired at Les Jardins 40 days ago on a new PASS, suspended by Karim since 10 days ago."""
    app = live_server.app
    scene = build_scene(app)
    case_id = send_application(app, scene)
    today = today_paris()
    with app.app_context():
        start = today - timedelta(days=40)
        jardins = db.session.get(Organisation, scene.orgs["jardins"])
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), start)
        approvals.attach_hire(approval, jardins, db.session.get(Case, case_id), start)
        db.session.commit()
        karim = User.query.filter_by(email=scene.email("colleague")).one()
        values = {"reason": "CONTRACT_SUSPENDED", "start_at": today - timedelta(days=10),
                  "end_at": today + timedelta(days=30), "end_unknown": False, "explanation": "Arrêt maladie."}
        suspensions.start(approval.id, approval.lock_version, karim, jardins, values, today)
        db.session.commit()
        scene.approval_id, scene.pass_start = approval.id, start
    return scene


def planned_end(page):
    item = page.locator("dl.parcours-facts > div").filter(has=page.locator("dt", has_text=re.compile("^Fin prévue$")))
    return item.locator("dd").inner_text().strip().splitlines()[0].strip()


def open_action(page, live_server, scene, link):
    page.goto(f"{live_server.url}/pass/{scene.approval_id}")
    assert_accessible(page)
    page.get_by_role("link", name=link).click()
    page.wait_for_url(re.compile(r"/suspensions/\d+/\w+$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(link)
    assert_accessible(page)


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    page.wait_for_url(re.compile(r"/pass/\d+$"))
    assert_accessible(page)


def test_an_employer_edits_ends_and_deletes_a_suspension(browser_page, live_server, scene):
    page = browser_page
    today = today_paris()
    base_end = scene.pass_start + timedelta(days=729)
    sign_in(page, live_server, scene, "colleague")

    # Edit: the suspension now ends in 20 days instead of 30 (31 days suspended in all).
    open_action(page, live_server, scene, "Modifier la suspension")
    page.get_by_label("Date de fin de la suspension").fill((today + timedelta(days=20)).isoformat())
    submit(page, "Modifier la suspension")
    assert page.get_by_text("La suspension est modifiée.").is_visible()
    assert planned_end(page) == fr_date(base_end + timedelta(days=31))

    # End early: back at work tomorrow, so the suspension's last day is today (11 days).
    open_action(page, live_server, scene, "Mettre fin à la suspension")
    page.get_by_label("Premier jour de reprise du travail").fill((today + timedelta(days=1)).isoformat())
    submit(page, "Mettre fin à la suspension")
    assert page.get_by_text("La suspension est terminée.").is_visible()
    assert planned_end(page) == fr_date(base_end + timedelta(days=11))

    # Delete: the PASS gets its first end back.
    open_action(page, live_server, scene, "Supprimer la suspension")
    page.locator("label.fr-label", has_text="Je confirme la suppression").first.click()
    submit(page, "Supprimer la suspension")
    assert page.get_by_text("La suspension est supprimée.").is_visible()
    assert planned_end(page) == fr_date(base_end)

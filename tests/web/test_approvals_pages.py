"""PASS IAE pages: a PASS and its history, who may open it, the certificate (PDF and printable
page, logged), the company's list with its filters, the job seeker's own PASS, and the links
from the case and task pages. PASS rows are made with app/services/approvals directly."""
import re
import zlib
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.domain.approvals import anniversary
from app.extensions import db
from app.models import (
    Approval,
    AuditEntry,
    JobSeeker,
    Organisation,
    Prolongation,
    ProlongationRequest,
    Suspension,
    User,
)
from app.models.base import utcnow
from app.services import approvals
from app.services.job_seekers import today_paris
from tests.web.builders import build_scene, login, open_task_id, send_application, text


@pytest.fixture
def scene(app):
    return build_scene(app)


def issue(app, scene, seeker="nadia", company="jardins", start=None, case_id=None):
    """A PASS for `seeker`, hired at `company` from `start` (default: 10 days ago)."""
    with app.app_context():
        start = start or today_paris() - timedelta(days=10)
        person = db.session.get(JobSeeker, scene.seekers[seeker])
        approval = approvals.issue_pass(person, start)
        case = None
        if case_id is not None:
            from app.models import Case
            case = db.session.get(Case, case_id)
        approvals.attach_hire(approval, db.session.get(Organisation, scene.orgs[company]), case, start)
        db.session.commit()
        return SimpleNamespace(id=approval.id, number=approval.number)


@pytest.fixture
def hired(app, scene):
    """Nadia, sent to Les Jardins by France Travail, hired there 10 days ago on a new PASS."""
    case_id = send_application(app, scene)
    return SimpleNamespace(case_id=case_id, approval=issue(app, scene, case_id=case_id))


def test_the_pass_page_shows_number_status_dates_holder_and_history(app, client, scene, hired):
    today = today_paris()
    with app.app_context():
        jardins, ft = scene.orgs["jardins"], scene.orgs["ft"]
        emma = scene.users["employer"]
        db.session.add(Suspension(approval_id=hired.approval.id, start_on=today - timedelta(days=2),
                                  end_on=today + timedelta(days=7), reason="CONTRACT_BROKEN", organisation_id=jardins,
                                  created_by_id=emma))
        approval = db.session.get(Approval, hired.approval.id)
        approvals.refresh_end(approval)
        db.session.add(ProlongationRequest(approval_id=approval.id, status="denied", reason="RQTH",
                                           start_on=approval.end_on, end_on=approval.end_on + timedelta(days=90),
                                           company_id=jardins, prescriber_organisation_id=ft))
        db.session.commit()
        end = approval.end_on
    login(client, scene.email("employer"))
    response = client.get(f"/pass/{hired.approval.id}")
    assert response.status_code == 200
    page = text(response)
    assert "<title>PASS IAE 99999 00 00001 — Parcours</title>" in page
    assert "Valide (suspendu)" in page
    assert f"Début</dt><dd>{(today - timedelta(days=10)).strftime('%d/%m/%Y')}" in page
    assert end.strftime("%d/%m/%Y") in page and end == today - timedelta(days=10) + timedelta(days=729 + 10)
    assert "Les jours de suspension ne sont pas décomptés." in page
    assert "14/03/1990" in page  # the employer bound to her application reads her birth date
    assert "Contrat de travail rompu" in page and "Emma Ployeur" in page
    assert "Reconnaissance de la qualité de travailleur handicapé" in page and "Refusée" in page
    assert "Les Jardins de la Vilaine" in page and f"/dossiers/{hired.case_id}" in page
    assert "Télécharger l'attestation (PDF)" in page
    assert re.search(r'id="titre-actions"[^>]*>Actions</h2>', page)


def test_the_remaining_days_and_validity_of_a_running_pass(app, client, scene, hired):
    login(client, scene.email("seeker"))
    page = text(client.get(f"/pass/{hired.approval.id}"))
    assert ">Valide<" in page
    assert "720 jours" in page  # 730 days from 10 days ago, today counted


@pytest.mark.parametrize("who, page_status, certificate_status", [
    ("employer", 200, 200),          # hired her at Les Jardins
    ("colleague", 200, 200),         # same company
    ("prescriber", 200, 403),        # sent her application: sees the PASS, no certificate
    ("seeker", 200, 200),            # her own PASS
    ("support", 200, 200),
    ("other_prescriber", 403, 403),  # no link with her
    ("other_employer", 403, 403),
    ("other_seeker", 403, 403),
])
def test_who_may_open_the_pass_and_its_certificate(app, client, scene, hired, who, page_status,
                                                  certificate_status):
    login(client, scene.email(who))
    assert client.get(f"/pass/{hired.approval.id}").status_code == page_status
    response = client.get(f"/pass/{hired.approval.id}/attestation")
    assert response.status_code == certificate_status
    if certificate_status == 403 and page_status == 200:
        assert "réservée à son titulaire et aux employeurs" in text(response)


def test_an_unknown_or_huge_pass_is_not_found_and_anonymous_users_log_in(app, client, scene, hired):
    assert client.get(f"/pass/{hired.approval.id}").status_code == 302
    login(client, scene.email("employer"))
    response = client.get("/pass/999999")
    assert response.status_code == 404 and "Ce PASS IAE n'existe pas." in text(response)
    assert client.get("/pass/" + "9" * 20).status_code == 404


def test_a_company_that_hired_sees_the_pass_without_the_personal_data_of_others(app, client, scene):
    """Léo was hired by the GEIQ without any application bound to it: the GEIQ sees the PASS and
    the hire, but not his birth date (personal data goes with the applications, DOMAIN §13)."""
    with app.app_context():
        db.session.get(JobSeeker, scene.seekers["leo"]).birth_date = today_paris().replace(year=1991)
        db.session.commit()
    approval = issue(app, scene, seeker="leo", company="geiq")
    login(client, scene.email("other_employer"))
    page = text(client.get(f"/pass/{approval.id}"))
    assert "Léo MARTIN" in page or "Léo Martin" in page
    assert "GEIQ Bâtiment Bretagne" in page
    assert "Date de naissance" not in page


def pdf_titles(content):
    """The titles WeasyPrint stores (compressed) in the PDF: the document's, and its bookmarks'."""
    titles = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        titles += [found.decode("latin-1") for found in re.findall(rb"/Title \((.*?)\)", data)]
    return titles


def test_the_pdf_certificate_is_a_logged_download(app, client, scene, hired):
    login(client, scene.email("employer"))
    response = client.get(f"/pass/{hired.approval.id}/attestation.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="attestation-pass-iae-999990000001.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    content = response.get_data()
    assert content.startswith(b"%PDF-") and len(content) > 5000
    assert "Attestation PASS IAE 99999 00 00001" in pdf_titles(content)
    with app.app_context():
        entry = AuditEntry.query.filter_by(action="pass_certificate_delivered").one()
        assert entry.actor_id == scene.users["employer"]
        assert entry.organisation_id == scene.orgs["recyclerie"]  # the one she acts for (first by name)
        assert entry.data == {"approval_id": hired.approval.id, "number": "999990000001", "format": "pdf"}
        assert "99999 00 00001" in entry.summary and "PDF" in entry.summary


def test_the_printable_certificate_has_a_print_button_and_is_logged(app, client, scene, hired):
    login(client, scene.email("seeker"))
    response = client.get(f"/pass/{hired.approval.id}/attestation")
    assert response.status_code == 200
    page = text(response)
    assert "Attestation de PASS IAE" in page and "N° 99999 00 00001" in page
    assert "14/03/1990" in page
    assert "data-print-button" in page and "/static/js/print.js" in page
    assert "css/certificate.css" in page
    assert "<script>" not in page  # the CSP forbids inline scripts
    with app.app_context():
        entry = AuditEntry.query.filter_by(action="pass_certificate_delivered").one()
        assert entry.actor_id == scene.users["seeker"] and entry.data["format"] == "html"


def test_a_cancelled_pass_has_no_certificate(app, client, scene, hired):
    with app.app_context():
        db.session.get(Approval, hired.approval.id).cancelled_at = utcnow()
        db.session.commit()
    login(client, scene.email("employer"))
    assert ">Annulé<" in text(client.get(f"/pass/{hired.approval.id}"))
    for suffix in ("attestation", "attestation.pdf"):
        response = client.get(f"/pass/{hired.approval.id}/{suffix}")
        assert response.status_code == 409
        assert "aucune attestation ne peut être délivrée" in text(response)
    with app.app_context():
        assert AuditEntry.query.filter_by(action="pass_certificate_delivered").count() == 0


# -- lists ------------------------------------------------------------------------------------

@pytest.fixture
def company_passes(app, scene, hired):
    """At Les Jardins: Nadia (valid), Léo (expired long ago) and a third person whose PASS ends
    in a month; at the GEIQ: someone else."""
    today = today_paris()
    expired = issue(app, scene, seeker="leo", start=today - timedelta(days=800))
    with app.app_context():
        soon_person = JobSeeker(first_name="Sonia", last_name="Bientôt", email="sonia@exemple.test")
        other_person = JobSeeker(first_name="Gaspard", last_name="Ailleurs", email="gaspard@exemple.test")
        db.session.add_all([soon_person, other_person])
        db.session.commit()
        scene.seekers.update(sonia=soon_person.id, gaspard=other_person.id)
    soon = issue(app, scene, seeker="sonia", start=today - timedelta(days=700))
    elsewhere = issue(app, scene, seeker="gaspard", company="geiq")
    return SimpleNamespace(valid=hired.approval, expired=expired, soon=soon, elsewhere=elsewhere)


def numbers_in(page):
    return re.findall(r"99999 00 \d{5}", page)


def test_the_company_list_shows_its_people_soonest_end_first(app, client, scene, company_passes):
    login(client, scene.email("colleague"))
    response = client.get("/pass")
    assert response.status_code == 200
    page = text(response)
    assert 'href="/pass" aria-current="page">PASS IAE</a>' in page
    rows = page.split("<tbody>")[1]
    shown = [int(n[-5:]) for n in re.findall(r">(99999 00 \d{5})<", rows)]
    ids = [company_passes.expired.number, company_passes.soon.number, company_passes.valid.number]
    assert shown == [int(n[-5:]) for n in ids]
    assert "Expiré" in rows and "Se termine bientôt" in rows
    assert "Gaspard" not in page  # hired by another company


@pytest.mark.parametrize("query, expected", [
    ("status=expired", ["expired"]),
    ("status=valid", ["soon", "valid"]),
    ("expiring_soon=y", ["soon"]),
    ("job_seeker=nadia", ["valid"]),
    ("status=suspended", []),
])
def test_the_company_list_filters(app, client, scene, company_passes, query, expected):
    login(client, scene.email("colleague"))
    response = client.get(f"/pass?{query}")
    assert response.status_code == 200
    page = text(response)
    wanted = sorted(getattr(company_passes, key).number for key in expected)
    assert sorted(n.replace(" ", "") for n in re.findall(r">(99999 00 \d{5})<", page)) == wanted
    if not expected:
        assert "Aucun PASS IAE ne correspond à ces filtres." in page


def test_a_bad_filter_is_a_422_in_french(app, client, scene, company_passes):
    login(client, scene.email("colleague"))
    response = client.get("/pass?status=bientot")
    assert response.status_code == 422
    assert 'role="alert"' in text(response) and "État du PASS IAE" in text(response)


def test_only_employers_have_a_list_and_job_seekers_find_their_own_pass(app, client, scene, hired):
    login(client, scene.email("prescriber"))
    response = client.get("/pass")
    assert response.status_code == 403 and "choisissez une structure employeuse" in text(response)
    client.post("/logout")
    login(client, scene.email("seeker"))
    assert client.get("/pass").headers["Location"].endswith("/mon-pass")
    page = text(client.get("/mon-pass"))
    assert 'href="/mon-pass" aria-current="page">Mon PASS IAE</a>' in page
    assert "PASS IAE 99999 00 00001" in page and f'href="/pass/{hired.approval.id}"' in page
    client.post("/logout")
    login(client, scene.email("other_seeker"))
    assert "Vous n'avez pas encore de PASS IAE." in text(client.get("/mon-pass"))


def test_case_and_task_pages_link_to_the_pass(app, client, scene, hired):
    login(client, scene.email("employer"))
    page = text(client.get(f"/dossiers/{hired.case_id}"))
    assert f'href="/pass/{hired.approval.id}">PASS IAE 99999 00 00001' in page
    task_id = open_task_id(app, hired.case_id)
    assert f'href="/pass/{hired.approval.id}"' in text(client.get(f"/taches/{task_id}"))
    client.post("/logout")
    login(client, scene.email("other_prescriber"))
    assert "/pass/" not in text(client.get(f"/dossiers/{hired.case_id}"))

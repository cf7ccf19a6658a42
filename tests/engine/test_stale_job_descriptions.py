"""The daily job that closes job descriptions untouched for 90 days and warns the company's members
(app/jobs/job_descriptions.py), called directly with a chosen `now`."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.jobs.job_descriptions import deactivate_stale_job_descriptions
from app.models import JobDescription, Notification
from app.models.audit import AuditEntry
from app.models.base import utcnow
from tests.web.builders import build_scene
from tests.web.directory_data import add_company, add_job


@pytest.fixture
def scene(app):
    return build_scene(app)


def active(app, job_id):
    with app.app_context():
        return db.session.get(JobDescription, job_id).is_active


def test_jobs_untouched_for_90_days_are_closed_and_members_warned(app, scene):
    jardins = scene.orgs["jardins"]
    now = utcnow()
    stale = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère", custom_name="Maraîcher bio", days_untouched=90)
    older = add_job(app, jardins, "A1203", "Paysagiste", days_untouched=400)
    recent = add_job(app, jardins, "K2204", "Agent / Agente de propreté", days_untouched=89)
    closed = add_job(app, jardins, "F1703", "Maçon / Maçonne", active=False, days_untouched=200)
    other = add_job(app, scene.orgs["geiq"], "F1703", "Chapiste", days_untouched=120)

    with app.app_context():
        assert deactivate_stale_job_descriptions(now + timedelta(minutes=1)) == 3

    assert (active(app, stale), active(app, older), active(app, recent), active(app, other)) == (
        False, False, True, False)
    assert active(app, closed) is False
    with app.app_context():
        rows = AuditEntry.query.order_by(AuditEntry.id).all()
        assert [(row.action, row.actor_id, row.data["job_description_id"]) for row in rows] == [
            ("job_description_expired", None, stale), ("job_description_expired", None, older),
            ("job_description_expired", None, other)]
        assert rows[0].summary == "Fiche de poste « Maraîcher bio » désactivée après 90 jours sans modification"
        assert rows[0].organisation_id == jardins and rows[0].actor_name == "Plateforme"

        # One notice per active member of each company; none for the inactive member.
        notices = Notification.query.order_by(Notification.id).all()
        recipients = sorted(n.recipient_id for n in notices)
        assert recipients == sorted([scene.users["employer"], scene.users["colleague"],
                                     scene.users["other_employer"]])
        assert scene.users["inactive"] not in recipients
        notice = next(n for n in notices if n.recipient_id == scene.users["colleague"])
        assert notice.case_id is None and notice.subject == "Fiches de poste désactivées"
        assert notice.body.startswith("Les Jardins de la Vilaine (ACI) : ces fiches de poste n'ont pas été "
                                      "modifiées depuis 90 jours.")
        assert "- Maraîcher bio\n- Paysagiste" in notice.body
        assert "Chapiste" not in notice.body and "Agent / Agente de propreté" not in notice.body
        # One job closed: said in the singular.
        notice = next(n for n in notices if n.recipient_id == scene.users["other_employer"])
        assert notice.subject == "Fiche de poste désactivée"
        assert notice.body.startswith("GEIQ Bâtiment Bretagne (GEIQ) : la fiche de poste « Chapiste » n'a pas été "
                                      "modifiée depuis 90 jours. Elle est désactivée")


def test_a_second_run_changes_nothing(app, scene):
    add_job(app, scene.orgs["jardins"], "A1203", "Paysagiste", days_untouched=100)
    with app.app_context():
        assert deactivate_stale_job_descriptions() == 1
        assert deactivate_stale_job_descriptions() == 0
        assert Notification.query.count() == 2  # employer and colleague, once
        assert AuditEntry.query.count() == 1


def test_a_job_changed_since_is_kept(app, scene):
    job = add_job(app, scene.orgs["jardins"], "A1203", "Paysagiste", days_untouched=100)
    with app.app_context():
        db.session.get(JobDescription, job).open_positions = 3  # an edit refreshes updated_at
        db.session.commit()
        assert deactivate_stale_job_descriptions((utcnow() + timedelta(days=89)).isoformat()) == 0
        assert deactivate_stale_job_descriptions((utcnow() + timedelta(days=90, minutes=1)).isoformat()) == 1
    assert active(app, job) is False


def test_a_company_without_active_members_still_gets_its_jobs_closed(app, scene):
    lonely = add_company(app, "Structure sans membre", kind="EI")
    job = add_job(app, lonely, "K2204", "Agent / Agente de nettoyage", days_untouched=95)
    with app.app_context():
        assert deactivate_stale_job_descriptions() == 1
        assert Notification.query.count() == 0
    assert active(app, job) is False

"""Companies and job descriptions for the directory tests (tests/web/test_*directory*.py,
test_job_descriptions.py, tests/engine/test_stale_job_descriptions.py).

Rows are written through the models in their own app context; helpers return ids.
"""
from datetime import timedelta

from app.extensions import db
from app.models import JobDescription, Membership, Organisation
from app.models.base import utcnow
from app.services.directory import today_paris


def add_company(app, name, kind="ACI", department="35", city="Rennes", postcode="35000", blocked=False,
                spontaneous_days=None, members=()):
    """A company; spontaneous_days: open for that many more days (negative: closed since then).
    members: [(user_id, is_admin)]."""
    with app.app_context():
        company = Organisation(category="company", kind=kind, name=name, department=department, city=city,
                               postcode=postcode, address="3 rue des Lilas", block_job_applications=blocked)
        if spontaneous_days is not None:
            company.spontaneous_applications_open_until = today_paris() + timedelta(days=spontaneous_days)
        db.session.add(company)
        db.session.flush()
        for user_id, is_admin in members:
            db.session.add(Membership(user_id=user_id, organisation_id=company.id, is_admin=is_admin))
        db.session.commit()
        return company.id


def add_job(app, company_id, rome_code, appellation, active=True, custom_name="", days_untouched=0,
            cv_required=False, hours=35, contract_type="CDDI", city="Rennes", postcode="35000"):
    with app.app_context():
        changed = utcnow() - timedelta(days=days_untouched)
        job = JobDescription(company_id=company_id, rome_code=rome_code, appellation=appellation,
                             custom_name=custom_name, is_active=active, contract_type=contract_type,
                             hours_per_week=hours, open_positions=2, cv_required=cv_required, city=city,
                             postcode=postcode, department=postcode[:2], created_at=changed, updated_at=changed,
                             description="Travail en équipe, encadrement technique sur le chantier.")
        db.session.add(job)
        db.session.commit()
        return job.id

"""The daily job: close job descriptions nobody has touched for 90 days (DOMAIN §10).

A job description left open and forgotten keeps attracting applications for a
position that may be long filled. The clock enqueues this job once a day; each
company's deactivations are one transaction, with an audit row per job
description and one notification to each active member of the company.
"""
import logging
from datetime import datetime, timedelta, timezone
from itertools import groupby

from sqlalchemy import func

from app.extensions import db
from app.models import JobDescription, Organisation
from app.models.audit import record
from app.models.base import utcnow
from app.services import notifications

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=90)


def deactivate_stale_job_descriptions(now=None):
    """Deactivate the open job descriptions last changed 90 days or more before `now`
    (ISO string or datetime; default: the clock) and warn each company's members.
    Returns how many job descriptions were closed."""
    moment = datetime.fromisoformat(now) if isinstance(now, str) else (now or utcnow())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    cutoff = moment - STALE_AFTER
    last_change = func.coalesce(JobDescription.updated_at, JobDescription.created_at)
    stale = (JobDescription.query.filter(JobDescription.is_active.is_(True), last_change <= cutoff)
             .order_by(JobDescription.company_id, JobDescription.id).all())
    closed = 0
    for company_id, jobs in groupby(stale, key=lambda job: job.company_id):
        jobs = list(jobs)
        company = db.session.get(Organisation, company_id)
        try:
            for job in jobs:
                job.is_active = False
                record("job_description_expired", None, company,
                       f"Fiche de poste « {job.display_name} » désactivée après 90 jours sans modification",
                       {"job_description_id": job.id})
            template = "job_description_deactivated" if len(jobs) == 1 else "job_descriptions_deactivated"
            notifications.queue_for_users(company.active_members(), template, {
                "company_name": company.display_name, "job_name": jobs[0].display_name,
                "job_list": "\n".join(f"- {job.display_name}" for job in jobs),
            })
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("could not deactivate the stale job descriptions of company %s", company_id)
            raise
        closed += len(jobs)
    return closed

"""The timer job: wake the cases whose next timer is due (enqueued every minute by the clock)."""
import logging
from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from app.engine import runtime
from app.extensions import db
from app.models import Case
from app.models.base import utcnow

log = logging.getLogger(__name__)
BATCH = 200


def wake_due_cases(now=None):
    """Fire due timers, one transaction per case; returns how many cases moved.

    `now` (ISO string) lets support run timers ahead of time; default is the clock.
    """
    moment = datetime.fromisoformat(now) if isinstance(now, str) else (now or utcnow())
    due_ids = [cid for (cid,) in db.session.query(Case.id).filter(
        Case.status == "running", Case.next_wake_at.isnot(None), Case.next_wake_at <= moment)
        .order_by(Case.next_wake_at).limit(BATCH)]
    moved = 0
    for case_id in due_ids:
        try:
            case = db.session.get(Case, case_id)
            if runtime.wake_case(case, moment):
                moved += 1
            db.session.commit()
        except StaleDataError:
            # Someone acted on the case meanwhile: the next tick sees its new timers.
            db.session.rollback()
        except Exception:
            db.session.rollback()
            log.exception("timer wake failed for case %s", case_id)
            raise
    return moved

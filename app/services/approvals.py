"""PASS IAE rows (DOMAIN §7): numbers, facts for the rules, a person's valid and last PASS,
issuing or reusing a PASS at hire, and keeping the stored end in step.

The rules are app/domain/approvals; this module reads and writes the rows they judge.
Suspensions (app/services/suspensions.py) and prolongations (app/services/prolongations.py)
change a PASS through `lock_pass` and `refresh_end` below.
"""
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from app.domain import approvals as rules
from app.extensions import db
from app.models import Approval, ApprovalHire, PassNumberCounter, Suspension
from app.services.tasks import ServiceError

PASS_CHANGED = ("Ce PASS IAE vient d'être modifié par quelqu'un d'autre : rechargez la page pour voir "
                "sa situation actuelle avant de recommencer.")


# -- numbers -------------------------------------------------------------------------------

def take_pass_number():
    """The next PASS number, taken inside the caller's transaction (see PassNumberCounter).

    The counter row stays locked until the transaction ends, so concurrent hires wait for
    each other: no two PASS share a number, and a hire that rolls back leaves no gap."""
    sequence = db.session.execute(
        update(PassNumberCounter).where(PassNumberCounter.id == 1)
        .values(last_value=PassNumberCounter.last_value + 1)
        .returning(PassNumberCounter.last_value)
    ).scalar_one()
    return rules.pass_number_from_sequence(sequence)


# -- facts and status ---------------------------------------------------------------------

def facts(approval):
    """What app/domain/approvals needs to judge this PASS."""
    return rules.PassFacts(
        number=approval.number,
        start=approval.start_on,
        base_end=approval.base_end_on,
        suspensions=tuple(rules.SuspensionFacts(s.start_on, s.end_on, s.reason) for s in approval.suspensions),
        prolongations=tuple(rules.ProlongationFacts(p.start_on, p.end_on, p.reason)
                            for p in approval.prolongations),
    )


@dataclass(frozen=True)
class PassView:
    """A PASS as pages and the API show it on a given day."""

    approval: Approval
    number: str          # "99999 00 00123"
    status: str          # future / valid / suspended / expired / cancelled
    status_label: str
    start: object
    end: object
    remaining_days: int
    ongoing_suspension: object  # the Suspension row covering today, or None


STATUS_CANCELLED = "cancelled"
STATUS_CANCELLED_LABEL = "Annulé"


def view(approval, today):
    pass_facts = facts(approval)
    if approval.cancelled_at is not None:
        status, label, remaining = STATUS_CANCELLED, STATUS_CANCELLED_LABEL, 0
    else:
        status = rules.pass_status(pass_facts, today)
        label, remaining = rules.PASS_STATUSES[status], rules.remaining_days(pass_facts, today)
    ongoing = next((s for s in approval.suspensions if s.start_on <= today <= s.end_on), None)
    return PassView(approval, rules.format_pass_number(approval.number), status, label, approval.start_on,
                    rules.effective_end(pass_facts), remaining, ongoing)


def refresh_end(approval):
    """Store the PASS's current end after its suspensions or prolongations changed (DOMAIN §7.2)."""
    db.session.flush()
    db.session.refresh(approval, ["suspensions", "prolongations"])
    approval.end_on = rules.effective_end(facts(approval))


# -- a person's PASS ----------------------------------------------------------------------

def _live(query):
    return query.where(Approval.cancelled_at.is_(None))


def valid_pass(job_seeker_id, on):
    """The person's PASS not cancelled and not ended on `on` (started or not), or None.

    DOMAIN §7.1: at most one such PASS per person (issue_pass keeps it so)."""
    return db.session.scalars(
        _live(select(Approval)).where(Approval.job_seeker_id == job_seeker_id, Approval.end_on >= on)
        .order_by(Approval.end_on.desc()).limit(1)
    ).first()


def last_pass_end(job_seeker_id):
    """The current end of the person's last PASS (the waiting period counts from it), or None."""
    return db.session.scalar(
        _live(select(db.func.max(Approval.end_on))).where(Approval.job_seeker_id == job_seeker_id))


def passes_of(job_seeker_id):
    """Every PASS of the person, newest first (cancelled ones included, for the record)."""
    return db.session.scalars(select(Approval).where(Approval.job_seeker_id == job_seeker_id)
                              .order_by(Approval.start_on.desc(), Approval.id.desc())).all()


def get(approval_id):
    return db.session.get(Approval, approval_id) if approval_id else None


def find_by_number(number):
    """The PASS with this number (separators allowed); InvalidIdentifier when malformed."""
    return db.session.scalars(select(Approval).where(Approval.number == rules.validate_pass_number(number))).first()


def lock_pass(approval_id, expected_version=None):
    """The PASS row, locked until the transaction ends (PostgreSQL; SQLite serializes writers).

    With `expected_version` (the lock version the user's page showed), a PASS changed since is
    refused with PASS_CHANGED (409)."""
    approval = db.session.scalars(
        select(Approval).where(Approval.id == approval_id).with_for_update()
        .execution_options(populate_existing=True)).first()
    if approval is None:
        raise ServiceError("Ce PASS IAE n'existe pas.", 404)
    if expected_version is not None and int(expected_version) != approval.lock_version:
        raise ServiceError(PASS_CHANGED, 409)
    return approval


def last_hire(approval):
    """The latest hire not cancelled on this PASS (its SIAE may suspend it, DOMAIN §8), or None."""
    hires = [h for h in approval.hires if h.cancelled_at is None]
    return max(hires, key=lambda h: (h.hiring_start_on, h.id), default=None)


def hiring_companies(approval):
    """Ids of the companies with a hire not cancelled on this PASS (they may prolong it, DOMAIN §9)."""
    return {h.company_id for h in approval.hires if h.cancelled_at is None}


# -- issue or reuse at hire (DOMAIN §5 step 5) --------------------------------------------

def can_issue_automatically(job_seeker):
    """A new PASS is issued at once for a person with a NIR, a France Travail id, or declared
    not registered there; otherwise support delivers it by hand (DOMAIN §5 step 5)."""
    return bool(job_seeker.nir or job_seeker.france_travail_id or job_seeker.france_travail_not_registered)


def issue_pass(job_seeker, start, actor=None, origin="issued"):
    """A new PASS of 730 days from `start`, numbered under the counter's lock."""
    if valid_pass(job_seeker.id, start) is not None:
        raise ServiceError("Cette personne a déjà un PASS IAE valide : il doit être réutilisé.", 409)
    approval = Approval(number=take_pass_number(), job_seeker_id=job_seeker.id, start_on=start,
                        base_end_on=rules.pass_end(start), end_on=rules.pass_end(start), origin=origin,
                        created_by_id=actor.id if actor else None)
    db.session.add(approval)
    db.session.flush()
    return approval


def attach_hire(approval, company, case, hiring_start, hiring_end=None):
    """Record a hire on the PASS. A PASS not started yet moves its start back to an earlier
    hire (DOMAIN §5 step 5); a hire starting during a suspension ends it the day before, or
    deletes it if the hire starts on its first day (§5 step 6). Returns the ApprovalHire."""
    if hiring_start > approval.end_on:
        last_day = rules.fr_date(approval.end_on)
        raise ServiceError(f"Le contrat doit commencer au plus tard le {last_day}, date de fin du PASS IAE.",
                           422, {"hiring_start_at": [f"Au plus tard le {last_day}, date de fin du PASS IAE."]})
    if hiring_start < approval.start_on:
        # Not started yet and this hire is earlier: the PASS starts with it, same duration.
        shift = approval.start_on - hiring_start
        approval.start_on = hiring_start
        approval.base_end_on = approval.base_end_on - shift
    for suspension in list(approval.suspensions):
        outcome = rules.suspension_end_for_new_hire(
            rules.SuspensionFacts(suspension.start_on, suspension.end_on, suspension.reason), hiring_start)
        if outcome is None:
            approval.suspensions.remove(suspension)
        elif outcome.end != suspension.end_on:
            suspension.end_on = outcome.end
            suspension.end_unknown = False
    hire = ApprovalHire(approval=approval, company_id=company.id, case_id=case.id if case else None,
                        hiring_start_on=hiring_start, hiring_end_on=hiring_end)
    db.session.add(hire)
    refresh_end(approval)
    return hire


def ongoing_suspension(approval, on):
    return db.session.scalars(select(Suspension).where(Suspension.approval_id == approval.id,
                                                       Suspension.start_on <= on, Suspension.end_on >= on)).first()


def save(approval):
    """Flush the PASS; a concurrent change of it becomes a French 409."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ServiceError(PASS_CHANGED, 409) from None

"""PASS IAE rows: numbers in sequence, and the invariants the database itself refuses to break."""
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from app.domain.approvals import format_pass_number
from app.extensions import db
from app.models import Approval, JobSeeker, Organisation, ProlongationRequest, Suspension
from app.services import approvals


@pytest.fixture
def seeker(db_session):
    person = JobSeeker(first_name="Léa", last_name="Martin", email="lea@exemple.fr", nir="")
    person.nir = None
    company = Organisation(category="company", kind="ACI", name="Les Jardins")
    prescriber = Organisation(category="prescriber", kind="FT", name="France Travail",
                              authorization_status="validated")
    db.session.add_all([person, company, prescriber])
    db.session.flush()
    return person, company, prescriber


def test_numbers_follow_each_other_and_show_in_three_groups(seeker):
    person, _, _ = seeker
    first = approvals.issue_pass(person, date(2026, 3, 2))
    first.end_on = first.base_end_on = date(2026, 3, 10)  # ended: the next one may be issued
    db.session.flush()
    second = approvals.issue_pass(person, date(2026, 4, 1))
    assert (first.number, second.number) == ("999990000001", "999990000002")
    assert format_pass_number(second.number) == "99999 00 00002"
    assert second.end_on == date(2028, 3, 30)  # 730 days counted inclusively, 29/02/2028 among them


def test_a_second_valid_pass_for_the_same_person_is_refused(seeker):
    person, _, _ = seeker
    approvals.issue_pass(person, date(2026, 3, 2))
    with pytest.raises(Exception, match="déjà un PASS IAE valide"):
        approvals.issue_pass(person, date(2026, 6, 1))


def _suspend(approval, company, start, end):
    db.session.add(Suspension(approval_id=approval.id, start_on=start, end_on=end, reason="CONTRACT_BROKEN",
                              organisation_id=company.id))
    db.session.flush()


def test_the_database_refuses_overlapping_suspensions(seeker):
    person, company, _ = seeker
    approval = approvals.issue_pass(person, date(2026, 1, 5))
    _suspend(approval, company, date(2026, 3, 1), date(2026, 3, 31))
    _suspend(approval, company, date(2026, 4, 1), date(2026, 4, 10))  # the next day: fine
    db.session.commit()
    with pytest.raises(IntegrityError):
        _suspend(approval, company, date(2026, 3, 31), date(2026, 4, 1))  # shares a day with both
    db.session.rollback()
    assert Suspension.query.count() == 2


def test_the_database_keeps_one_pending_prolongation_request_per_pass(seeker):
    person, company, prescriber = seeker
    approval = approvals.issue_pass(person, date(2026, 1, 5))
    db.session.commit()

    def request(status):
        db.session.add(ProlongationRequest(approval_id=approval.id, status=status, reason="RQTH",
                                           start_on=approval.end_on, end_on=approval.end_on,
                                           company_id=company.id, prescriber_organisation_id=prescriber.id))
        db.session.flush()

    request("denied")
    request("pending")
    db.session.commit()
    with pytest.raises(IntegrityError):
        request("pending")
    db.session.rollback()
    assert ProlongationRequest.query.filter_by(status="pending").count() == 1


def test_a_hire_during_a_suspension_ends_it_the_day_before_and_pulls_the_end_back(seeker):
    person, company, _ = seeker
    approval = approvals.issue_pass(person, date(2026, 1, 5))
    _suspend(approval, company, date(2026, 3, 1), date(2026, 3, 31))
    approvals.refresh_end(approval)
    assert approval.end_on == date(2028, 1, 4) + (date(2026, 4, 1) - date(2026, 3, 1))
    approvals.attach_hire(approval, company, None, date(2026, 3, 11))
    assert [(s.start_on, s.end_on) for s in approval.suspensions] == [(date(2026, 3, 1), date(2026, 3, 10))]
    assert approval.end_on == date(2028, 1, 14)  # 10 days of suspension left
    assert db.session.get(Approval, approval.id).end_on == date(2028, 1, 14)

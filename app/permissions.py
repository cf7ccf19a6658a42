"""Who may see and do what: decided here only, from memberships, case parties and lanes.

Every route asks this module; tests/web/test_permissions.py checks it as a matrix.
"""
from dataclasses import dataclass

from flask import has_request_context, request

from app.models import CaseParty, Membership


def active_org_ids(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    # Asked several times per request (one page checks many rights): read once per request.
    cache = request.environ.setdefault("parcours.org_ids", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = frozenset(m.organisation_id for m in
                                   Membership.query.filter_by(user_id=user.id, is_active=True))
    return set(cache[user.id])


def forget_memberships():
    """After a membership changes within a request, later checks of that request read it again."""
    if has_request_context():
        request.environ.pop("parcours.org_ids", None)


def is_member(user, organisation_id):
    return organisation_id is not None and organisation_id in active_org_ids(user)


def is_task_candidate(user, task):
    """A task is for the active members of its candidate organisation, or its named person."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if task.candidate_user_id is not None and task.candidate_user_id == user.id:
        return True
    # The support lane's tasks belong to no organisation and no person: they are every support member's.
    if task.role == "support" and task.organisation_id is None and task.candidate_user_id is None:
        return bool(user.is_support)
    return is_member(user, task.organisation_id)


def can_act_on_task(user, task):
    """Candidates act; support staff may act on any task (unblocking), always logged; so does the
    person support assigned the task to from outside its organisation (is_assignee)."""
    return is_task_candidate(user, task) or bool(getattr(user, "is_support", False)) or is_assignee(user, task)


def can_complete_task(user, task):
    """A task claimed by a colleague is theirs until they release it (support excepted)."""
    if not can_act_on_task(user, task):
        return False
    if task.assignee_id is not None and task.assignee_id != user.id and not user.is_support:
        return False
    return True


def can_view_case(user, case):
    """Parties of the case (their organisation's members, or the named person) and support."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_support:
        return True
    orgs = active_org_ids(user)
    for party in CaseParty.query.filter_by(case_id=case.id):
        if party.user_id == user.id or (party.organisation_id is not None and party.organisation_id in orgs):
            return True
    if case.job_seeker is not None and case.job_seeker.user_id == user.id:
        return True
    return False


def can_see_personal_data(user, case):
    """Identity, contact, NIR, birth date (DOMAIN §13): the person, the organisations that sent
    or received one of their applications (the case's parties), and support."""
    return can_view_case(user, case)


def can_see_private_comment(user, case):
    """The employer's private comment is for professionals, never for the job seeker (DOMAIN §4)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_support:
        return True
    orgs = active_org_ids(user)
    return any(p.organisation_id in orgs for p in CaseParty.query.filter_by(case_id=case.id)
               if p.organisation_id is not None and p.role in ("employer", "prescriber"))


# -- organisations and their members (app/services/organisations.py; seed 003, Fiche 6) -------

def is_organisation_admin(user, organisation_id):
    if organisation_id is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.query.filter_by(user_id=user.id, organisation_id=organisation_id, is_active=True,
                                      is_admin=True).first() is not None


def can_view_members(user, organisation):
    """Every active member sees who belongs to the organisation (names, emails, admins); support too."""
    if organisation is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_support) or is_member(user, organisation.id)


def can_invite_members(user, organisation):
    """Inviting colleagues is open to every member, admin or not (seed 003, Fiche 6 table)."""
    return organisation is not None and is_member(user, organisation.id)


def can_manage_members(user, organisation):
    """Removing a member, revoking an invitation, granting or revoking admin rights: the
    organisation's admins only (seed 003, Fiche 6 table)."""
    return organisation is not None and is_organisation_admin(user, organisation.id)


def can_register_organisation(user):
    """A professional (not a job seeker's account) may register a new organisation and become its admin."""
    return (user is not None and user.is_authenticated and user.is_active
            and user.kind != "job_seeker")


def can_apply_for(user, job_seeker, sender_org):
    """Who may send an application for a person (DOMAIN §3): the person themself, or a
    professional acting for one of their own active organisations; support too."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if job_seeker.user_id is not None and job_seeker.user_id == user.id:
        return True
    if user.is_support:
        return True
    return sender_org is not None and is_member(user, sender_org.id) and sender_org.category in ("prescriber", "company")


# -- lists of applications (app/services/applications.py) ----------------------------------

def can_list_sent(user, organisation):
    """The applications an organisation sent (a prescriber, or a company applying elsewhere):
    its active members, and support. Exporting them follows the same rule (DOMAIN §13)."""
    if organisation is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if organisation.category not in ("prescriber", "company"):
        return False
    return bool(user.is_support) or is_member(user, organisation.id)


def can_list_received(user, company):
    """The applications a company received: its active members, and support."""
    if company is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if company.category != "company":
        return False
    return bool(user.is_support) or is_member(user, company.id)


def can_list_own_applications(user):
    """A person follows the applications made for them (their JobSeeker row names their account)."""
    return user is not None and user.is_authenticated and user.is_active


def cases_with_visible_private_comment(user, case_ids):
    """The ids among `case_ids` whose private comment `user` may read: the rule of
    can_see_private_comment, for a whole page of a list in one query."""
    case_ids = list(case_ids)
    if not case_ids or user is None or not user.is_authenticated:
        return set()
    if user.is_support:
        return set(case_ids)
    orgs = active_org_ids(user)
    if not orgs:
        return set()
    rows = (CaseParty.query.with_entities(CaseParty.case_id)
            .filter(CaseParty.case_id.in_(case_ids), CaseParty.organisation_id.in_(orgs),
                    CaseParty.role.in_(("employer", "prescriber"))))
    return {case_id for (case_id,) in rows}


# -- employers' directory and job descriptions (app/services/directory.py) ----------------

def is_company_admin(user, company):
    """Admins of a company manage its job descriptions and whether it receives applications
    (DOMAIN §2, §10): an active admin membership of an active user."""
    if company is None or company.category != "company":
        return False
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.query.filter_by(user_id=user.id, organisation_id=company.id, is_active=True,
                                      is_admin=True).first() is not None


def can_see_inactive_job_descriptions(user, company):
    """Closed job descriptions stay visible to the company's own members only (DOMAIN §10)."""
    return company is not None and is_member(user, company.id)


def can_apply_to_company(user, company):
    """A company that blocks applications refuses everyone but its own members (DOMAIN §3 step 4)."""
    if company is None or company.category != "company":
        return False
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return not company.block_job_applications or is_member(user, company.id)


# -- job seekers and the sending of applications (app/services/job_seekers.py, prescription.py) --

def can_see_job_seeker(user, job_seeker):
    """A person's identity, contact, NIR, birth date and diagnoses (DOMAIN §13): the person,
    members of the organisations bound to one of the cases about them (which sent or received
    one of their applications), and support."""
    from app.models import Case

    if job_seeker is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_support or (job_seeker.user_id is not None and job_seeker.user_id == user.id):
        return True
    orgs = active_org_ids(user)
    condition = CaseParty.user_id == user.id
    if orgs:
        condition = condition | CaseParty.organisation_id.in_(orgs)
    return (CaseParty.query.join(Case, Case.id == CaseParty.case_id)
            .filter(Case.job_seeker_id == job_seeker.id, condition).first()) is not None


def can_validate_prescriber_eligibility(user, organisation):
    """Only members of an authorized prescriber validate IAE eligibility (DOMAIN §3 step 3);
    orienteurs and job seekers never do."""
    return (organisation is not None and organisation.is_authorized_prescriber
            and is_member(user, organisation.id))


def can_declare_direct_hire(user, company):
    """Auto-prescription: a member of an SIAE, for its own company (DOMAIN §3, §6.1)."""
    return company is not None and company.is_siae and is_member(user, company.id)


def can_download_document(user, document):
    """A CV goes with the case it was attached to: whoever may view that case."""
    from app.models import Case
    from app.extensions import db

    if document is None or document.case_id is None:
        return False
    case = db.session.get(Case, document.case_id)
    return case is not None and can_view_case(user, case)


# -- supervision and support (app/services/supervision.py, app/services/support.py) ---------

@dataclass(frozen=True)
class SupervisionScope:
    """The cases a supervisor's dashboards and case list cover (DOMAIN §12).

    kind: "platform" (support: every case), "department" (an institution: cases whose
    employer is in its département; aggregates and references, never personal data),
    "organisation" (an organisation's admins: cases their organisation is a party to).
    """
    kind: str
    organisation_id: int | None = None
    department: str | None = None

    @property
    def personal_data(self):
        """Institutions see aggregates only (DOMAIN §13); search by person is not for them."""
        return self.kind != "department"


def supervision_scope(user, organisation):
    """What `user`, acting for `organisation`, may supervise, or None (then no dashboard: 403).

    Support staff: the platform. A member of an institution (DDETS, DREETS, labour
    inspection): its département. An admin of any other organisation: that organisation.
    A member who is not admin, a job seeker: nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_support:
        return SupervisionScope("platform")
    if organisation is None:
        return None
    membership = Membership.query.filter_by(user_id=user.id, organisation_id=organisation.id,
                                            is_active=True).first()
    if membership is None:
        return None
    if organisation.category == "institution":
        return SupervisionScope("department", department=organisation.department) if organisation.department \
            else None
    if membership.is_admin:
        return SupervisionScope("organisation", organisation_id=organisation.id)
    return None


def can_support(user):
    """Support actions (reassign, rebind, suspend, cancel, retry, skip, correct) and the
    incidents page: support staff only, each action with a reason kept in the case's log."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_support)


def is_assignee(user, task):
    """The person support assigned the task to from outside its organisation (override).

    Only someone who never belonged to the organisation: a member who claimed the task and
    then left it (inactive membership) loses the task with the membership."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if task.assignee_id is None or task.assignee_id != user.id:
        return False
    return task.organisation_id is None or Membership.query.filter_by(
        user_id=user.id, organisation_id=task.organisation_id).first() is None


# -- process diagrams (app/web/process_admin.py) ---------------------------------------------

def can_view_processes(user):
    """Process owners, and support staff (read only), see the diagrams, their versions and drafts."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_process_owner) or bool(user.is_support)


def can_edit_processes(user):
    """Only process owners edit, check, publish, roll back diagrams and migrate cases."""
    return user is not None and user.is_authenticated and user.is_active and bool(user.is_process_owner)


# -- prolongations of a PASS IAE (app/services/prolongations.py; DOMAIN §9) ------------------

def can_prolong_pass(user, organisation, approval):
    """Declaring or requesting a prolongation: a member of an SIAE with a hire not cancelled on
    this PASS, acting for that SIAE (DOMAIN §9)."""
    from app.services.approvals import hiring_companies

    if approval is None or organisation is None or not organisation.is_siae:
        return False
    return is_member(user, organisation.id) and organisation.id in hiring_companies(approval)


def can_decide_prolongation_request(user, prolongation_request):
    """Granting or denying a request: any active member of the prescriber organisation it is
    addressed to, as long as that organisation is an authorized prescriber (DOMAIN §9)."""
    if prolongation_request is None:
        return False
    organisation = prolongation_request.prescriber_organisation
    return (organisation is not None and organisation.is_authorized_prescriber
            and is_member(user, organisation.id))

# -- suspension of a PASS IAE (app/services/suspensions.py; DOMAIN §8, seed 003 §3.2) --------

def can_suspend_pass(user, organisation, approval, today=None):
    """A member acting for the SIAE of the last hire not cancelled on this PASS, or for an
    authorized prescriber when the holder has no contract left (every hire cancelled or
    ended before today); the PASS valid today (started, not expired, not already suspended)."""
    from app.domain import approvals as rules
    from app.services import approvals, suspensions
    from app.services.job_seekers import today_paris

    if approval is None or organisation is None or approval.cancelled_at is not None:
        return False
    if not is_member(user, organisation.id):
        return False
    today = today or today_paris()
    if rules.pass_status(approvals.facts(approval), today) != rules.STATUS_VALID:
        return False
    if organisation.category == "company":
        hire = approvals.last_hire(approval)
        return hire is not None and hire.company_id == organisation.id
    return organisation.is_authorized_prescriber and not suspensions.has_contract_left(approval, today)


def can_change_suspension(user, organisation, suspension):
    """Edit, end early or delete a suspension: members acting for the organisation that made it."""
    return (suspension is not None and organisation is not None
            and suspension.organisation_id == organisation.id and is_member(user, organisation.id))


# -- PASS IAE (app/web/approvals.py, app/api/approvals.py; DOMAIN §7, §13) -----------------

def can_see_pass(user, approval):
    """A PASS IAE, its holder and its history: whoever may see the person (themself, the
    organisations that sent or received one of their applications, support), and the members
    of a company that hired on it. Institutions see aggregates only, never a PASS."""
    if approval is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if can_see_job_seeker(user, approval.job_seeker):
        return True
    orgs = active_org_ids(user)
    return any(hire.company_id in orgs for hire in approval.hires)


def can_download_pass_certificate(user, approval):
    """The certificate is for the holder, for the employers who hired on the PASS (they keep it
    in their files: a hire not cancelled) and for support; the prescribers see the PASS only."""
    if approval is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_support:
        return True
    seeker = approval.job_seeker
    if seeker is not None and seeker.user_id is not None and seeker.user_id == user.id:
        return True
    orgs = active_org_ids(user)
    return any(hire.company_id in orgs for hire in approval.hires if hire.cancelled_at is None)

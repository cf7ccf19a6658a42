"""SQLAlchemy tables. Import from here: `from app.models import Case, Task`."""
from app.models.approvals import Approval, ApprovalHire, PassNumberCounter, Prolongation, ProlongationRequest, Suspension
from app.models.audit import AuditEntry
from app.models.cases import Case, CaseParty, Event, Task
from app.models.case_flows import CaseFlowCount
from app.models.documents import Document
from app.models.eligibility import Diagnosis
from app.models.filters import SavedFilter
from app.models.jobs import JobDescription
from app.models.notifications import Notification
from app.models.organisations import Invitation, Membership, Organisation
from app.models.people import ApiToken, JobSeeker, User
from app.models.process_admin import FormSpecVersion, ProcessDraft
from app.models.processes import ProcessVersion

__all__ = ["ApiToken", "Approval", "ApprovalHire", "PassNumberCounter", "Prolongation", "ProlongationRequest",
           "Suspension", "AuditEntry", "Case", "CaseFlowCount", "CaseParty", "Diagnosis", "Document", "Event", "FormSpecVersion",
           "Invitation", "JobDescription", "JobSeeker", "Membership", "Notification", "Organisation", "ProcessDraft",
           "ProcessVersion", "SavedFilter", "Task", "User"]

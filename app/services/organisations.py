"""Organisations and their members (DOMAIN §2; seed 003, Fiche 6).

Shared by the HTML views (and the API when it needs them). Each function checks the
actor's rights with app.permissions and refuses bad input with a French ServiceError
before changing anything, then commits: one request, one transaction. Changes outside
any case are written to the audit log; a new prescriber's authorization is a case of
bpmn/authorization.bpmn, decided by support.

Invitations: a random token goes into the emailed link; only its SHA-256 is stored,
so a leaked database gives no usable link. A link serves once, for 14 days.
"""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from app import permissions
from app.domain import places
from app.domain.vocabularies import COMPANY_KINDS, PRESCRIBER_KINDS
from app.engine import runtime
from app.engine.parsing import DiagramError
from app.extensions import db
from app.models import AuditEntry, Event, Invitation, Membership, Organisation, Task, User
from app.models.base import utcnow
from app.services import notifications
from app.services.tasks import ServiceError
from app.domain.calendar import PARIS

INVITATION_DAYS = 14
# Prescribers of this kind need no authorization: they orient people, never validate eligibility.
NO_AUTHORIZATION_KIND = "OTHER"

FORM_HAS_ERRORS = "Le formulaire contient des erreurs : corrigez les champs signalés."
SIRET_TAKEN = "Cette structure est déjà inscrite : demandez à un de ses administrateurs de vous inviter."
ADMINS_ONLY = "Seuls les administrateurs de l'organisation peuvent faire cette action."


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_user(email):
    """The account of an email address, whatever its case, or None."""
    return User.query.filter(func.lower(User.email) == (email or "").strip().lower()).first()


def _paris_date(moment):
    return moment.astimezone(PARIS).strftime("%d/%m/%Y")


def _audit(action, actor, organisation, summary, data=None):
    db.session.add(AuditEntry(action=action, actor_id=getattr(actor, "id", None), organisation_id=organisation.id,
                              summary=summary[:500], data=data or {}))


def _commit():
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# -- reading -------------------------------------------------------------------------

def active_memberships(organisation):
    """Active members with an active account, by name."""
    return (Membership.query.join(User, User.id == Membership.user_id)
            .filter(Membership.organisation_id == organisation.id, Membership.is_active.is_(True),
                    User.is_active.is_(True))
            .order_by(User.last_name, User.first_name, User.id).all())


def admin_count(organisation_id):
    return (Membership.query.join(User, User.id == Membership.user_id)
            .filter(Membership.organisation_id == organisation_id, Membership.is_active.is_(True),
                    Membership.is_admin.is_(True), User.is_active.is_(True)).count())


def invitation_state(invitation, now=None):
    """pending, accepted, revoked or expired."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or utcnow()):
        return "expired"
    return "pending"


def pending_invitations(organisation):
    return (Invitation.query.filter(Invitation.organisation_id == organisation.id,
                                    Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                                    Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()).all())


@dataclass
class MembersPage:
    organisation: Organisation
    memberships: list
    invitations: list
    admins: list = field(default_factory=list)
    can_invite: bool = False
    can_manage: bool = False


def members_page(actor, organisation):
    if not permissions.can_view_members(actor, organisation):
        raise ServiceError("Vous ne faites pas partie de cette organisation : vous ne pouvez pas voir ses membres.",
                           403)
    memberships = active_memberships(organisation)
    return MembersPage(organisation, memberships, pending_invitations(organisation),
                       admins=[m for m in memberships if m.is_admin],
                       can_invite=permissions.can_invite_members(actor, organisation),
                       can_manage=permissions.can_manage_members(actor, organisation))


# -- invitations ------------------------------------------------------------------------

def invite(actor, organisation, email, link_for):
    """Invite `email` into `organisation`; link_for(token) is the absolute URL of the link.

    A new invitation to an address that already has a pending one replaces it (a fresh
    link, valid 14 more days). Returns (invitation, replaced)."""
    if not permissions.can_invite_members(actor, organisation):
        raise ServiceError("Seuls les membres de l'organisation peuvent inviter des collègues.", 403)
    email = email.strip().lower()
    existing = find_user(email)
    if existing is not None:
        problem = None
        if existing.kind == "job_seeker" or not existing.is_active:
            # Say no more: whether an address is a job seeker's is personal data (DOMAIN §13).
            problem = ("Cette adresse ne peut pas être invitée : utilisez l'adresse professionnelle de "
                       "votre collègue, ou contactez le support de la plateforme.")
        elif permissions.is_member(existing, organisation.id):
            problem = f"{existing.full_name} fait déjà partie de {organisation.name}."
        if problem:
            raise ServiceError(FORM_HAS_ERRORS, 422, {"email": [problem]})
    now = utcnow()
    replaced = False
    for previous in pending_invitations(organisation):
        if previous.email.lower() == email:
            previous.revoked_at = now
            replaced = True
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=organisation.id, email=email, token_hash=hash_token(token),
                            invited_by_id=actor.id, created_at=now,
                            expires_at=now + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    notifications.queue_direct("organisation_invitation", {
        "inviter_name": actor.full_name, "organisation_name": organisation.name,
        "link": link_for(token), "expires_display": _paris_date(invitation.expires_at),
    }, email, user=existing)
    _audit("member_invited", actor, organisation, f"Invitation envoyée à {email}",
           {"invitation_id": invitation.id, "email": email, "replaces_pending": replaced})
    _commit()
    return invitation, replaced


def revoke_invitation(actor, organisation, invitation_id):
    if not permissions.can_manage_members(actor, organisation):
        raise ServiceError(ADMINS_ONLY, 403)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise ServiceError("Cette invitation n'existe pas.", 404)
    if invitation.organisation_id != organisation.id:
        raise ServiceError("Cette invitation concerne une autre organisation.", 403)
    state = invitation_state(invitation)
    if state != "pending":
        raise ServiceError({"accepted": "Cette invitation a déjà été acceptée : retirez plutôt le membre.",
                            "revoked": "Cette invitation est déjà révoquée.",
                            "expired": "Cette invitation a déjà expiré."}[state], 409)
    invitation.revoked_at = utcnow()
    _audit("invitation_revoked", actor, organisation, f"Invitation de {invitation.email} révoquée",
           {"invitation_id": invitation.id, "email": invitation.email})
    _commit()
    return invitation


def invitation_for_token(token):
    invitation = Invitation.query.filter_by(token_hash=hash_token(token)).first() if token else None
    if invitation is None:
        raise ServiceError("Ce lien d'invitation n'est pas valable : vérifiez que vous l'avez copié en entier, "
                           "ou demandez une nouvelle invitation à votre collègue.", 404)
    return invitation


def closed_invitation_message(invitation):
    """Why a link no longer works, or None while the invitation is pending."""
    name = invitation.organisation.name
    return {
        "accepted": "Cette invitation a déjà été utilisée. Si c'est vous qui l'avez acceptée, connectez-vous ; "
                    f"sinon, demandez une nouvelle invitation à un membre de {name}.",
        "revoked": f"Cette invitation a été annulée par un administrateur de {name}. "
                   "Demandez-en une nouvelle si vous devez rejoindre l'organisation.",
        "expired": f"Cette invitation a expiré le {_paris_date(invitation.expires_at)} : "
                   f"demandez-en une nouvelle à un membre de {name}.",
    }.get(invitation_state(invitation))


def _require_pending(invitation):
    message = closed_invitation_message(invitation)
    if message:
        raise ServiceError(message, 410)


def accept_invitation(invitation, user):
    """The signed-in user joins the organisation of an invitation sent to their address."""
    _require_pending(invitation)
    if user.email.strip().lower() != invitation.email.strip().lower():
        raise ServiceError(f"Cette invitation a été envoyée à {invitation.email}, mais vous êtes connecté(e) "
                           f"avec {user.email}. Déconnectez-vous, puis ouvrez à nouveau le lien pour créer "
                           "le compte de cette adresse ou vous y connecter.", 403)
    if user.kind == "job_seeker":
        raise ServiceError("Un compte candidat ne peut pas rejoindre une organisation.", 403)
    membership = _join(user, invitation)
    _commit()
    return membership


def create_account_and_join(invitation, data):
    """Create the account of an invited address (form invitation_account) and join."""
    _require_pending(invitation)
    if find_user(invitation.email) is not None:
        raise ServiceError(f"Un compte existe déjà pour {invitation.email} : connectez-vous pour rejoindre "
                           f"{invitation.organisation.name}.", 409)
    user = _new_user(invitation.email, data)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(f"Un compte existe déjà pour {invitation.email} : connectez-vous pour rejoindre "
                           f"l'organisation.", 409) from None
    _join(user, invitation)
    _commit()
    return user


def _new_user(email, data):
    user = User(email=email.strip().lower(), first_name=data["first_name"].strip(),
                last_name=data["last_name"].strip(), kind="professional")
    user.set_password(data["password"])
    db.session.add(user)
    return user


def _join(user, invitation):
    """An active membership for the invitation's organisation (a former one comes back)."""
    now = utcnow()
    organisation = invitation.organisation
    # The first member of an organisation is its admin (DOMAIN §2): so is whoever joins one left without any.
    first_admin = admin_count(organisation.id) == 0
    membership = Membership.query.filter_by(user_id=user.id, organisation_id=organisation.id).first()
    if membership is None:
        membership = Membership(user_id=user.id, organisation_id=organisation.id, is_admin=first_admin,
                                is_active=True, created_at=now)
        db.session.add(membership)
    elif not membership.is_active:
        membership.is_active = True
        membership.is_admin = first_admin
        membership.created_at = now  # "member since" counts from the return
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    _audit("member_joined", user, organisation, f"{user.full_name} a rejoint {organisation.name}",
           {"invitation_id": invitation.id, "invited_by_id": invitation.invited_by_id})
    db.session.flush()
    return membership


# -- members and admins -------------------------------------------------------------------

def membership_to_manage(actor, organisation, membership_id):
    """An active membership of `organisation` that `actor`, one of its admins, may change."""
    if not permissions.can_manage_members(actor, organisation):
        raise ServiceError(ADMINS_ONLY, 403)
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise ServiceError("Cette personne ne fait pas partie de l'organisation.", 404)
    if membership.organisation_id != organisation.id:
        raise ServiceError("Cette personne fait partie d'une autre organisation : vous ne pouvez pas "
                           "modifier ses droits.", 403)
    if not membership.is_active:
        raise ServiceError(f"{membership.user.full_name} ne fait plus partie de {organisation.name}.", 404)
    return membership


def is_last_admin(membership):
    return membership.is_admin and admin_count(membership.organisation_id) <= 1


def remove_member(actor, organisation, membership_id):
    """Deactivate a membership (never deleted: cases and logs keep naming the person)."""
    membership = membership_to_manage(actor, organisation, membership_id)
    person = membership.user
    if is_last_admin(membership):
        raise ServiceError(f"Vous êtes le seul administrateur de {organisation.name} : nommez d'abord un autre "
                           "administrateur, puis vous pourrez quitter l'organisation.", 409)
    membership.is_active = False
    membership.is_admin = False
    released = _release_tasks(person, organisation, actor)
    _audit("member_removed", actor, organisation, f"{person.full_name} retiré(e) de {organisation.name}",
           {"membership_id": membership.id, "user_id": person.id, "released_tasks": released})
    _commit()
    return membership


def _release_tasks(person, organisation, actor):
    """The open tasks the person had taken for the organisation go back to their colleagues."""
    tasks = Task.query.filter(Task.state == "open", Task.assignee_id == person.id,
                              Task.organisation_id == organisation.id).all()
    for task in tasks:
        task.assignee_id = None
        task.claimed_at = None
        db.session.add(Event(case_id=task.case_id, actor_id=actor.id, kind="task_unclaimed", task_id=task.id,
                             summary=f"{task.title} : libérée, {person.full_name} a quitté {organisation.name}"))
    return [task.id for task in tasks]


def set_admin(actor, organisation, membership_id, make_admin):
    """Grant or revoke admin rights; an organisation never stays without an admin."""
    membership = membership_to_manage(actor, organisation, membership_id)
    person = membership.user
    if membership.is_admin == make_admin:
        return membership
    if not make_admin and is_last_admin(membership):
        raise ServiceError(f"{organisation.name} doit garder au moins un administrateur : nommez-en un autre "
                           "avant de retirer ces droits.", 409)
    membership.is_admin = make_admin
    action, summary = (("admin_granted", f"{person.full_name} nommé(e) administrateur") if make_admin
                       else ("admin_revoked", f"{person.full_name} n'est plus administrateur"))
    _audit(action, actor, organisation, summary, {"membership_id": membership.id, "user_id": person.id})
    _commit()
    return membership


# -- new organisations ------------------------------------------------------------------------

def register_account(data):
    """A professional account for someone about to register their organisation (form organisation_account)."""
    email = data["email"].strip().lower()
    taken = {"email": ["Un compte existe déjà avec cette adresse : connectez-vous pour inscrire "
                       + "votre organisation."]}
    if find_user(email) is not None:
        raise ServiceError(FORM_HAS_ERRORS, 422, taken)
    user = _new_user(email, data)
    try:
        _commit()
    except IntegrityError:
        raise ServiceError(FORM_HAS_ERRORS, 422, taken) from None
    return user


def create_organisation(actor, data):
    """Register an organisation (form organisation_new); the actor becomes its admin.

    A prescriber of a known kind waits for support to validate its authorization (a case
    of bpmn/authorization.bpmn); "Autre" needs none (DOMAIN §2)."""
    if not permissions.can_register_organisation(actor):
        raise ServiceError("Un compte candidat ne peut pas inscrire d'organisation.", 403)
    category = data["category"]
    kind = data["prescriber_kind"] if category == "prescriber" else data["company_kind"]
    siret = data.get("siret") or None
    errors = {}
    if siret and Organisation.query.filter_by(siret=siret).first() is not None:
        errors["siret"] = [SIRET_TAKEN]
    postcode = data.get("postcode") or ""
    expected = places.department_for_postcode(postcode) if category == "company" else None
    if expected and expected != data["department"]:
        where = places.department_label(expected)
        errors["department"] = [f"Le code postal {postcode} est dans le département {where} : "
                                + "choisissez-le, ou corrigez le code postal."]
    if errors:
        raise ServiceError(FORM_HAS_ERRORS, 422, errors)
    needs_authorization = category == "prescriber" and kind != NO_AUTHORIZATION_KIND
    organisation = Organisation(
        category=category, kind=kind, name=data["name"].strip(), siret=siret,
        address=(data.get("address") or "").strip() if category == "company" else "",
        postcode=postcode if category == "company" else "", city=data["city"].strip(),
        department=data["department"],
        authorization_status="not_set" if needs_authorization else "not_required")
    try:
        db.session.add(organisation)
        db.session.flush()
        db.session.add(Membership(user_id=actor.id, organisation_id=organisation.id, is_admin=True,
                                  is_active=True))
        _audit("organisation_created", actor, organisation, f"{organisation.name} inscrite par {actor.full_name}",
               {"category": category, "kind": kind, "siret": siret})
        if needs_authorization:
            start_authorization_case(organisation, actor)
        _commit()
    except IntegrityError:  # the same SIRET registered a moment ago
        db.session.rollback()
        raise ServiceError(FORM_HAS_ERRORS, 422, {"siret": [SIRET_TAKEN]}) from None
    except (runtime.EngineError, DiagramError) as exc:
        db.session.rollback()
        raise ServiceError("L'inscription n'a pas pu aboutir : la demande d'habilitation ne peut pas être "
                           "ouverte pour le moment. Réessayez plus tard ou contactez le support.", 503) from exc
    return organisation


def authorization_data(organisation, creator):
    """What support reads to decide (bpmn/authorization.bpmn keeps it in the case summary)."""
    kinds = PRESCRIBER_KINDS if organisation.category == "prescriber" else COMPANY_KINDS
    return {
        "organisation_id": organisation.id, "organisation_name": organisation.name,
        "organisation_kind": organisation.kind, "organisation_kind_label": kinds.get(organisation.kind, organisation.kind),
        "organisation_siret": organisation.siret or "", "organisation_department": organisation.department,
        "organisation_city": organisation.city,
        "creator_name": creator.full_name if creator else "", "creator_email": creator.email if creator else "",
    }


def start_authorization_case(organisation, creator):
    """Open the case in which support validates or refuses a prescriber's authorization.

    The role "support" is bound to no organisation: the task is every support member's."""
    parties = [("organisation", organisation.id, creator.id if creator else None), ("support", None, None)]
    return runtime.start_case("authorization", authorization_data(organisation, creator), parties,
                              actor=creator, title=f"Habilitation : {organisation.name}")

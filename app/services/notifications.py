"""Notifications (DOMAIN §11): French texts, recipients, and the outbox rows.

Rows are written in the case's transaction; the mail job sends them after the
commit when SMTP is configured, else they stay in the app's notification list.
"""
from flask import current_app

from app.domain.vocabularies import REFUSAL_REASONS
from app.extensions import db
from app.models import JobSeeker, Membership, Notification, User

# template key -> (subject, body); bodies are str.format()ed with the case's data.
TEMPLATES = {
    "application_new": ("Nouvelle candidature",
                        "Nouvelle candidature de {job_seeker_name} pour {company_name}."),
    "application_processing": ("Candidature à l'étude",
                               "{company_name} étudie la candidature de {job_seeker_name}."),
    "application_postponed": ("Candidature en attente",
                              "{company_name} a mis la candidature de {job_seeker_name} en liste d'attente.\n\n"
                              "Message de l'employeur : {answer_to_job_seeker}"),
    "application_pool": ("Candidature ajoutée au vivier",
                         "{company_name} a ajouté la candidature de {job_seeker_name} à son vivier."),
    "application_refused": ("Candidature déclinée",
                            "{company_name} a décliné la candidature de {job_seeker_name}.\n\n"
                            "{reason_line}Message de l'employeur : {answer_to_job_seeker}"),
    "application_accepted": ("Candidature acceptée",
                             "{company_name} a accepté la candidature de {job_seeker_name}."),
    "application_transferred": ("Candidature transférée",
                                "La candidature de {job_seeker_name} a été transférée de {from_company_name} "
                                "à {company_name}."),
    "hire_confirmed": ("Embauche confirmée",
                       "L'embauche de {job_seeker_name} chez {company_name} est déclarée : "
                       "début du contrat le {hiring_start_display}."),
    # PASS IAE at hire (bpmn/hire.bpmn, DOMAIN §5 step 5 and §11).
    "pass_accepted": ("PASS IAE accepté",
                      "Le PASS IAE n° {pass_number} de {job_seeker_name} est accepté pour son embauche chez "
                      "{company_name} : il est valable du {pass_start_display} au {pass_end_display}.\n\n"
                      "Conservez l'attestation du PASS IAE dans votre dossier."),
    "pass_refused": ("PASS IAE refusé",
                     "Le PASS IAE de {job_seeker_name} pour son embauche chez {company_name} n'a pas pu être "
                     "délivré.\n\nMotif : {pass_refusal_reason}\n\nL'embauche reste déclarée ; pour toute "
                     "question, contactez le support de la plateforme."),
    "hire_cancelled": ("Embauche annulée",
                       "{company_name} a annulé l'embauche de {job_seeker_name}."),
    # Organisations and their members (app/services/organisations.py).
    "organisation_invitation": ("Invitation à rejoindre une organisation",
                                "{inviter_name} vous invite à rejoindre {organisation_name} sur Parcours.\n\n"
                                "Pour accepter, ouvrez ce lien avant le {expires_display} :\n{link}\n\n"
                                "Si vous ne connaissez pas cette organisation, ignorez ce message."),
    "authorization_validated": ("Habilitation validée",
                                "L'équipe support a validé l'habilitation de {organisation_name} : "
                                "ses membres peuvent désormais valider l'éligibilité IAE des candidats."),
    "authorization_refused": ("Habilitation refusée",
                              "L'équipe support n'a pas validé l'habilitation de {organisation_name}.\n\n"
                              "Motif : {reason}\n\n"
                              "Ses membres peuvent toujours orienter des candidats vers les employeurs "
                              "inclusifs. Pour devenir prescripteur habilité, adressez-vous à la DDETS "
                              "de votre département."),
    "job_description_deactivated": ("Fiche de poste désactivée",
                                    "{company_name} : la fiche de poste « {job_name} » n'a pas été modifiée "
                                    "depuis 90 jours. Elle est désactivée et ne reçoit plus de candidatures.\n\n"
                                    "Si vous recrutez toujours sur ce poste, réactivez-la depuis la page "
                                    "« Fiches de poste » de votre structure."),
    "job_descriptions_deactivated": ("Fiches de poste désactivées",
                                     "{company_name} : ces fiches de poste n'ont pas été modifiées depuis 90 jours. "
                                     "Elles sont désactivées et ne reçoivent plus de candidatures.\n\n"
                                     "{job_list}\n\nSi vous recrutez toujours sur ces postes, réactivez-les "
                                     "depuis la page « Fiches de poste » de votre structure."),
    # Suspensions of a PASS IAE (bpmn/suspension.bpmn).
    "suspension_started": ("PASS IAE suspendu",
                           "{organisation_name} a suspendu votre PASS IAE n° {pass_number_display} du "
                           "{start_display} au {end_display} (motif : {reason_label}).\n\n"
                           "Les jours de suspension ne sont pas décomptés : votre PASS IAE se termine "
                           "désormais le {pass_end_display}."),
    "suspension_changed": ("Suspension de votre PASS IAE modifiée",
                           "La suspension de votre PASS IAE n° {pass_number_display} court désormais du "
                           "{start_display} au {end_display}. Votre PASS IAE se termine le {pass_end_display}."),
    "suspension_deleted": ("Suspension de votre PASS IAE supprimée",
                           "La suspension de votre PASS IAE n° {pass_number_display} a été supprimée. "
                           "Votre PASS IAE se termine le {pass_end_display}."),
    # Prolongations of a PASS IAE (bpmn/prolongation.bpmn, DOMAIN §9 and §11).
    "prolongation_recorded": ("PASS IAE prolongé",
                              "{company_name} a prolongé le PASS IAE n° {approval_number_display} de "
                              "{job_seeker_name} jusqu'au {end_display} (motif : {reason_label})."),
    "prolongation_request_new": ("Nouvelle demande de prolongation",
                                 "{company_name} vous demande de prolonger le PASS IAE n° {approval_number_display} "
                                 "de {job_seeker_name} jusqu'au {end_display} (motif : {reason_label}).\n\n"
                                 "Explication de l'employeur : {explanation}\n\n"
                                 "Retrouvez la demande dans « Demandes de prolongation » pour l'accepter ou la "
                                 "refuser."),
    "prolongation_request_reminder": ("Rappel : demande de prolongation à traiter",
                                      "La demande de prolongation du PASS IAE n° {approval_number_display} de "
                                      "{job_seeker_name}, envoyée par {company_name} le {requested_display} à "
                                      "{prescriber_organisation_name}, attend toujours une décision.\n\n"
                                      "Tout membre de {prescriber_organisation_name} peut l'accepter ou la refuser "
                                      "depuis « Demandes de prolongation »."),
    "prolongation_request_granted": ("Demande de prolongation acceptée",
                                     "{prescriber_organisation_name} a accepté la prolongation du PASS IAE "
                                     "n° {approval_number_display} de {job_seeker_name} : il est valable jusqu'au "
                                     "{end_display}."),
    "prolongation_request_denied": ("Demande de prolongation refusée",
                                    "{prescriber_organisation_name} a refusé la prolongation du PASS IAE "
                                    "n° {approval_number_display} de {job_seeker_name}.\n\n"
                                    "Motif : {deny_reason_label}\n\nExplication : {deny_explanation}"
                                    "{proposed_actions_line}"),
}


class _Blank(dict):
    """Missing values render empty rather than failing the whole notification."""

    def __missing__(self, key):
        return ""


def render(template, data, for_job_seeker=False):
    subject, body = TEMPLATES[template]
    values = _Blank(data)
    reason = REFUSAL_REASONS.get(data.get("refusal_reason") or "", "")
    # The job seeker reads the reason only if the employer chose to share it (DOMAIN §4).
    if reason and (not for_job_seeker or data.get("share_reason_with_job_seeker")):
        values["reason_line"] = f"Motif : {reason}\n\n"
    start = data.get("hiring_start_at") or (data.get("hire") or {}).get("hiring_start_at") or ""
    if start:
        values["hiring_start_display"] = "/".join(reversed(start.split("-")))
    return subject, body.format_map(values).strip()


def recipients(case, who):
    """Resolve recipient kinds (employer, job_seeker, sender) to (user or None, email, is_job_seeker)."""
    found = []
    for kind in who:
        if kind == "employer":
            org = case.organisation_for("employer")
            if org is not None:
                found += [(user, user.email, False) for user in org.active_members()]
        elif kind == "job_seeker" and case.job_seeker_id:
            seeker = db.session.get(JobSeeker, case.job_seeker_id)
            if seeker.user_id:
                found.append((seeker.user, seeker.user.email, True))
            elif seeker.email:
                found.append((None, seeker.email, True))
        elif kind == "sender":
            party = case.party("prescriber") or case.party("sender")
            if party is not None and party.user_id:
                sender = db.session.get(User, party.user_id)
                found.append((sender, sender.email, False))
        elif kind == "organisation_admins":
            # The admins of the organisation the case is about (an authorization request).
            org = case.organisation_for("organisation")
            if org is not None:
                admins = (User.query.join(Membership, Membership.user_id == User.id)
                          .filter(Membership.organisation_id == org.id, Membership.is_active.is_(True),
                                  Membership.is_admin.is_(True)).order_by(User.id))
                found += [(user, user.email, False) for user in admins]
    unique, seen = [], set()
    for user, email, seeker in found:
        key = user.id if user else email
        if key in seen or (user is not None and not user.is_active):
            continue  # inactive users receive nothing (DOMAIN §11)
        seen.add(key)
        unique.append((user, email, seeker))
    return unique


def _row(template, data, email, user=None, case_id=None, for_job_seeker=False):
    subject, body = render(template, data, for_job_seeker=for_job_seeker)
    mail_enabled = bool(current_app.config.get("MAIL_SERVER"))
    return Notification(recipient_id=user.id if user else None, recipient_email=email or "", case_id=case_id,
                        template=template, subject=subject, body=body,
                        status="pending" if mail_enabled else "in_app")


def _store(rows):
    """Add outbox rows; with SMTP configured, each is mailed by a job after the commit."""
    db.session.add_all(rows)
    if rows and current_app.config.get("MAIL_SERVER"):
        from app.jobs.queue import enqueue_after_commit
        db.session.flush()  # the jobs need the rows' ids
        for row in rows:
            enqueue_after_commit("app.jobs.mail.send_notification", row.id)
    return rows


def queue_direct(template, data, email, user=None):
    """One outbox row that belongs to no case, for an address that may have no account yet
    (an invitation to join an organisation); `user` when it has one, so it shows in the app too."""
    return _store([_row(template, data, email, user)])[0]


def queue(case, template, data, who):
    """Write one outbox row per recipient of the case; returns the rows."""
    return _store([_row(template, data, email, user, case.id, for_job_seeker=is_job_seeker)
                   for user, email, is_job_seeker in recipients(case, who)])


def queue_for_case_users(case, template, data, users):
    """Outbox rows of a case for named people (a prolongation request's assignee and colleagues)."""
    unique = {user.id: user for user in users if user is not None and user.is_active}.values()
    return _store([_row(template, data, user.email, user, case.id) for user in unique])


def queue_for_users(users, template, data):
    """Outbox rows for notices that concern no case (case_id None), one per active user."""
    unique = {user.id: user for user in users if user is not None and user.is_active}.values()
    return _store([_row(template, data, user.email, user) for user in unique])

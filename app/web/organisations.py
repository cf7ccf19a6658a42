"""Organisations: members and invitations, the invitation link, registering a new organisation.

/organisation/membres            members and pending invitations of the organisation one acts for
/invitations/<token>             the link of an invitation email: create the account, or join
/organisations/nouvelle          register an organisation (after creating an account if needed)

Rights are decided in app.permissions through app.services.organisations.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from app import formspec, permissions
from app.domain.vocabularies import COMPANY_KINDS, INSTITUTION_KINDS, PRESCRIBER_KINDS
from app.extensions import db
from app.services import organisations as service
from app.services.tasks import ServiceError
from app.web.errors import render_error
from app.web.session import current_organisation, set_current_organisation

bp = Blueprint("organisations", __name__)

NO_ORGANISATION = ("Vous n'agissez pour aucune organisation : inscrivez la vôtre, ou demandez à un collègue "
                   "de vous inviter.")


def _spec(form_key):
    return formspec.load_spec(form_key, current_app.config["FORMS_DIR"])


def _form(form_key, formdata=None):
    spec = _spec(form_key)
    kwargs = {"formdata": formdata} if formdata is not None else {}
    return spec, formspec.build_form(spec, {}, **kwargs)


def _show_errors(form, spec, exc):
    """Put a service's per-field messages on the form; the others come back as a list."""
    others = formspec.place_field_errors(form, exc.field_errors)
    if not exc.field_errors:
        others.append(exc.message)
    return others


def kind_label(organisation):
    kinds = {"prescriber": PRESCRIBER_KINDS, "company": COMPANY_KINDS,
             "institution": INSTITUTION_KINDS}.get(organisation.category, {})
    return kinds.get(organisation.kind, organisation.kind)


def _sign_in(user):
    session.clear()  # a fresh session for the new account: nothing carried over
    login_user(user)


# -- members -----------------------------------------------------------------------------

def _render_members(organisation, form=None, spec=None, form_errors=(), status=200):
    page = service.members_page(current_user, organisation)
    if form is None:
        spec, form = _form("member_invite")
    return render_template(
        "organisations/members.html", page=page, organisation=organisation, form=form, spec=spec,
        form_errors=list(form_errors), kind_label=kind_label(organisation),
        is_last_admin=service.is_last_admin, invitation_days=service.INVITATION_DAYS,
    ), status


@bp.route("/organisation/membres")
@login_required
def members():
    organisation = current_organisation()
    if organisation is None:
        return render_template("organisations/none.html", message=NO_ORGANISATION,
                               can_register=permissions.can_register_organisation(current_user))
    try:
        return _render_members(organisation)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)


@bp.route("/organisation/membres/inviter", methods=["POST"])
@login_required
def invite():
    organisation = current_organisation()
    if organisation is None:
        return render_error(403, NO_ORGANISATION)
    spec, form = _form("member_invite")
    data, errors = formspec.form_result(form)
    if errors:
        return _render_members(organisation, form, spec, status=422)
    try:
        invitation, replaced = service.invite(
            current_user, organisation, data["email"],
            lambda token: url_for("organisations.invitation", token=token, _external=True))
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 422:
            others = _show_errors(form, spec, exc)
            return _render_members(organisation, form, spec, others, status=422)
        return render_error(exc.status, exc.message)
    flash(f"Invitation envoyée à {invitation.email} : le lien est valable {service.INVITATION_DAYS} jours."
          + (" Elle remplace l'invitation précédente, dont le lien ne fonctionne plus." if replaced else ""),
          "success")
    return redirect(url_for("organisations.members"))


@bp.route("/organisation/invitations/<int:invitation_id>/revoquer", methods=["POST"])
@login_required
def revoke(invitation_id):
    organisation = current_organisation()
    if organisation is None:
        return render_error(403, NO_ORGANISATION)
    try:
        invitation = service.revoke_invitation(current_user, organisation, invitation_id)
    except ServiceError as exc:
        db.session.rollback()
        return render_error(exc.status, exc.message, links=[("Retour aux membres", url_for(".members"))])
    flash(f"L'invitation de {invitation.email} est révoquée : son lien ne fonctionne plus.", "success")
    return redirect(url_for("organisations.members"))


@bp.route("/organisation/membres/<int:membership_id>/retirer", methods=["GET", "POST"])
@login_required
def remove(membership_id):
    organisation = current_organisation()
    if organisation is None:
        return render_error(403, NO_ORGANISATION)
    back = [("Retour aux membres", url_for(".members"))]
    try:
        membership = service.membership_to_manage(current_user, organisation, membership_id)
        if request.method == "GET":
            return render_template("organisations/remove.html", organisation=organisation, membership=membership,
                                   is_self=membership.user_id == current_user.id,
                                   last_admin=service.is_last_admin(membership))
        person = membership.user.full_name
        leaving = membership.user_id == current_user.id
        service.remove_member(current_user, organisation, membership_id)
    except ServiceError as exc:
        db.session.rollback()
        return render_error(exc.status, exc.message, links=back)
    if leaving:
        flash(f"Vous avez quitté {organisation.name}.", "success")
        return redirect(url_for("inbox.index"))
    flash(f"{person} ne fait plus partie de {organisation.name}. Ses tâches en cours sont libérées.", "success")
    return redirect(url_for("organisations.members"))


@bp.route("/organisation/membres/<int:membership_id>/administrateur", methods=["POST"])
@login_required
def admin_rights(membership_id):
    organisation = current_organisation()
    if organisation is None:
        return render_error(403, NO_ORGANISATION)
    make_admin = request.form.get("administrateur") == "oui"
    try:
        membership = service.set_admin(current_user, organisation, membership_id, make_admin)
    except ServiceError as exc:
        db.session.rollback()
        return render_error(exc.status, exc.message, links=[("Retour aux membres", url_for(".members"))])
    name = membership.user.full_name
    flash(f"{name} est maintenant administrateur de {organisation.name}." if make_admin
          else f"{name} n'est plus administrateur de {organisation.name}.", "success")
    return redirect(url_for("organisations.members"))


# -- the invitation link -----------------------------------------------------------------------

def _invitation_page(invitation, status=200, **context):
    return render_template("organisations/invitation.html", invitation=invitation,
                           organisation=invitation.organisation, **context), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token):
    try:
        invitation = service.invitation_for_token(token)
    except ServiceError as exc:
        return render_template("organisations/invitation.html", invitation=None, problem=exc.message), exc.status
    closed = service.closed_invitation_message(invitation)
    if closed:
        return _invitation_page(invitation, 410, problem=closed)
    if current_user.is_authenticated:
        same_email = current_user.email.strip().lower() == invitation.email.strip().lower()
        if not same_email:
            return _invitation_page(invitation, 403, wrong_email=True)
        return _invitation_page(invitation, join=True)
    if service.find_user(invitation.email) is not None:
        return _invitation_page(invitation, login_needed=True,
                                login_url=url_for("auth.login", next=url_for(".invitation", token=token)))
    spec, form = _form("invitation_account")
    if request.method == "GET":
        return _invitation_page(invitation, form=form, spec=spec)
    data, errors = formspec.form_result(form)
    if errors:
        return _invitation_page(invitation, 422, form=form, spec=spec)
    try:
        user = service.create_account_and_join(invitation, data)
    except ServiceError as exc:
        db.session.rollback()
        return _invitation_page(invitation, exc.status, form=form, spec=spec,
                                form_errors=_show_errors(form, spec, exc))
    _sign_in(user)
    return _joined(invitation, f"Bienvenue {user.first_name} : votre compte est créé et vous avez rejoint "
                               f"{invitation.organisation.name}.")


@bp.route("/invitations/<token>/rejoindre", methods=["POST"])
@login_required
def join(token):
    try:
        invitation = service.invitation_for_token(token)
        service.accept_invitation(invitation, current_user)
    except ServiceError as exc:
        db.session.rollback()
        return render_error(exc.status, exc.message, title="Invitation impossible à utiliser")
    return _joined(invitation, f"Vous avez rejoint {invitation.organisation.name}.")


def _joined(invitation, message):
    set_current_organisation(invitation.organisation_id)
    flash(message + " Vous agissez maintenant pour cette organisation.", "success")
    return redirect(url_for("inbox.index"))


# -- registering an organisation --------------------------------------------------------------

@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
def new():
    if not current_user.is_authenticated:
        return _account_step()
    if not permissions.can_register_organisation(current_user):
        return render_error(403, "Un compte candidat ne peut pas inscrire d'organisation.")
    spec, form = _form("organisation_new")
    form_errors, status = [], 200
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        status = 422
        if not errors:
            try:
                organisation = service.create_organisation(current_user, data)
            except ServiceError as exc:
                db.session.rollback()
                if exc.status != 422:
                    return render_error(exc.status, exc.message)
                form_errors = _show_errors(form, spec, exc)
            else:
                set_current_organisation(organisation.id)
                flash(_registered_message(organisation), "success")
                return redirect(url_for("organisations.members"))
    return render_template("organisations/new.html", form=form, spec=spec, form_errors=form_errors,
                           account_step=False), status


def _registered_message(organisation):
    message = f"{organisation.name} est inscrite : vous en êtes l'administrateur ou l'administratrice."
    if organisation.authorization_status == "not_set":
        message += (" L'équipe support va vérifier son habilitation ; en attendant, vous pouvez orienter "
                    "des candidats.")
    return message


def _account_step():
    spec, form = _form("organisation_account")
    form_errors, status = [], 200
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        status = 422
        if not errors:
            try:
                user = service.register_account(data)
            except ServiceError as exc:
                db.session.rollback()
                form_errors = _show_errors(form, spec, exc)
            else:
                _sign_in(user)
                flash("Votre compte est créé. Inscrivez maintenant votre organisation.", "success")
                return redirect(url_for("organisations.new"))
    return render_template("organisations/new.html", form=form, spec=spec, form_errors=form_errors,
                           account_step=True,
                           login_url=url_for("auth.login", next=url_for("organisations.new"))), status

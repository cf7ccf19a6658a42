"""Sign in, sign out, and the organisation switcher."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import db, login_manager
from app.models import User
from app.models.base import utcnow
from app.web import session as org_session

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "Identifiants incorrects."
INACTIVE_ACCOUNT = ("Ce compte est désactivé : vous ne pouvez plus vous connecter. "
                    "Contactez l'administrateur de votre structure.")


def configure_login(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id):
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    # An account deactivated while signed in is signed out at its next request.
    return user if user is not None and user.is_active else None


def safe_next(target, default=None):
    """A local path to go back to, never another site (open redirect)."""
    default = default or url_for("inbox.index")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    errors, email = {}, ""
    status = 200
    if request.method == "POST":
        email = (request.form.get("email") or "").strip()
        password = request.form.get("password") or ""
        if not email:
            errors["email"] = "Renseignez votre adresse e-mail."
        if not password:
            errors["password"] = "Renseignez votre mot de passe."
        if not errors:
            user = User.query.filter(db.func.lower(User.email) == email.lower()).first()
            if user is None or not user.check_password(password):
                errors["form"] = BAD_CREDENTIALS
            elif not user.is_active:
                errors["form"] = INACTIVE_ACCOUNT
            else:
                session.clear()  # no choice of organisation or anything else carried over
                login_user(user)
                user.last_login_at = utcnow()
                db.session.commit()
                flash(f"Bonjour {user.first_name or user.full_name}, vous êtes connecté(e).", "success")
                return redirect(safe_next(request.form.get("next") or request.args.get("next")))
        status = 422 if errors else 200
    return render_template("auth/login.html", errors=errors, email=email,
                           next=request.values.get("next", "")), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté(e). À bientôt !", "info")
    return redirect(url_for("auth.login"))


@bp.route("/organisation", methods=["POST"])
@login_required
def switch_organisation():
    if org_session.set_current_organisation(request.form.get("organisation_id")):
        organisation = org_session.current_organisation()
        flash(f"Vous agissez maintenant pour {organisation.display_name}.", "success")
    else:
        flash("Vous ne faites pas partie de cette structure.", "error")
    # Another organisation sees other tasks: back to the inbox unless a page asked to come back.
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))

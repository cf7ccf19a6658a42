"""The user's in-app notifications, and the outbox page for development and support."""
import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Notification
from app.models.base import utcnow
from app.web.auth import safe_next

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 50
OUTBOX_PAGE_SIZE = 100

STATUS_LABELS = {
    "pending": ("En attente d'envoi", "info"),
    "sent": ("Envoyé par e-mail", "success"),
    "failed": ("Échec de l'envoi", "error"),
    "in_app": ("Dans l'application seulement", "new"),
}


def unread_count(user):
    if user is None or not user.is_authenticated:
        return 0
    return Notification.query.filter(Notification.recipient_id == user.id,
                                     Notification.read_at.is_(None)).count()


def outbox_visible(user):
    """The outbox shows everybody's mail: for development, the demo, and support only."""
    return bool(current_app.debug or current_app.config.get("DEMO_MODE")
                or (user is not None and user.is_authenticated and user.is_support))


def _page():
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.route("/notifications")
@login_required
def index():
    page = _page()
    query = (Notification.query.filter(Notification.recipient_id == current_user.id)
             .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(),
                       Notification.id.desc()))
    total = query.count()
    items = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return render_template("notifications/index.html", items=items, total=total, page=page, pages=pages,
                           unread=unread_count(current_user),
                           page_url=lambda n: url_for("notifications.index", page=n) if n > 1
                           else url_for("notifications.index"))


def _own(notification_id):
    notification = db.session.get(Notification, notification_id)
    # Someone else's notification does not exist for this user.
    if notification is None or notification.recipient_id != current_user.id:
        abort(404)
    return notification


@bp.route("/notifications/<int:notification_id>/lue", methods=["POST"])
@login_required
def mark_read(notification_id):
    notification = _own(notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    flash("Notification marquée comme lue.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.route("/notifications/toutes-lues", methods=["POST"])
@login_required
def mark_all_read():
    count = (Notification.query.filter(Notification.recipient_id == current_user.id,
                                       Notification.read_at.is_(None))
             .update({"read_at": utcnow()}, synchronize_session=False))
    db.session.commit()
    flash("Toutes vos notifications sont marquées comme lues." if count else
          "Vous n'aviez aucune notification non lue.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/dev/outbox")
@login_required
def outbox():
    if not outbox_visible(current_user):
        abort(404)
    page = _page()
    query = Notification.query.order_by(Notification.created_at.desc(), Notification.id.desc())
    total = query.count()
    items = query.offset((page - 1) * OUTBOX_PAGE_SIZE).limit(OUTBOX_PAGE_SIZE).all()
    pages = max(1, math.ceil(total / OUTBOX_PAGE_SIZE))
    return render_template("notifications/outbox.html", items=items, total=total, page=page, pages=pages,
                           status_labels=STATUS_LABELS,
                           page_url=lambda n: url_for("notifications.outbox", page=n) if n > 1
                           else url_for("notifications.outbox"))

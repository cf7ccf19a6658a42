"""The mail job: send one outbox notification by SMTP (retried by RQ on failure)."""
import smtplib
from email.message import EmailMessage

from flask import current_app

from app.extensions import db
from app.models import Notification
from app.models.base import utcnow


def send_notification(notification_id):
    row = db.session.get(Notification, notification_id)
    if row is None or row.status == "sent" or not row.recipient_email:
        return False
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = row.recipient_email
    message["Subject"] = f"[Parcours] {row.subject}"
    message.set_content(row.body + "\n\n— Parcours, les parcours d'insertion par l'activité économique")
    row.attempts += 1
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        row.status = "failed"
        db.session.commit()
        raise  # RQ retries with backoff; the row stays visible in the outbox meanwhile
    row.status = "sent"
    row.sent_at = utcnow()
    db.session.commit()
    return True

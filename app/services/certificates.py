"""The PASS IAE certificate (DOMAIN §7.1): an attestation employers keep in their files and the
holder may show, as a printable page and as a PDF (WeasyPrint renders the same HTML template).

Every copy handed out (PDF or printable page) is an export of personal data, so it is logged
in the audit log with its author (DOMAIN §13).
"""
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template

from app.domain import approvals as rules
from app.extensions import db
from app.models.audit import record
from app.services import approvals
from app.services.tasks import ServiceError

CANCELLED = ("Ce PASS IAE a été annulé (l'embauche qui l'avait ouvert a été annulée) : aucune attestation "
             "ne peut être délivrée.")
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "certificate.css"


@dataclass(frozen=True)
class Certificate:
    filename: str
    content: bytes


def context(approval, today):
    """What the certificate template shows: the PASS as seen today and the day it is delivered."""
    pass_view = approvals.view(approval, today)
    if pass_view.status == approvals.STATUS_CANCELLED:
        raise ServiceError(CANCELLED, 409)
    return {"approval": approval, "pass_view": pass_view, "seeker": approval.job_seeker, "today": today}


def filename(approval):
    return f"attestation-pass-iae-{approval.number}.pdf"


def log_delivery(approval, actor, organisation, file_format):
    """One audit row per copy handed out: who, for which organisation, which PASS, which format."""
    shown = rules.format_pass_number(approval.number)
    what = "PDF téléchargée" if file_format == "pdf" else "page imprimable consultée"
    record("pass_certificate_delivered", actor=actor, organisation=organisation,
           summary=f"Attestation du PASS IAE {shown} ({approval.job_seeker.full_name}) : {what}",
           data={"approval_id": approval.id, "number": approval.number, "format": file_format})


def pdf(approval, actor, organisation, today):
    """The certificate as a PDF, logged in the same transaction as the caller's commit."""
    from weasyprint import CSS, HTML  # heavy import (pango): only when a PDF is asked for

    html = render_template("approvals/certificate_document.html", for_pdf=True, **context(approval, today))
    content = HTML(string=html, base_url=current_app.root_path).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))])
    log_delivery(approval, actor, organisation, "pdf")
    db.session.commit()
    return Certificate(filename(approval), content)

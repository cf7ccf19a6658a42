"""What every page's layout needs (user, organisation switcher, navigation) and HTML headers."""
import logging

from flask import Response, request
from flask_login import current_user
from markupsafe import Markup

from app.web import session as org_session
from app.web.errors import is_api_request

log = logging.getLogger(__name__)

# No inline script anywhere: the pages run under this policy. bpmn-js and DSFR set
# style attributes, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _layout_context():
    from app.web.notifications import outbox_visible, unread_count

    empty = {"current_org": None, "memberships": [], "unread_notifications": 0, "show_outbox": False}
    try:
        if not current_user.is_authenticated:
            return empty
        return {
            "current_org": org_session.current_organisation(),
            "memberships": org_session.active_memberships(),
            "unread_notifications": unread_count(current_user),
            "show_outbox": outbox_visible(current_user),
        }
    except Exception:
        # The error page of a failing database must still render.
        log.exception("contexte de mise en page indisponible")
        return empty


def nav_current(*endpoints):
    """aria-current="page" for the navigation link of the page being shown."""
    return Markup(' aria-current="page"') if request.endpoint in endpoints else ""


def _security_headers(response):
    if response.mimetype == "text/html" and not is_api_request():
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register_layout(app):
    app.context_processor(_layout_context)
    app.add_template_global(nav_current, "nav_current")
    from app.web.casedata import role_label, stage_severity
    app.add_template_global(stage_severity, "stage_severity")
    app.add_template_global(role_label, "role_label")
    app.after_request(_security_headers)


def pdf_response(document, attachment=False):
    """A stored PDF (a CV, a report, a certificate) as the browser receives it: shown inline or
    downloaded, and never kept by a cache, since it holds personal data."""
    response = Response(document.content, mimetype="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

"""French error pages for the HTML side; /api/ paths are left to the JSON API.

Handlers are app-wide (a 404 on an unknown URL belongs to no blueprint). For a
path under /api/ they answer JSON: through `app.extensions["api_error_renderer"]`
(a function (status, message) -> response) when the API registers one, else a
minimal {"error": {"status", "message"}} body. Handlers the API registers on its
own blueprint win over these for its routes anyway (Flask looks there first).
"""
import logging

from flask import current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

# status -> (page title, message for the user)
MESSAGES = {
    400: ("Demande incorrecte", "La demande n'a pas pu être comprise. Revenez en arrière et recommencez."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page avec la structure pour laquelle vous agissez."),
    404: ("Page introuvable", "La page que vous cherchez n'existe pas ou n'existe plus."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    409: ("Action impossible pour le moment", "Quelqu'un a modifié ce dossier en même temps que vous. "
                                              "Rechargez la page et vérifiez avant de recommencer."),
    413: ("Fichier trop volumineux", "Le fichier dépasse la taille autorisée."),
    422: ("Formulaire incomplet", "Le formulaire contient des erreurs : corrigez les champs signalés."),
    500: ("Erreur technique", "Nous sommes désolés : une erreur technique nous empêche d'afficher cette page. "
                              "Réessayez dans quelques minutes ; si le problème continue, contactez le support."),
}
CSRF_MESSAGE = "La page a expiré, merci de recommencer."


def is_api_request():
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def render_error(status, message=None, title=None, case=None, links=None):
    """The French error page (or the API's JSON) with `status`."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    message = message or default_message
    if is_api_request():
        return api_error(status, message)
    return render_template("errors/error.html", status=status, title=title or default_title,
                           message=message, case=case, links=links or []), status


def api_error(status, message):
    renderer = current_app.extensions.get("api_error_renderer")
    if renderer is not None:
        return renderer(status, message)
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return response


def abort_fr(status, message):
    """abort() with a French message shown as is on the error page."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[status](description=message)
    error.parcours_message = True
    raise error


def _service_error(error):
    """A refusal from app.services (French message and status) that a view let through."""
    if error.status >= 500:
        log.error("Erreur de service %s sur %s : %s", error.status, request.path, error.message)
    return render_error(error.status, error.message)


def _http_error(error):
    status = error.code or 500
    if isinstance(error, CSRFError):
        return render_error(400, CSRF_MESSAGE, title="Page expirée")
    if status == 405:
        response = render_error(405)
        # Keep the Allow header werkzeug computed.
        if not is_api_request() and getattr(error, "valid_methods", None):
            body, code = response
            return body, code, {"Allow": ", ".join(error.valid_methods)}
        return response
    if status >= 500:
        return _server_error(error)
    # Our own abort(…, description=…) carries a French message; werkzeug's defaults are English.
    description = error.description if _is_french(error) else None
    return render_error(status, description)


def _is_french(error):
    return bool(getattr(error, "parcours_message", False))


def _server_error(error):
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, HTTPException):
        log.exception("Erreur non traitée sur %s", request.path, exc_info=original)
    try:
        db.session.rollback()
    except Exception:  # the database itself may be what failed
        log.exception("rollback impossible après une erreur")
    return render_error(500)


def register_error_handlers(app):
    from app.services.tasks import ServiceError

    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    # Anything else (a bug): Flask wraps it as InternalServerError(original_exception) for
    # the 500 handler when not propagating exceptions (production); tests see the bug itself.
    app.register_error_handler(500, _server_error)

"""JSON errors of the API: {"error": "<French message>", "fields"?: {name: [messages]}}.

Errors raised in API views go through the blueprint's handlers. Routing errors
(an unknown /api/... URL, a wrong method) happen before any blueprint is chosen:
app-level 404/405 handlers answer JSON for /api/ paths only and hand every other
path to the handler the web registered for that error (or Flask's default page).
"""
import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from app.services.tasks import ServiceError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

MESSAGES = {
    400: "La requête est invalide.",
    401: "Authentification requise : envoyez un jeton dans l'en-tête Authorization: Bearer <jeton>.",
    403: "Vous n'avez pas le droit d'accéder à cette ressource.",
    404: "Cette ressource n'existe pas.",
    405: "Cette méthode HTTP n'est pas acceptée pour cette adresse.",
    409: "Cette action entre en conflit avec l'état actuel de la ressource.",
    413: "Le corps de la requête est trop volumineux.",
    415: "Le corps de la requête doit être du JSON.",
    422: "Les données envoyées contiennent des erreurs.",
    429: "Trop de requêtes : réessayez dans un instant.",
    500: "Une erreur interne est survenue. L'équipe technique a été prévenue ; réessayez plus tard.",
}
NOT_A_JSON_OBJECT = "Le corps de la requête doit être un objet JSON."


class ApiError(Exception):
    """An error raised by the API layer itself (authentication, request shape)."""

    def __init__(self, status, message=None, fields=None, headers=None):
        super().__init__(message or MESSAGES.get(status, ""))
        self.status = status
        self.message = message or MESSAGES.get(status, MESSAGES[400])
        self.fields = fields or {}
        self.headers = headers or {}


def json_error(status, message=None, fields=None, headers=None):
    body = {"error": message or MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])}
    if fields:
        body["fields"] = {name: list(messages) for name, messages in fields.items()}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="parcours"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request():
    return request.path == API_PREFIX.rstrip("/") or request.path.startswith(API_PREFIX)


def _http_error(exc):
    status = exc.code or 500
    message = MESSAGES.get(status) or (MESSAGES[500] if status >= 500 else MESSAGES[400])
    headers = {}
    valid_methods = getattr(exc, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(sorted(valid_methods))
    return json_error(status, message, headers=headers)


def register_blueprint_handlers(bp):
    @bp.errorhandler(ApiError)
    def _api_error(exc):
        return json_error(exc.status, exc.message, exc.fields, exc.headers)

    @bp.errorhandler(ServiceError)
    def _service_error(exc):
        status = exc.status if isinstance(exc.status, int) and 400 <= exc.status <= 599 else 400
        if status >= 500:
            log.error("service error %s on %s: %s", status, request.path, exc.message)
        return json_error(status, exc.message, exc.field_errors)

    @bp.errorhandler(InternalServerError)
    def _internal_error(exc):
        # Reached for unhandled exceptions when the app does not propagate them (production).
        original = getattr(exc, "original_exception", None)
        if original is not None:
            log.error("unhandled error on %s", request.path, exc_info=original)
        return json_error(500)

    @bp.errorhandler(HTTPException)
    def _http_exception(exc):
        return _http_error(exc)


def register_app_handlers(app):
    """404 and 405 raised by routing: JSON for /api/ paths, the web's page for the others.

    A handler the web registered for the same code before us is kept and called
    for non-API paths; one registered after us replaces ours (tests/web/test_api.py
    checks that /api/ paths still answer JSON in the assembled app).
    """
    for code in (404, 405):
        previous = (app.error_handler_spec.get(None, {}).get(code) or {}).copy()
        app.register_error_handler(code, _routing_error_handler(app, code, previous))


def _routing_error_handler(app, code, previous):
    def handler(exc):
        if is_api_request():
            return _http_error(exc)
        return _delegate(app, exc, previous)
    handler.__name__ = f"api_json_or_web_{code}"
    handler.parcours_api_handler = True
    return handler


def _delegate(app, exc, previous):
    """Call the handler Flask would have chosen without ours (the web's), else the default page."""
    spec = app.error_handler_spec.get(None, {})
    for handlers in (previous, spec.get(exc.code) or {}, spec.get(None) or {}):
        for cls in type(exc).__mro__:
            found = handlers.get(cls)
            if found is not None and not getattr(found, "parcours_api_handler", False):
                return found(exc)
    return exc

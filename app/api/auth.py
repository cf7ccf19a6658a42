"""Bearer tokens: issued for an email and password, stored hashed, acting for one organisation.

A token is `secrets.token_urlsafe(32)`; only its SHA-256 is stored (a leaked database
gives no usable token). It expires after API_TOKEN_TTL_HOURS (12 by default) and acts
for one organisation the user is an active member of: the organisation whose inbox
`scope=organisation` lists and on whose behalf cases are opened, as the organisation
chosen in the web session does. What the user may see and do is still decided by
app.permissions from all their active memberships, exactly as for the HTML views.
"""
import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app, g, request
from sqlalchemy import func
from werkzeug.security import check_password_hash, generate_password_hash

from app.api.errors import ApiError
from app.extensions import db
from app.models import ApiToken, Membership, Organisation, User
from app.models.base import utcnow

DEFAULT_TTL_HOURS = 12
BAD_CREDENTIALS = "Identifiants incorrects."
INACTIVE_ACCOUNT = "Ce compte est désactivé : contactez l'administrateur de votre organisation."
MISSING_TOKEN = ("Authentification requise : envoyez un jeton dans l'en-tête "
                 "Authorization: Bearer <jeton> (obtenu par POST /api/v1/tokens).")
MALFORMED_HEADER = "En-tête Authorization invalide : attendu « Bearer <jeton> »."
INVALID_TOKEN = "Ce jeton n'est pas valable : demandez-en un nouveau."
EXPIRED_TOKEN = "Ce jeton a expiré : demandez-en un nouveau."
NOT_A_MEMBER_ANYMORE = ("Ce jeton n'est plus valable : vous n'êtes plus membre actif de l'organisation "
                        "pour laquelle il a été délivré.")
NOT_A_MEMBER = "Vous n'êtes pas membre actif de cette organisation."

# RFC 6750: a token that was sent but is not valid says so in WWW-Authenticate.
INVALID_TOKEN_HEADERS = {"WWW-Authenticate": 'Bearer realm="parcours", error="invalid_token"'}


@lru_cache(maxsize=1)
def _dummy_hash():
    """Checked when the email is unknown, so that answering takes as long as for a wrong password."""
    return generate_password_hash(secrets.token_urlsafe(16))


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ttl():
    hours = current_app.config.get("API_TOKEN_TTL_HOURS", DEFAULT_TTL_HOURS)
    return timedelta(hours=float(hours))


def authenticate(email, password):
    """The active user with these credentials, else ApiError 401."""
    user = User.query.filter(func.lower(User.email) == email.strip().lower()).first()
    if user is None:
        check_password_hash(_dummy_hash(), password)
        raise ApiError(401, BAD_CREDENTIALS)
    if not user.check_password(password):
        raise ApiError(401, BAD_CREDENTIALS)
    if not user.is_active:
        raise ApiError(401, INACTIVE_ACCOUNT)
    return user


def active_organisations(user):
    return (Organisation.query.join(Membership, Membership.organisation_id == Organisation.id)
            .filter(Membership.user_id == user.id, Membership.is_active.is_(True))
            .order_by(Organisation.name, Organisation.id).all())


def issue_token(user, organisation_id=None):
    """Create a token for `user` acting for `organisation_id`.

    The default is the organisation the web would choose: the first active membership
    by organisation name (app/web/session.py).
    """
    organisations = active_organisations(user)
    if organisation_id is None:
        organisation = organisations[0] if organisations else None
    else:
        organisation = next((o for o in organisations if o.id == organisation_id), None)
        if organisation is None:
            raise ApiError(403, NOT_A_MEMBER, {"organisation_id": [NOT_A_MEMBER]})
    now = utcnow()
    # Expired tokens of this user are of no use to anyone: drop them while we are here.
    ApiToken.query.filter(ApiToken.user_id == user.id, ApiToken.expires_at <= now).delete(
        synchronize_session=False)
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token),
                   organisation_id=organisation.id if organisation else None,
                   created_at=now, expires_at=now + ttl())
    db.session.add(row)
    user.last_login_at = now
    db.session.commit()
    return token, row, organisation


def load_bearer():
    """Authenticate the request from its Authorization header; sets g.api_user, g.api_token, g.api_org."""
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise ApiError(401, MISSING_TOKEN)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise ApiError(401, MALFORMED_HEADER)
    row = ApiToken.query.filter_by(token_hash=hash_token(token)).first()
    if row is None:
        raise ApiError(401, INVALID_TOKEN, headers=INVALID_TOKEN_HEADERS)
    if row.expires_at is None or row.expires_at <= utcnow():
        raise ApiError(401, EXPIRED_TOKEN, headers=INVALID_TOKEN_HEADERS)
    user = row.user
    if user is None or not user.is_active:
        raise ApiError(401, INACTIVE_ACCOUNT, headers=INVALID_TOKEN_HEADERS)
    organisation = None
    if row.organisation_id is not None:
        membership = Membership.query.filter_by(user_id=user.id, organisation_id=row.organisation_id,
                                                is_active=True).first()
        if membership is None:
            raise ApiError(401, NOT_A_MEMBER_ANYMORE, headers=INVALID_TOKEN_HEADERS)
        organisation = membership.organisation
    g.api_user, g.api_token, g.api_org = user, row, organisation
    return user


def revoke(row):
    db.session.delete(row)
    db.session.commit()

"""The organisation a professional acts for, kept in the Flask session (DOMAIN §2).

A user may belong to several organisations and acts for one at a time: the one
chosen with the switcher in the header, else their first active membership
(by organisation name). Job seekers and staff without membership act for none.

    from app.web.session import current_organisation
    org = current_organisation()          # Organisation or None, for current_user
    org = current_organisation(user)      # for another user object (no session choice)
"""
from flask import g, has_request_context, session
from flask_login import current_user

from app.extensions import db
from app.models import Membership, Organisation

SESSION_KEY = "organisation_id"


def active_memberships(user=None):
    """The user's active memberships, ordered by organisation name."""
    user = _resolve(user)
    if user is None:
        return []
    return (Membership.query.join(Organisation, Organisation.id == Membership.organisation_id)
            .filter(Membership.user_id == user.id, Membership.is_active.is_(True))
            .order_by(Organisation.name, Organisation.id).all())


def current_organisation(user=None):
    """The organisation `user` (default: the signed-in user) acts for, or None."""
    explicit = user is not None
    user = _resolve(user)
    if user is None:
        return None
    cache = _request_cache()
    if cache is not None and user.id in cache:
        return cache[user.id]
    memberships = active_memberships(user)
    chosen = None
    wanted = session.get(SESSION_KEY) if has_request_context() and not explicit else None
    if wanted is not None:
        chosen = next((m.organisation for m in memberships if m.organisation_id == wanted), None)
    if chosen is None and memberships:
        chosen = memberships[0].organisation
    if cache is not None:
        cache[user.id] = chosen
    return chosen


def set_current_organisation(organisation_id, user=None):
    """Act for `organisation_id` from now on; False if the user is not an active member of it."""
    user = _resolve(user)
    if user is None:
        return False
    try:
        organisation_id = int(organisation_id)
    except (TypeError, ValueError):
        return False
    if not any(m.organisation_id == organisation_id for m in active_memberships(user)):
        return False
    session[SESSION_KEY] = organisation_id
    cache = _request_cache()
    if cache is not None:
        cache.pop(user.id, None)
    return True


def forget_current_organisation():
    session.pop(SESSION_KEY, None)


def current_organisation_id(user=None):
    organisation = current_organisation(user)
    return organisation.id if organisation is not None else None


def _resolve(user):
    if user is None:
        if not has_request_context():
            return None
        user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    # current_user is a proxy: hand back the real object so it can be compared and cached.
    getter = getattr(user, "_get_current_object", None)
    user = getter() if getter else user
    return user if isinstance(user, db.Model) else None


def _request_cache():
    if not has_request_context():
        return None
    if not hasattr(g, "_parcours_current_org"):
        g._parcours_current_org = {}
    return g._parcours_current_org

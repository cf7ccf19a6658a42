"""Job seekers in the API (DOMAIN §13), on the /api/v1 blueprint of views.py.

GET /api/v1/job-seekers/{id}          a person, for those allowed to see them
GET /api/v1/job-seekers?nir=|email=   the people with this NIR or email the caller may see

A person is visible to themself, to members of the organisations bound to one of the
cases about them, and to support; prescribers never read employers' diagnoses.
"""
from flask import g, jsonify, request

from app import permissions
from app.api.errors import ApiError
from app.api.views import MAX_ID, bp
from app.domain.errors import InvalidIdentifier
from app.services import job_seekers
from app.services.tasks import ServiceError

NOT_VISIBLE = ("Cette personne n'a pas de candidature liée à votre organisation : vous ne pouvez pas consulter "
               "sa fiche.")


@bp.get(f"/job-seekers/<int(max={MAX_ID}):job_seeker_id>")
def get_job_seeker(job_seeker_id):
    seeker = job_seekers.get(job_seeker_id)
    if seeker is None:
        raise ServiceError("Ce candidat n'existe pas.", 404)
    if not permissions.can_see_job_seeker(g.api_user, seeker):
        raise ServiceError(NOT_VISIBLE, 403)
    return jsonify(job_seekers.as_json(seeker, g.api_user, g.api_org))


@bp.get("/job-seekers")
def search_job_seekers():
    unknown = {name: ["Paramètre inconnu : cherchez par nir ou par email."]
               for name in request.args if name not in ("nir", "email")}
    nir, email = (request.args.get("nir") or "").strip(), (request.args.get("email") or "").strip()
    if unknown:
        raise ApiError(400, "Paramètre de requête invalide.", unknown)
    if bool(nir) == bool(email):
        raise ApiError(400, "Cherchez par nir ou par email, l'un des deux.",
                       {"nir": ["Indiquez un NIR ou une adresse e-mail (pas les deux)."]})
    if nir:
        try:
            nir = job_seekers.normalize_nir(nir)
        except InvalidIdentifier as error:
            raise ApiError(422, "Le NIR est invalide.", {"nir": [str(error)]}) from None
    found = job_seekers.search(g.api_user, nir=nir or None, email=email or None)
    return jsonify({"items": [job_seekers.as_json(seeker, g.api_user, g.api_org) for seeker in found]})

"""/processus: process owners edit, check, publish, roll back and migrate the BPMN diagrams.

Support staff read the same pages (lists, versions, comparisons, checks, simulations)
without changing anything; everybody else gets a 403. The modeler page talks JSON to
the routes under /processus/<key>/brouillon (assets/js/modeler.js).
"""
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app import formspec, permissions
from app.domain.vocabularies import ROLES
from app.engine import bpmn_extensions, checks, operations
from app.extensions import db
from app.services import process_admin as service
from app.services.tasks import ServiceError
from app.web.errors import render_error

bp = Blueprint("process_admin", __name__, url_prefix="/processus")

READ_ONLY = "Cette page est réservée aux propriétaires des processus et à l'équipe support."
OWNERS_ONLY = "Seuls les propriétaires des processus peuvent modifier, publier ou migrer les processus."


class Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


@bp.before_request
@login_required
def _may_view():
    if not permissions.can_view_processes(current_user):
        return _error(403, READ_ONLY)
    return None


@bp.errorhandler(ServiceError)
def _service_error(exc):
    db.session.rollback()
    return _error(exc.status, exc.message, exc.field_errors)


@bp.errorhandler(Refused)
def _refused(exc):
    return _error(exc.status, exc.message)


def _wants_json():
    return request.is_json or request.path.endswith(".json") or \
        request.accept_mimetypes.best == "application/json"


def _error(status, message, fields=None):
    if _wants_json():
        response = jsonify({"error": {"status": status, "message": message, "fields": fields or {}}})
        response.status_code = status
        return response
    return render_error(status, message)


def _require_owner():
    if not permissions.can_edit_processes(current_user):
        raise Refused(403, OWNERS_ONLY)


def _render_form(spec_key, context=None, formdata=None):
    spec = formspec.load_spec(spec_key, service.forms_dir())
    kwargs = {"formdata": formdata} if formdata is not None else {}
    return spec, formspec.build_form(spec, context or {}, **kwargs)


def _page(template, **context):
    return render_template(f"processes/{template}", can_edit=permissions.can_edit_processes(current_user),
                           **context)


# -- lists and versions ------------------------------------------------------------------------

@bp.route("")
def index():
    return _page("index.html", processes=service.process_list())


@bp.route("/<key>")
def show(key):
    summary = service.summary(key)
    return _page("show.html", summary=summary, versions=service.versions(key))


@bp.route("/<key>/versions/<int:number>")
def version(key, number):
    found = service.get_version(key, number)
    return _page("version.html", summary=service.summary(key), version=found, elements=service.described(found.xml))


@bp.route("/<key>/versions/<int:number>.bpmn")
def export_version(key, number):
    found = service.get_version(key, number)
    return _bpmn_file(found.xml, f"{key}-v{number}.bpmn")


def _bpmn_file(xml, filename):
    download = request.args.get("telecharger") == "1"
    response = Response(xml, mimetype="application/xml")
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/<key>/comparer")
def compare(key):
    summary = service.summary(key)
    try:
        old, new = int(request.args.get("de", "")), int(request.args.get("a", ""))
    except ValueError:
        raise Refused(404, "Choisissez deux versions à comparer.") from None
    result = service.comparison(key, old, new)
    return _page("compare.html", summary=summary, comparison=result, old=old, new=new,
                 old_label=f"version {old}", new_label=f"version {new}")


@bp.route("/<key>/versions/<int:number>/republier", methods=["GET", "POST"])
def republish(key, number):
    _require_owner()
    summary = service.summary(key)
    found = service.get_version(key, number)
    spec, form = _render_form("process_rollback", formdata=request.form if request.method == "POST" else None)
    problems, error = [], None
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        if not errors:
            try:
                created = service.republish(key, number, data["note"], current_user)
            except service.DraftHasErrors as exc:
                problems, error = exc.problems, exc.message
            except ServiceError as exc:
                if exc.status != 422:
                    raise
                error = exc.message
            else:
                flash(f"La version {number} est de nouveau en service, sous le numéro {created.version}.", "success")
                return redirect(url_for("process_admin.show", key=key))
        status = 422
    else:
        status = 200
    return _page("republish.html", summary=summary, version=found, spec=spec, form=form, problems=problems,
                 error=error), status


# -- the draft -------------------------------------------------------------------------------

@bp.route("/<key>/modeler")
def modeler(key):
    _require_owner()
    return _page("modeler.html", summary=service.summary(key), element=request.args.get("element", ""))


@bp.route("/editeur.json")
def editor_config():
    """What the modeler's dedicated fields offer: operations, roles, form keys, property names."""
    roles = [{"value": label, "label": label} for label in ROLES.values()]
    roles.append({"value": bpmn_extensions.AUTOMATIC_LANE,
                  "label": f"{bpmn_extensions.AUTOMATIC_LANE} (étapes automatiques)"})
    return jsonify({"operations": [{"value": name, "label": label} for name, label in operations.names().items()],
                    "roles": roles, "formKeys": service.form_keys()})


@bp.route("/<key>/brouillon.json")
def draft_state(key):
    return jsonify(service.editor_state(key))


def _json_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ServiceError("La demande est illisible : rechargez la page et recommencez.", 400)
    return body


@bp.route("/<key>/brouillon", methods=["POST"])
def save_draft(key):
    _require_owner()
    body = _json_body()
    draft = service.save_draft(key, body.get("xml"), body.get("forms"), body.get("lock"), current_user)
    return jsonify({"lock": draft.lock, "message": "Brouillon enregistré.",
                    "updated_at": draft.updated_at.isoformat() if draft.updated_at else None})


@bp.route("/<key>/brouillon/verifier", methods=["POST"])
def check_posted(key):
    """Check what the editor holds (saved or not): the problems, each with its element."""
    _require_owner()
    service.latest(key)
    body = _json_body()
    xml = body.get("xml")
    if not isinstance(xml, str):
        raise ServiceError("Le diagramme est vide.", 422)
    problems = service.check(key, xml, _forms_or_empty(body.get("forms")))
    return jsonify({"problems": [p.as_dict() for p in problems], "errors": len(checks.errors(problems))})


def _forms_or_empty(forms):
    return {k: v for k, v in forms.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(forms, dict) else {}


@bp.route("/<key>/brouillon/verification")
def check_draft(key):
    summary = service.summary(key)
    problems = service.check_draft(key)
    return _page("check.html", summary=summary, problems=problems, errors=checks.errors(problems))


@bp.route("/<key>/brouillon/comparaison")
def compare_draft(key):
    summary = service.summary(key)
    result = service.draft_comparison(key)
    return _page("compare.html", summary=summary, comparison=result, old=summary.published.version, new=None,
                 old_label=f"version {summary.published.version} (en service)", new_label="brouillon")


@bp.route("/<key>/brouillon.bpmn")
def export_draft(key):
    draft = service.draft_of(key)
    if draft is None:
        raise Refused(404, "Il n'y a pas de brouillon pour ce processus.")
    return _bpmn_file(draft.xml, f"{key}-brouillon.bpmn")


@bp.route("/<key>/brouillon/abandonner", methods=["POST"])
def discard_draft(key):
    _require_owner()
    service.discard_draft(key, request.args.get("verrou"), current_user)
    flash("Le brouillon est abandonné : la version en service reste inchangée.", "success")
    return redirect(url_for("process_admin.show", key=key))


@bp.route("/formulaires/apercu", methods=["POST"])
def preview_form():
    """The rendered form of a YAML spec typed in the editor (HTML fragment), or its problems."""
    _require_owner()
    body = _json_body()
    spec, problems = service.preview_form(body.get("form_key"), body.get("yaml"))
    form = None
    if spec is not None:
        try:
            form = formspec.build_form(spec, {}, formdata=None)
        except Exception as exc:  # a provider may need a context the preview has not: say so, no 500
            spec, problems = None, [f"L'aperçu n'a pas pu être construit : {exc}"]
    return render_template("processes/_form_preview.html", spec=spec, form=form, problems=problems)


@bp.route("/formulaires/<form_key>.yaml")
def form_text(form_key):
    text = service.published_form_text(form_key)
    if text is None:
        raise Refused(404, f"Le formulaire « {form_key} » n'existe pas.")
    return Response(text, mimetype="text/plain; charset=utf-8")


# -- publishing ------------------------------------------------------------------------------

@bp.route("/<key>/publier", methods=["GET", "POST"])
def publish(key):
    _require_owner()
    summary = service.summary(key)
    draft = summary.draft
    if draft is None:
        raise Refused(404, "Il n'y a pas de brouillon à publier : ouvrez l'éditeur pour en créer un.")
    spec, form = _render_form("process_publish", formdata=request.form if request.method == "POST" else None)
    problems, error, status = service.check(key, draft.xml, draft.forms), None, 200
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        status = 422
        if not errors:
            try:
                created = service.publish(key, request.args.get("verrou"), data["note"], current_user)
            except service.DraftHasErrors as exc:
                problems, error = exc.problems, exc.message
            except ServiceError as exc:
                if exc.status == 409:
                    error, status = exc.message, 409
                elif exc.status == 422:
                    error = exc.message
                else:
                    raise
            else:
                flash(f"Version {created.version} publiée : les nouveaux dossiers la suivent dès maintenant.",
                      "success")
                return redirect(url_for("process_admin.show", key=key))
    return _page("publish.html", summary=summary, draft=draft, spec=spec, form=form, problems=problems,
                 errors=checks.errors(problems), error=error), status


# -- simulation and migration ---------------------------------------------------------------------

@bp.route("/<key>/simulation")
def simulate(key):
    summary = service.summary(key)
    report = service.simulate_draft(key)
    return _page("simulation.html", summary=summary, report=report)


def _case_choices(cases):
    return {str(c.id): f"{c.reference or c.id} — version {c.process_version.version}"
                       f"{' — ' + c.stage_label if c.stage_label else ''}" for c in cases}


@bp.route("/<key>/migration")
def migration(key):
    _require_owner()
    summary = service.summary(key)
    cases = service.migration_candidates(key)
    spec, form = _render_form("process_migration", {"cases": _case_choices(cases)})
    return _page("migration.html", summary=summary, cases=cases, spec=spec, form=form)


@bp.route("/<key>/migration/verification", methods=["POST"])
def migration_precheck(key):
    _require_owner()
    summary = service.summary(key)
    cases = service.migration_candidates(key)
    spec, form = _render_form("process_migration", {"cases": _case_choices(cases)}, formdata=request.form)
    data, errors = formspec.form_result(form)
    if errors:
        return _page("migration.html", summary=summary, cases=cases, spec=spec, form=form), 422
    newest, trials = service.precheck(key, [int(i) for i in data["cases"]])
    movable = {f"{t.case_id}-{t.lock_version}": f"{t.reference} — version {t.from_version}"
               for t in trials if t.ok}
    spec, form = _render_form("process_migration", {"cases": movable},
                              formdata=_ticked(movable))
    return _page("precheck.html", summary=summary, newest=newest, trials=trials, spec=spec, form=form)


def _ticked(choices):
    return MultiDict([("cases", code) for code in choices])


@bp.route("/<key>/migration/executer", methods=["POST"])
def migration_run(key):
    _require_owner()
    summary = service.summary(key)
    # The codes carry the lock_version seen at the pre-check ("<case id>-<lock>"): the choices
    # are the submitted codes of this process's cases, checked against their current lock below.
    submitted = [code for code in request.form.getlist("cases") if _selection(code) is not None]
    spec, form = _render_form("process_migration", {"cases": {code: code for code in submitted}},
                              formdata=request.form)
    data, errors = formspec.form_result(form)
    if errors:
        cases = service.migration_candidates(key)
        spec, form = _render_form("process_migration", {"cases": _case_choices(cases)})
        return _page("migration.html", summary=summary, cases=cases, spec=spec, form=form,
                     error="Choisissez au moins un dossier à migrer."), 422
    newest, outcomes = service.migrate(key, [_selection(code) for code in data["cases"]], current_user)
    status = 200 if all(o.migrated for o in outcomes) else 409
    return _page("migrated.html", summary=service.summary(key), newest=newest, outcomes=outcomes), status


def _selection(code):
    try:
        case_id, lock = str(code).split("-", 1)
        return int(case_id), int(lock)
    except ValueError:
        return None

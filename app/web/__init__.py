"""HTML views (blueprints) in French, with DSFR markup.

auth.py           /login, /logout, the organisation switcher
inbox.py          /, /taches: the inbox
tasks.py          /taches/<id>: the task page and its form, claim and release
cases.py          /dossiers/<id>: the case page, its diagram
notifications.py  /notifications, /dev/outbox
organisations.py  /organisation/membres, /invitations/<jeton>, /organisations/nouvelle
applications.py   /candidatures/envoyees, /candidatures/recues, /mes-candidatures (+ CSV exports)
directory.py      /structures, /structures/<id>: the employers' directory and a company's page
company_admin.py  /structures/<id>/fiches, /parametres: job descriptions and receiving applications
prescription.py   /candidatures/nouvelle, /candidatures/embauche-directe: sending applications
prolongations.py  /pass/<id>/prolonger, /prolongations/demandes: prolonging a PASS IAE
suspensions.py    /pass/<id>/suspendre, /suspensions/<id>/modifier|terminer|supprimer: suspending a PASS IAE
process_admin.py  /processus: process owners edit, check, publish and migrate the diagrams
supervision.py    /pilotage/<process>, /dossiers: supervisors' dashboards and case list (+ CSV exports)
support.py        /dossiers/<id>/support, /taches/<id>/reaffecter|corriger, /incidents, /support/files
approvals.py      /pass, /pass/<id>, /pass/<id>/attestation(.pdf), /mon-pass: PASS IAE pages and certificate
session.py        current_organisation(): the organisation the user acts for
errors.py         French error pages (paths under /api/ are left to the API)
filters.py        French dates in Europe/Paris, relative due dates
"""


def register_web(app):
    from app.web import applications, auth, cases, inbox, notifications, tasks
    from app.web.errors import register_error_handlers
    from app.web.filters import register_filters
    from app.web.layout import register_layout

    auth.configure_login(app)
    for module in (auth, inbox, tasks, cases, notifications, applications):
        app.register_blueprint(module.bp)
    from app.web import company_admin, directory
    for module in (directory, company_admin):
        app.register_blueprint(module.bp)
    from app.web import prescription
    app.register_blueprint(prescription.bp)
    from app.web import prolongations
    app.register_blueprint(prolongations.bp)
    from app.web import suspensions
    app.register_blueprint(suspensions.bp)
    from app.services import process_admin as process_admin_service
    from app.web import process_admin
    app.register_blueprint(process_admin.bp)
    # Form specs published from the browser win over forms/*.yaml.
    process_admin_service.use_stored_specs()
    from app.web import organisations
    app.register_blueprint(organisations.bp)
    from app.web import supervision, support
    for module in (supervision, support):
        app.register_blueprint(module.bp)
    from app.web import approvals
    app.register_blueprint(approvals.bp)
    register_filters(app)
    register_layout(app)
    register_error_handlers(app)

"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Written by hand next to the routes it describes (app/api/views.py) and the shapes
they return (app/api/serialize.py). tests/web/test_api.py checks that every
/api/v1 route is documented, that nothing documented is missing, and that real
answers match the schemas below: change them together.
"""
import copy

from app.api.auth import DEFAULT_TTL_HOURS
from app.api.errors import MESSAGES, NOT_A_JSON_OBJECT
from app.formspec import FIELD_TYPES
from app.services.inbox import PAGE_SIZE


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema):
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    schema = dict(schema)
    kind = schema["type"]
    schema["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
    return schema


def _object(properties, required=None, additional=False, description=None):
    schema = {"type": "object", "properties": properties,
              "required": list(properties) if required is None else required,
              "additionalProperties": additional}
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

SCHEMAS = {
    "Error": _object({
        "error": {**STRING, "description": "Message en français, à montrer tel quel."},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": STRING},
                   "description": "Erreurs par champ : nom du champ → messages en français."},
    }, required=["error"]),
    "Person": _object({"id": INTEGER, "name": STRING}),
    "OrganisationRef": _object({"id": INTEGER, "name": STRING}),
    "User": _object({"id": INTEGER, "name": STRING, "email": STRING,
                     "kind": {"type": "string", "enum": ["professional", "job_seeker", "staff"]},
                     "is_support": BOOLEAN}),
    "Organisation": _object({"id": INTEGER, "name": STRING,
                             "category": {"type": "string", "enum": ["prescriber", "company", "institution"]},
                             "kind": STRING}),
    "TokenRequest": _object({
        "email": {**STRING, "format": "email"},
        "password": STRING,
        "organisation_id": {**_nullable(ID), "description":
                            "Organisation pour laquelle le jeton agit ; par défaut la première dont "
                            "l'utilisateur est membre actif."},
    }, required=["email", "password"]),
    "Token": _object({
        "token": {**STRING, "description": f"À envoyer dans Authorization: Bearer <jeton>. "
                                           f"Valable {DEFAULT_TTL_HOURS} h par défaut."},
        "token_type": {"type": "string", "const": "Bearer"},
        "expires_at": DATETIME,
        "user": _ref("User"),
        "organisation": _nullable(_ref("Organisation")),
    }),
    "CaseRef": _object({"id": INTEGER, "reference": _nullable(STRING), "process": STRING,
                        "stage": STRING, "stage_label": STRING}),
    "TaskLinks": _object({"self": STRING, "case": STRING, "claim": STRING, "unclaim": STRING,
                          "complete": STRING}, required=["self", "case"],
                         description="claim, unclaim et complete ne figurent que pour une tâche ouverte."),
    "TaskSummary": _object({
        "id": INTEGER,
        "title": STRING,
        "form_key": STRING,
        "role": {**STRING, "description": "Rôle (couloir du diagramme) qui doit traiter la tâche."},
        "role_label": STRING,
        "state": {"type": "string", "enum": ["open", "completed", "cancelled"]},
        "case": _ref("CaseRef"),
        "organisation_id": _nullable(INTEGER),
        "assignee": _nullable(_ref("Person")),
        "due_at": _nullable(DATETIME),
        "overdue": BOOLEAN,
        "created_at": DATETIME,
        "links": _ref("TaskLinks"),
    }),
    "Counts": _object({"organisation": INTEGER, "mine": INTEGER, "unassigned": INTEGER,
                       "overdue": INTEGER, "due_soon": INTEGER}),
    "TaskList": _object({
        "items": {"type": "array", "items": _ref("TaskSummary")},
        "total": INTEGER,
        "page": INTEGER,
        "page_size": {"type": "integer", "const": PAGE_SIZE},
        "counts": _ref("Counts"),
    }),
    "Choice": _object({"value": STRING, "label": STRING}),
    "Condition": {"type": "object", "additionalProperties": {"type": "array"},
                  "description": "Nom d'un champ → valeurs qui rendent la condition vraie (toutes les "
                                 "entrées doivent être vraies)."},
    "FormField": _object({
        "name": STRING,
        "type": {"type": "string", "enum": list(FIELD_TYPES)},
        "label": STRING,
        "help": STRING,
        "required": BOOLEAN,
        "required_if": _nullable(_ref("Condition")),
        "show_if": _nullable(_ref("Condition")),
        "choices": {"type": ["array", "null"], "items": _ref("Choice"),
                    "description": "Choix offerts (champs choice et multichoice), déjà restreints par le "
                                   "contexte et par le diagramme ; null pour les autres types."},
        "max_length": INTEGER,
        "min": {"type": "number"},
        "max": {"type": "number"},
    }, required=["name", "type", "label", "help", "required", "required_if", "show_if", "choices"]),
    "Form": _object({"key": STRING, "title": STRING, "description": STRING,
                     "fields": {"type": "array", "items": _ref("FormField")}}),
    "CaseLinks": _object({"self": STRING}),
    "CaseSummary": _object({
        "id": INTEGER,
        "reference": _nullable(STRING),
        "process": STRING,
        "version": _nullable(INTEGER),
        "title": STRING,
        "status": {"type": "string", "enum": ["running", "completed", "error", "cancelled", "suspended"]},
        "stage": STRING,
        "stage_label": STRING,
        "archived": BOOLEAN,
        "created_at": DATETIME,
        "closed_at": _nullable(DATETIME),
        "links": _ref("CaseLinks"),
    }),
    "CompletionInput": {
        "type": "object",
        "description": "Les champs du formulaire de la tâche (voir `form.fields` de GET /tasks/{task_id}) : "
                       "dates au format AAAA-MM-JJ, cases à cocher en booléens, choix par leur `value`.",
        "additionalProperties": True,
    },
    "Completion": _object({
        "case": _ref("CaseSummary"),
        "next_task": {**_nullable(_ref("TaskSummary")),
                      "description": "La tâche suivante de l'utilisateur dans ce dossier ou un dossier "
                                     "qu'il vient d'ouvrir, s'il y en a une."},
    }),
    "CaseCreate": _object({
        "process": {"type": "string", "enum": ["application"]},
        "job_seeker_id": ID,
        "company_id": ID,
        "message": {**STRING, "description": "Message à l'employeur (obligatoire)."},
    }, required=["process", "job_seeker_id", "company_id", "message"]),
    "Party": _object({
        "role": STRING,
        "role_label": STRING,
        "organisation": _nullable(_ref("OrganisationRef")),
        "person": {**_nullable(_ref("Person")), "description":
                   "Montré aux professionnels parties au dossier, au support et à la personne elle-même."},
    }),
    "Event": _object({
        "id": INTEGER,
        "at": DATETIME,
        "kind": STRING,
        "summary": STRING,
        "actor": {**STRING, "description": "Nom de la personne, ou « Plateforme »."},
        "data": {"type": "object", "description": "Données du pas (les champs privés sont retirés pour qui "
                                                  "n'a pas le droit de les lire)."},
    }),
}



def _extend(base, properties, description):
    """base's properties plus (or overriding) `properties`, all required, nothing else."""
    merged = dict(SCHEMAS[base]["properties"])
    merged.update(properties)
    return _object(merged, description=description)


SCHEMAS["TaskDetail"] = _extend("TaskSummary", {
    "claimed_at": _nullable(DATETIME),
    "completed_at": _nullable(DATETIME),
    "completed_by": _nullable(_ref("Person")),
    "can_complete": {**BOOLEAN, "description": "L'utilisateur peut-il traiter la tâche maintenant."},
    "case": _ref("CaseSummary"),
    "form": _ref("Form"),
}, "Une tâche (champs de TaskSummary, avec le résumé complet du dossier) et son formulaire.")

SCHEMAS["CaseDetail"] = _extend("CaseSummary", {
    "job_seeker": _nullable(_ref("Person")),
    "parties": {"type": "array", "items": _ref("Party")},
    "open_tasks": {"type": "array", "items": _ref("TaskSummary")},
    "events": {"type": "array", "items": _ref("Event"),
               "description": "Journal du dossier, du plus ancien au plus récent."},
}, "Un dossier (champs de CaseSummary) avec ses parties, ses tâches ouvertes et son journal.")

ERROR_EXAMPLES = {
    400: NOT_A_JSON_OBJECT,
    401: "Ce jeton a expiré : demandez-en un nouveau.",
    403: "Cette tâche relève d'une autre organisation : vous ne pouvez pas y accéder.",
    404: "Cette tâche n'existe pas.",
    405: MESSAGES[405],
    409: "Cette tâche a déjà été traitée par Emma Martin.",
    413: MESSAGES[413],
    422: "Le formulaire contient des erreurs : corrigez les champs signalés.",
    500: MESSAGES[500],
}
ERROR_DESCRIPTIONS = {
    400: "Requête mal formée (corps qui n'est pas un objet JSON, paramètre invalide).",
    401: "Jeton absent, invalide ou expiré (en-tête WWW-Authenticate: Bearer).",
    403: "Ressource d'une autre organisation.",
    404: "Ressource inexistante.",
    405: "Méthode non acceptée pour cette adresse.",
    409: "Conflit : tâche déjà traitée, prise par un collègue, dossier modifié ou arrêté.",
    413: "Corps de requête trop volumineux.",
    422: "Données invalides : `fields` donne les messages par champ.",
    500: "Erreur interne.",
}


def _error_response(status):
    example = {"error": ERROR_EXAMPLES[status]}
    if status == 422:
        example["fields"] = {"refusal_reason": ["Ce champ est obligatoire."]}
    response = {"description": ERROR_DESCRIPTIONS[status],
                "content": {"application/json": {"schema": _ref("Error"), "example": example}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": STRING, "description": "Bearer"}}
    return response


RESPONSES = {str(status): _error_response(status) for status in ERROR_EXAMPLES}


def _errors(*codes):
    return {str(code): {"$ref": f"#/components/responses/{code}"} for code in codes}


def _json(schema_name, description, example=None):
    media = {"schema": _ref(schema_name)}
    if example is not None:
        media["example"] = example
    return {"description": description, "content": {"application/json": media}}


def _body(schema_name, example=None):
    media = {"schema": _ref(schema_name)}
    if example is not None:
        media["example"] = example
    return {"required": True, "content": {"application/json": media}}


def _id_param(name, what):
    return {"name": name, "in": "path", "required": True, "description": f"Identifiant {what}.",
            "schema": ID}


TASK_ID = _id_param("task_id", "de la tâche")
CASE_ID = _id_param("case_id", "du dossier")
AUTH_ERRORS = (401, 500)

PATHS = {
    "/api/v1/tokens": {
        "post": {
            "operationId": "createToken",
            "tags": ["Authentification"],
            "summary": "Obtenir un jeton",
            "description": "Échange un e-mail et un mot de passe contre un jeton porteur (bearer), "
                           "valable pour une organisation dont l'utilisateur est membre actif.",
            "security": [],
            "requestBody": _body("TokenRequest", {"email": "emma.martin@example.fr", "password": "••••••••"}),
            "responses": {
                "201": _json("Token", "Jeton créé."),
                **_errors(400, 401, 403, 413, 422, 500),
            },
        },
    },
    "/api/v1/tokens/current": {
        "delete": {
            "operationId": "revokeToken",
            "tags": ["Authentification"],
            "summary": "Révoquer le jeton utilisé",
            "responses": {"204": {"description": "Jeton révoqué."}, **_errors(*AUTH_ERRORS)},
        },
    },
    "/api/v1/tasks": {
        "get": {
            "operationId": "listTasks",
            "tags": ["Tâches"],
            "summary": "Corbeille de tâches",
            "description": "Les tâches ouvertes de l'utilisateur et de l'organisation du jeton, en retard et "
                           f"plus proches échéances d'abord, par pages de {PAGE_SIZE}.",
            "parameters": [
                {"name": "scope", "in": "query", "required": False,
                 "description": "mine : prises par moi ; organisation : toutes ; unassigned : non prises.",
                 "schema": {"type": "string", "enum": ["mine", "organisation", "unassigned"],
                            "default": "organisation"}},
                {"name": "process", "in": "query", "required": False, "schema": STRING,
                 "description": "Clé du processus (ex. application)."},
                {"name": "stage", "in": "query", "required": False, "schema": STRING,
                 "description": "Étape du dossier (ex. new, processing)."},
                {"name": "overdue", "in": "query", "required": False, "schema": {"type": "string",
                                                                                  "enum": ["0", "1"]},
                 "description": "1 : seulement les tâches en retard."},
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}},
            ],
            "responses": {"200": _json("TaskList", "Une page de tâches."), **_errors(400, *AUTH_ERRORS)},
        },
    },
    "/api/v1/tasks/{task_id}": {
        "get": {
            "operationId": "getTask",
            "tags": ["Tâches"],
            "summary": "Une tâche et son formulaire",
            "parameters": [TASK_ID],
            "responses": {"200": _json("TaskDetail", "La tâche."), **_errors(403, 404, *AUTH_ERRORS)},
        },
    },
    "/api/v1/tasks/{task_id}/claim": {
        "post": {
            "operationId": "claimTask",
            "tags": ["Tâches"],
            "summary": "Prendre la tâche en charge",
            "parameters": [TASK_ID],
            "responses": {"200": _json("TaskDetail", "La tâche, prise par l'utilisateur."),
                          **_errors(403, 404, 409, *AUTH_ERRORS)},
        },
    },
    "/api/v1/tasks/{task_id}/unclaim": {
        "post": {
            "operationId": "unclaimTask",
            "tags": ["Tâches"],
            "summary": "Libérer la tâche",
            "parameters": [TASK_ID],
            "responses": {"200": _json("TaskDetail", "La tâche, de nouveau libre."),
                          **_errors(403, 404, 409, *AUTH_ERRORS)},
        },
    },
    "/api/v1/tasks/{task_id}/complete": {
        "post": {
            "operationId": "completeTask",
            "tags": ["Tâches"],
            "summary": "Traiter la tâche (envoyer son formulaire)",
            "description": "Le corps est validé par la même spécification de formulaire que la page web ; "
                           "en cas d'erreur, 422 avec les messages par champ.",
            "parameters": [TASK_ID],
            "requestBody": _body("CompletionInput", {"decision": "refuse", "refusal_reason": "other",
                                                     "refusal_reason_details": "Poste pourvu.",
                                                     "answer_to_job_seeker": "Merci pour votre candidature."}),
            "responses": {"200": _json("Completion", "Tâche traitée : l'étape du dossier et la tâche suivante."),
                          **_errors(400, 403, 404, 409, 413, 422, *AUTH_ERRORS)},
        },
    },
    "/api/v1/cases": {
        "post": {
            "operationId": "createCase",
            "tags": ["Dossiers"],
            "summary": "Ouvrir un dossier (envoyer une candidature)",
            "requestBody": _body("CaseCreate", {"process": "application", "job_seeker_id": 12, "company_id": 3,
                                                "message": "Bonjour, je vous propose cette candidature."}),
            "responses": {
                "201": {**_json("CaseDetail", "Dossier ouvert."),
                        "headers": {"Location": {"schema": STRING, "description": "Adresse du dossier."}}},
                **_errors(400, 403, 409, 413, 422, *AUTH_ERRORS),
            },
        },
    },
    "/api/v1/cases/{case_id}": {
        "get": {
            "operationId": "getCase",
            "tags": ["Dossiers"],
            "summary": "Un dossier : étape, parties, tâches ouvertes, journal",
            "parameters": [CASE_ID],
            "responses": {"200": _json("CaseDetail", "Le dossier."), **_errors(403, 404, *AUTH_ERRORS)},
        },
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "tags": ["Documentation"],
            "summary": "Ce document",
            "security": [],
            "responses": {"200": {"description": "Le document OpenAPI 3.1.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        },
    },
}


# -- employers' directory (app/api/directory.py) ---------------------------------------------

def _directory_schemas():
    from app.domain.vocabularies import COMPANY_KINDS, JOB_CONTRACT_TYPES
    from app.services.directory import PAGE_SIZE as DIRECTORY_PAGE_SIZE

    company = {
        "id": INTEGER,
        "name": STRING,
        "kind": {"type": "string", "enum": list(COMPANY_KINDS)},
        "kind_label": STRING,
        "city": STRING,
        "postcode": STRING,
        "department": {**STRING, "description": "Code du département (35, 2A, 974…), vide s'il est inconnu."},
        "open_job_descriptions": {**INTEGER, "description": "Nombre de fiches de poste ouvertes."},
        "spontaneous_applications_open": BOOLEAN,
        "spontaneous_applications_open_until": {"type": ["string", "null"], "format": "date",
                                                "description": "Dernier jour des candidatures spontanées "
                                                               "(null quand elles sont fermées)."},
        "blocks_applications": {**BOOLEAN, "description": "true : la structure ne reçoit aucune candidature, "
                                                          "sauf de ses propres membres."},
        "links": _ref("CompanyLinks"),
    }
    return {
        "CompanyLinks": _object({"self": STRING}),
        "CompanySummary": _object(company),
        "CompanyList": _object({
            "items": {"type": "array", "items": _ref("CompanySummary")},
            "total": INTEGER,
            "page": INTEGER,
            "page_size": {"type": "integer", "const": DIRECTORY_PAGE_SIZE},
        }),
        "JobDescriptionLinks": _object({"self": STRING, "company": STRING}),
        "JobDescription": _object({
            "id": INTEGER,
            "company": _ref("OrganisationRef"),
            "name": {**STRING, "description": "Intitulé affiché : le nom choisi, sinon l'appellation ROME."},
            "rome_code": STRING,
            "appellation": STRING,
            "custom_name": STRING,
            "description": STRING,
            "contract_type": {"type": ["string", "null"], "enum": [*JOB_CONTRACT_TYPES, None]},
            "contract_type_label": _nullable(STRING),
            "city": STRING,
            "postcode": STRING,
            "department": STRING,
            "hours_per_week": {"type": ["integer", "null"], "minimum": 1, "maximum": 48},
            "open_positions": {"type": "integer", "minimum": 1},
            "cv_required": BOOLEAN,
            "is_active": {**BOOLEAN, "description": "Recrutement ouvert. Une fiche fermée n'est visible que des "
                                                    "membres de la structure."},
            "updated_at": DATETIME,
            "links": _ref("JobDescriptionLinks"),
        }),
        "CompanyDetail": _object({
            **company,
            "address": STRING,
            "siret": _nullable(STRING),
            "email": STRING,
            "phone": STRING,
            "job_descriptions": {"type": "array", "items": _ref("JobDescription"),
                                 "description": "Fiches ouvertes ; les membres de la structure voient aussi les "
                                                "fiches fermées (après les ouvertes)."},
        }),
    }


def _directory_paths():
    from app.domain.vocabularies import COMPANY_KINDS

    def query(name, schema, description):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    return {
        "/api/v1/companies": {"get": {
            "operationId": "searchCompanies",
            "tags": ["Structures"],
            "summary": "Rechercher des structures (employeurs inclusifs)",
            "description": "Avec un métier, seules les structures ayant une fiche de poste ouverte sur ce métier "
                           "sont listées, les plus concernées d'abord. Les structures qui bloquent les "
                           "candidatures viennent en dernier.",
            "parameters": [
                query("department", STRING, "Code du département (35, 2A, 974…)."),
                query("city", {"type": "string", "maxLength": 120}, "Ville (ou début du nom)."),
                query("kind", {"type": "string", "enum": list(COMPANY_KINDS)}, "Type de structure."),
                query("job", {"type": "string", "maxLength": 100},
                      "Métier : mots d'une appellation ROME ou de l'intitulé d'une fiche de poste."),
                query("page", {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}, "Page."),
            ],
            "responses": {"200": _json("CompanyList", "Une page de structures."), **_errors(400, *AUTH_ERRORS)},
        }},
        "/api/v1/companies/{company_id}": {"get": {
            "operationId": "getCompany",
            "tags": ["Structures"],
            "summary": "Une structure et ses fiches de poste",
            "parameters": [_id_param("company_id", "de la structure")],
            "responses": {"200": _json("CompanyDetail", "La structure."), **_errors(404, *AUTH_ERRORS)},
        }},
        "/api/v1/job-descriptions/{job_id}": {"get": {
            "operationId": "getJobDescription",
            "tags": ["Structures"],
            "summary": "Une fiche de poste",
            "parameters": [_id_param("job_id", "de la fiche de poste")],
            "responses": {"200": _json("JobDescription", "La fiche de poste."), **_errors(404, *AUTH_ERRORS)},
        }},
    }


SCHEMAS.update(_directory_schemas())
PATHS.update(_directory_paths())


# -- application lists (app/api/applications.py) ---------------------------------------------

def _application_schemas():
    from app.domain.vocabularies import APPLICATION_STATES, REFUSAL_REASONS
    from app.services.applications import PAGE_SIZE as LIST_PAGE_SIZE
    from app.services.applications import SENDER_KIND_LABELS

    ref = _nullable(_ref("OrganisationRef"))
    return {
        "ApplicationCompany": _object({"id": INTEGER, "name": STRING, "kind": STRING, "kind_label": STRING,
                                       "city": STRING}),
        "ApplicationSender": _object({
            "kind": {"type": "string", "enum": list(SENDER_KIND_LABELS),
                     "description": "auto : auto-prescription (la structure pour elle-même)."},
            "kind_label": STRING,
            "organisation": ref,
            "person": {**_nullable(_ref("Person")), "description": "Absent de la liste du candidat."},
        }),
        "ApplicationRow": _object({
            "id": {**INTEGER, "description": "Identifiant du dossier (GET /cases/{case_id})."},
            "reference": _nullable(STRING),
            "job_seeker": _object({"id": _nullable(INTEGER), "name": STRING}),
            "company": _nullable(_ref("ApplicationCompany")),
            "sender": _ref("ApplicationSender"),
            "auto_prescription": BOOLEAN,
            "stage": STRING,
            "state_label": {**STRING, "description": "État tel qu'il est affiché (Nouvelle candidature…)."},
            "archived": BOOLEAN,
            "sent_at": DATETIME,
            "updated_at": DATETIME,
            "answer_to_job_seeker": {**STRING, "description": "Réponse de l'employeur au candidat (vide sinon)."},
            "refusal_reason": {"type": ["string", "null"], "enum": [*REFUSAL_REASONS, None],
                               "description": "Motif d'une candidature déclinée ; pour le candidat, seulement "
                                              "si l'employeur a choisi de le lui communiquer."},
            "refusal_reason_label": _nullable(STRING),
            "refusal_reason_details": _nullable(STRING),
            "private_comment": {**_nullable(STRING),
                                "description": "Commentaire privé d'un refus : seulement pour le prescripteur et "
                                               "l'employeur, jamais pour le candidat."},
            "open_task": {**_nullable(_object({"id": INTEGER, "title": STRING})),
                          "description": "Liste des candidatures reçues : la tâche à traiter, s'il y en a une."},
        }),
        "ApplicationFilters": _object({
            "states": {"type": "array", "items": {"type": "string", "enum": list(APPLICATION_STATES)}},
            "company_id": _nullable(INTEGER),
            "sender_kind": {"type": ["string", "null"], "enum": [*SENDER_KIND_LABELS, None]},
            "job_seeker": STRING,
            "date_from": {"type": ["string", "null"], "format": "date"},
            "date_to": {"type": ["string", "null"], "format": "date"},
            "mine": BOOLEAN,
            "archived": BOOLEAN,
        }, description="Les filtres appliqués, tels que compris."),
        "ApplicationList": _object({
            "items": {"type": "array", "items": _ref("ApplicationRow")},
            "total": INTEGER,
            "page": INTEGER,
            "page_size": {"type": "integer", "const": LIST_PAGE_SIZE},
            "filters": _ref("ApplicationFilters"),
        }),
    }


def _application_paths():
    from app.domain.vocabularies import APPLICATION_STATES

    flag = {"type": "string", "enum": ["0", "1"]}

    def query(name, schema, description):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    state = {**query("state", {"type": "array", "items": {"type": "string", "enum": list(APPLICATION_STATES)}},
                     "États à garder (new, processing, refused…) : paramètre répété ou séparé par des virgules."),
             "style": "form", "explode": True}
    dates = [query("date_from", {"type": "string", "format": "date"}, "Envoyées depuis ce jour (AAAA-MM-JJ, Paris)."),
             query("date_to", {"type": "string", "format": "date"}, "Envoyées jusqu'à ce jour inclus (AAAA-MM-JJ).")]
    archived = query("archived", flag, "1 : inclure les candidatures archivées (masquées par défaut).")
    page = query("page", {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}, "Page (20 par page).")
    name = query("job_seeker", {"type": "string", "maxLength": 100}, "Mots du nom ou du prénom du candidat.")

    def operation(operation_id, summary, description, parameters):
        return {"get": {
            "operationId": operation_id, "tags": ["Candidatures"], "summary": summary, "description": description,
            "parameters": parameters,
            "responses": {"200": _json("ApplicationList", "Une page de candidatures, les plus récentes d'abord."),
                          **_errors(400, 403, *AUTH_ERRORS)},
        }}

    return {
        "/api/v1/applications/sent": operation(
            "listSentApplications", "Candidatures envoyées par l'organisation du jeton",
            "Prescripteur, ou structure qui a envoyé des candidatures à d'autres. Le commentaire privé des refus "
            "n'y figure que pour les prescripteurs.",
            [state, query("company", {"type": "string"}, "Identifiant de la structure destinataire."), name, *dates,
             query("mine", flag, "1 : seulement celles envoyées par l'utilisateur du jeton."), archived, page]),
        "/api/v1/applications/received": operation(
            "listReceivedApplications", "Candidatures reçues par la structure du jeton",
            "Celles des 2 dernières années et toutes celles acceptées, avec la tâche à traiter s'il y en a une.",
            [state, query("sender_kind", {"type": "string", "enum": ["prescriber", "employer", "job_seeker", "auto"]},
                          "Qui l'a envoyée : prescripteur, autre employeur, candidat, auto-prescription."),
             name, *dates, archived, page]),
        "/api/v1/applications/mine": operation(
            "listMyApplications", "Mes candidatures (candidat)",
            "Les candidatures de la personne connectée. Jamais de commentaire privé ; le motif d'un refus "
            "seulement si l'employeur a choisi de le communiquer.",
            [state, *dates, archived, page]),
    }


SCHEMAS.update(_application_schemas())
PATHS.update(_application_paths())


# -- job seekers (app/api/job_seekers.py) -----------------------------------------------------

def _job_seeker_schemas():
    from app.domain.vocabularies import NIR_MISSING_REASONS

    return {
        "JobSeekerDiagnosis": _object({
            "id": INTEGER,
            "author_kind": {"type": "string", "enum": ["prescriber", "employer"]},
            "author_organisation": STRING,
            "criteria": {"type": "array", "items": STRING,
                         "description": "Codes des critères administratifs (RSA, DELD…)."},
            "created_on": {"type": "string", "format": "date"},
            "expires_on": {"type": "string", "format": "date",
                           "description": "Dernier jour de validité (6 mois pour un prescripteur, 92 jours "
                                          "pour un employeur)."},
        }),
        "JobSeeker": _object({
            "id": INTEGER,
            "first_name": STRING,
            "last_name": STRING,
            "birth_date": {"type": ["string", "null"], "format": "date"},
            "email": _nullable(STRING),
            "phone": STRING,
            "nir": {**_nullable(STRING), "description": "Numéro de sécurité sociale (15 caractères)."},
            "nir_missing_reason": {"type": "string", "enum": ["", *NIR_MISSING_REASONS]},
            "address": STRING,
            "postcode": STRING,
            "city": STRING,
            "has_account": BOOLEAN,
            "diagnoses": {"type": "array", "items": _ref("JobSeekerDiagnosis"),
                          "description": "Diagnostics d'éligibilité que l'utilisateur peut lire : un prescripteur "
                                         "ne voit jamais ceux des employeurs ; un employeur voit ceux des "
                                         "prescripteurs et les siens."},
        }, description="Données personnelles : seulement pour la personne, les organisations liées à l'un de "
                       "ses dossiers (qui ont envoyé ou reçu une de ses candidatures) et le support."),
        "JobSeekerList": _object({"items": {"type": "array", "items": _ref("JobSeeker")}}),
    }


def _job_seeker_paths():
    return {
        "/api/v1/job-seekers": {"get": {
            "operationId": "searchJobSeekers",
            "tags": ["Candidats"],
            "summary": "Retrouver un candidat par son NIR ou son e-mail",
            "description": "Un seul des deux paramètres. Ne renvoie que les personnes que l'utilisateur a le "
                           "droit de voir : une personne sans lien avec son organisation n'apparaît pas.",
            "parameters": [
                {"name": "nir", "in": "query", "required": False, "schema": STRING,
                 "description": "NIR (clé vérifiée ; espaces acceptés)."},
                {"name": "email", "in": "query", "required": False, "schema": {"type": "string", "format": "email"},
                 "description": "Adresse e-mail (casse indifférente)."},
            ],
            "responses": {"200": _json("JobSeekerList", "Les personnes trouvées et visibles (0 ou 1, parfois 2)."),
                          **_errors(400, 422, *AUTH_ERRORS)},
        }},
        "/api/v1/job-seekers/{job_seeker_id}": {"get": {
            "operationId": "getJobSeeker",
            "tags": ["Candidats"],
            "summary": "La fiche d'un candidat",
            "parameters": [_id_param("job_seeker_id", "du candidat")],
            "responses": {"200": _json("JobSeeker", "La fiche."), **_errors(403, 404, *AUTH_ERRORS)},
        }},
    }


SCHEMAS.update(_job_seeker_schemas())
PATHS.update(_job_seeker_paths())


def document(server_url=None):
    """The OpenAPI document, as a fresh dict (callers may change it)."""
    doc = {
        "openapi": "3.1.0",
        "info": {
            "title": "Parcours — API",
            "version": "1.0.0",
            "description": "API JSON de Parcours : corbeille de tâches, formulaires des tâches, traitement, "
                           "dossiers. Toutes les erreurs sont du JSON {\"error\": \"message en français\", "
                           "\"fields\": {champ: [messages]}}. Les dates sont en ISO 8601 (UTC).",
        },
        "servers": [{"url": server_url or "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "Authentification"}, {"name": "Tâches"}, {"name": "Dossiers"},
                 {"name": "Candidatures"}, {"name": "Candidats"}, {"name": "Documentation"}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "Jeton obtenu par POST /api/v1/tokens."},
            },
            "schemas": SCHEMAS,
            "responses": RESPONSES,
        },
    }
    return copy.deepcopy(doc)


# -- supervision and support (app/api/support.py) -----------------------------------------------

def _support_schemas():
    from app.services.case_search import PAGE_SIZE as SEARCH_PAGE_SIZE

    status = {"type": "string", "enum": ["running", "completed", "error", "cancelled", "suspended"]}
    return {
        "CaseSearchRow": _object({
            "id": INTEGER,
            "reference": _nullable(STRING),
            "process": STRING,
            "process_name": STRING,
            "title": {**_nullable(STRING), "description": "Objet du dossier (nomme le candidat) : absent pour les "
                                                          "services de l'État, qui ne voient pas les données "
                                                          "personnelles."},
            "stage": STRING,
            "stage_label": STRING,
            "status": status,
            "employer": _nullable(STRING),
            "created_at": DATETIME,
            "waiting_since": {**_nullable(DATETIME), "description": "Création de la plus ancienne tâche ouverte."},
            "overdue": BOOLEAN,
            "lock_version": {**INTEGER, "description": "Version du dossier, à renvoyer avec une action."},
            "links": _ref("CaseLinks"),
        }),
        "CaseSearch": _object({
            "items": {"type": "array", "items": _ref("CaseSearchRow")},
            "total": {**INTEGER, "description": "Nombre de dossiers trouvés (plafonné : voir total_capped)."},
            "total_capped": {**BOOLEAN, "description": "Vrai quand il y en a plus que `total`."},
            "page": INTEGER,
            "page_size": {"type": "integer", "const": SEARCH_PAGE_SIZE},
            "interpreted_as": {"type": ["string", "null"],
                               "enum": ["reference", "case_id", "nir", "siret", "pass", "email", "text", None],
                               "description": "Ce que la recherche `q` a reconnu."},
            "notice": {**_nullable(STRING), "description": "Information en français (ex. recherche par PASS IAE "
                                                           "pas encore disponible)."},
        }),
        "DashboardColumn": _object({"key": STRING, "label": STRING}),
        "DashboardTable": _object({
            "key": {"type": "string", "enum": ["stages", "weekly", "deadlines", "waiting", "lead_times",
                                               "acceptance", "refusals", "pass", "support"]},
            "title": STRING,
            "description": STRING,
            "available": {**BOOLEAN, "description": "Faux pour une section pas encore disponible (PASS IAE)."},
            "columns": {"type": "array", "items": _ref("DashboardColumn")},
            "rows": {"type": "array", "items": {"type": "object", "description": "Clé de colonne → valeur."}},
            "message": {**STRING, "description": "Pourquoi la section n'est pas disponible."},
        }, required=["key", "title", "description", "available", "columns", "rows"]),
        "Dashboard": _object({
            "process": STRING,
            "scope": _object({"kind": {"type": "string", "enum": ["platform", "department", "organisation"]},
                              "organisation_id": _nullable(INTEGER), "department": _nullable(STRING)}),
            "filters": _object({"date_from": {"type": ["string", "null"], "format": "date"},
                                "date_to": {"type": ["string", "null"], "format": "date"},
                                "department": _nullable(STRING), "organisation_id": _nullable(INTEGER),
                                "company_kind": _nullable(STRING)}),
            "tables": {"type": "array", "items": _ref("DashboardTable")},
        }),
        "SupportAction": _object({
            "reason": {**STRING, "description": "Motif (obligatoire), conservé dans l'historique du dossier."},
            "lock_version": {**ID, "description": "Version du dossier lue ; s'il a changé depuis : 409, rien "
                                                  "n'est modifié."},
        }, required=["reason"]),
        "Reassignment": _object({
            "reason": {**STRING, "description": "Motif (obligatoire)."},
            "assignee_id": {**ID, "description": "Utilisateur à qui confier la tâche."},
            "email": {**STRING, "description": "Ou son adresse e-mail."},
            "override": {**BOOLEAN, "description": "Obligatoire (true) pour une personne qui n'est pas membre "
                                                   "actif de la structure de la tâche."},
            "lock_version": ID,
        }, required=["reason"]),
        "CaseState": _extend("CaseSummary", {"lock_version": INTEGER, "last_error": _nullable(STRING)},
                             "Un dossier (champs de CaseSummary), sa version et sa dernière erreur."),
        "SupportOutcome": _object({
            "case": _ref("CaseState"),
            "message": {**STRING, "description": "Ce qui a été fait, en français."},
            "ok": {**BOOLEAN, "description": "Faux quand une relance a de nouveau échoué (le dossier reste bloqué)."},
        }),
        "ReassignmentOutcome": _object({"task": _ref("TaskSummary"), "case": _ref("CaseState"), "message": STRING,
                                        "ok": BOOLEAN}),
    }


def _support_paths():
    def query(name, schema, description):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    text = {"type": "string"}
    action_errors = _errors(400, 403, 404, 409, 413, 422, *AUTH_ERRORS)

    def case_action(operation_id, summary, description):
        return {"post": {
            "operationId": operation_id, "tags": ["Support"], "summary": summary, "description": description,
            "parameters": [CASE_ID],
            "requestBody": _body("SupportAction", {"reason": "Demande de l'employeur par téléphone.",
                                                   "lock_version": 4}),
            "responses": {"200": _json("SupportOutcome", "Action faite (ou relance de nouveau en échec : ok=false)."),
                          **action_errors},
        }}

    return {
        "/api/v1/cases/search": {"get": {
            "operationId": "searchCases", "tags": ["Supervision"],
            "summary": "Rechercher des dossiers (superviseurs et support)",
            "description": "Dans le périmètre du jeton : tout pour le support, le département pour un service de "
                           "l'État, la structure pour ses administrateurs. `q` reconnaît une référence, un numéro "
                           "de dossier, un NIR (vérifié : un NIR mal formé donne 422), un SIRET, une adresse "
                           "e-mail, un nom de candidat ou de structure. Du plus récent au plus ancien, par 50.",
            "parameters": [
                query("q", {**text, "maxLength": 120}, "Recherche libre."),
                query("process_key", text, "Clé du processus (application…)."),
                query("stage", text, "Étape (new, refused…)."),
                query("status", {"type": "string", "enum": ["running", "error", "suspended", "completed",
                                                            "cancelled"]}, "État du dossier."),
                query("department", text, "Département de l'employeur (support seulement)."),
                query("organisation", text, "Identifiant d'une structure du département."),
                query("waiting_days", {"type": "string", "enum": ["7", "30", "60", "90"]},
                      "Une tâche attend depuis plus de ce nombre de jours."),
                query("overdue", {"type": "string", "enum": ["y"]}, "y : une tâche est en retard."),
                query("page", {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}, "Page."),
            ],
            "responses": {"200": _json("CaseSearch", "Une page de dossiers."), **_errors(400, 403, 422, *AUTH_ERRORS)},
        }},
        "/api/v1/dashboard/{process_key}": {"get": {
            "operationId": "getDashboard", "tags": ["Supervision"],
            "summary": "Tableau de bord d'un processus (superviseurs et support)",
            "description": "Les mêmes tableaux que la page /pilotage : dossiers par étape, ouverts et clos par "
                           "semaine, tâches en retard, attentes par tâche, délais médians, acceptation par émetteur, "
                           "motifs de refus, PASS IAE, interventions du support.",
            "parameters": [
                {"name": "process_key", "in": "path", "required": True, "schema": text,
                 "description": "Clé du processus (application…)."},
                query("date_from", {"type": "string", "format": "date"}, "Dossiers ouverts depuis ce jour."),
                query("date_to", {"type": "string", "format": "date"}, "Dossiers ouverts jusqu'à ce jour inclus."),
                query("department", text, "Département de l'employeur (support seulement)."),
                query("organisation", text, "Identifiant d'une structure du département."),
                query("company_kind", text, "Type d'employeur (ACI, EI…)."),
            ],
            "responses": {"200": _json("Dashboard", "Les tableaux."), **_errors(403, 404, 422, *AUTH_ERRORS)},
        }},
        "/api/v1/tasks/{task_id}/reassign": {"post": {
            "operationId": "reassignTask", "tags": ["Support"], "summary": "Réaffecter une tâche ouverte (support)",
            "description": "À un membre actif de la structure de la tâche ; à une autre personne seulement avec "
                           "override=true.",
            "parameters": [TASK_ID],
            "requestBody": _body("Reassignment", {"assignee_id": 12, "reason": "Congés de la personne en charge.",
                                                  "lock_version": 4}),
            "responses": {"200": _json("ReassignmentOutcome", "Tâche réaffectée."), **action_errors},
        }},
        "/api/v1/cases/{case_id}/retry": case_action(
            "retryCase", "Relancer l'étape automatique en échec (support)",
            "Le dossier doit être bloqué (état error)."),
        "/api/v1/cases/{case_id}/suspend": case_action(
            "suspendCase", "Suspendre un dossier en cours (support)",
            "Ses tâches quittent les corbeilles et ne peuvent plus être traitées jusqu'à la reprise."),
        "/api/v1/cases/{case_id}/resume": case_action(
            "resumeCase", "Reprendre un dossier suspendu (support)", "Ses tâches reviennent dans les corbeilles."),
        "/api/v1/cases/{case_id}/cancel": case_action(
            "cancelCase", "Annuler un dossier (support)", "Ses tâches ouvertes sont closes ; définitif."),
    }


SCHEMAS.update(_support_schemas())
PATHS.update(_support_paths())


# -- PASS IAE (app/api/approvals.py) ------------------------------------------------------------

def _pass_schemas():
    from app.domain.approvals import PASS_STATUSES, PROLONGATION_REQUEST_STATES

    day = {"type": "string", "format": "date"}
    org = _nullable(_ref("OrganisationRef"))
    person = _nullable(_ref("Person"))
    return {
        "PassHire": _object({
            "company": _ref("OrganisationRef"),
            "case_id": {**_nullable(INTEGER), "description": "Dossier d'embauche qui l'a enregistrée."},
            "hiring_start_on": day,
            "hiring_end_on": _nullable(day),
            "cancelled": BOOLEAN,
        }),
        "PassSuspension": _object({
            "id": INTEGER, "start_on": day, "end_on": day,
            "end_unknown": {**BOOLEAN, "description": "Fin inconnue : la date de fin est alors le maximum permis."},
            "reason": STRING, "reason_label": STRING, "organisation": org, "created_by": person,
        }),
        "PassProlongation": _object({
            "id": INTEGER, "start_on": day, "end_on": day, "reason": STRING, "reason_label": STRING,
            "declared_by": person, "declared_by_company": org, "validated_by": person,
            "validated_by_organisation": {**org, "description": "Prescripteur habilité qui l'a accordée, "
                                                               "pour les motifs qui en demandent un."},
        }),
        "PassProlongationRequest": _object({
            "id": INTEGER,
            "status": {"type": "string", "enum": list(PROLONGATION_REQUEST_STATES)},
            "status_label": STRING, "reason": STRING, "reason_label": STRING, "start_on": day, "end_on": day,
            "company": org, "prescriber_organisation": org, "created_at": DATETIME, "decided_at": _nullable(DATETIME),
        }),
        "PassHolder": _object({
            "id": INTEGER, "name": STRING,
            "birth_date": {**_nullable(day), "description": "Seulement pour qui peut voir les données personnelles "
                                                            "de la personne ; sinon null."},
        }),
        "Pass": _object({
            "id": INTEGER,
            "number": {**STRING, "pattern": "^99999[0-9]{7}$", "description": "12 chiffres."},
            "number_display": {**STRING, "description": "Le numéro tel qu'il s'affiche : 99999 00 00123."},
            "status": {"type": "string", "enum": [*PASS_STATUSES, "cancelled"],
                       "description": "État calculé au jour de la requête (heure de Paris)."},
            "status_label": STRING,
            "start_on": day,
            "end_on": {**day, "description": "Fin actuelle, repoussée par les suspensions et prolongations."},
            "base_end_on": {**day, "description": "Fin avant toute suspension ou prolongation."},
            "remaining_days": {**INTEGER, "description": "Jours restants, jours suspendus non comptés ; 0 une fois "
                                                         "expiré ou annulé."},
            "cancelled_at": _nullable(DATETIME),
            "origin": {"type": "string", "enum": ["issued", "manual"]},
            "lock_version": {**INTEGER, "description": "Version du PASS : à renvoyer pour le suspendre ou le "
                                                       "prolonger ; un PASS modifié depuis donne 409."},
            "job_seeker": _ref("PassHolder"),
            "hires": {"type": "array", "items": _ref("PassHire")},
            "suspensions": {"type": "array", "items": _ref("PassSuspension")},
            "prolongations": {"type": "array", "items": _ref("PassProlongation")},
            "prolongation_requests": {"type": "array", "items": _ref("PassProlongationRequest")},
            "links": _object({"self": STRING, "page": STRING}),
        }, description="Un PASS IAE : visible par son titulaire, les organisations liées à l'une de ses "
                       "candidatures, les employeurs qui l'ont embauché sur ce PASS et le support."),
        "PassList": _object({"items": {"type": "array", "items": _ref("Pass")}}),
    }


def _pass_paths():
    return {
        "/api/v1/passes/{approval_id}": {"get": {
            "operationId": "getPass", "tags": ["PASS IAE"], "summary": "Un PASS IAE et son historique",
            "parameters": [_id_param("approval_id", "du PASS IAE")],
            "responses": {"200": _json("Pass", "Le PASS IAE."), **_errors(403, 404, *AUTH_ERRORS)},
        }},
        "/api/v1/passes": {"get": {
            "operationId": "findPassByNumber", "tags": ["PASS IAE"], "summary": "Retrouver un PASS IAE par son numéro",
            "description": "Ne renvoie le PASS que si l'utilisateur a le droit de le voir (0 ou 1 élément). Un "
                           "numéro mal formé donne 422.",
            "parameters": [{"name": "number", "in": "query", "required": True, "schema": STRING,
                            "description": "Numéro à 12 chiffres ; espaces et tirets acceptés (99999 00 00123)."}],
            "responses": {"200": _json("PassList", "Le PASS trouvé et visible, ou aucun."),
                          **_errors(400, 422, *AUTH_ERRORS)},
        }},
        "/api/v1/job-seekers/{job_seeker_id}/passes": {"get": {
            "operationId": "getJobSeekerPasses", "tags": ["PASS IAE"],
            "summary": "Les PASS IAE d'un candidat",
            "description": "Du plus récent au plus ancien, annulés compris ; seulement ceux que l'utilisateur peut voir.",
            "parameters": [_id_param("job_seeker_id", "du candidat")],
            "responses": {"200": _json("PassList", "Les PASS IAE."), **_errors(403, 404, *AUTH_ERRORS)},
        }},
    }


SCHEMAS.update(_pass_schemas())
PATHS.update(_pass_paths())


# -- suspending and prolonging a PASS IAE (app/api/approval_actions.py) -------------------------

def _pass_action_schemas():
    from app.domain.approvals import PROLONGATION_REASONS, SUSPENSION_REASONS

    day = {"type": "string", "format": "date"}
    version = {"type": "integer", "minimum": 0,
               "description": "lock_version du PASS tel que vous l'avez lu (GET /api/v1/passes/{id})."}
    return {
        "SuspensionRequest": _object({
            "reason": {"type": "string", "enum": list(SUSPENSION_REASONS),
                       "description": "Motif ; ceux permis dépendent du type de la structure (un prescripteur "
                                      "habilité n'a que les siens)."},
            "start_on": {**day, "description": "Premier jour : au plus tard aujourd'hui, au plus tôt 365 jours "
                                               "avant, ni avant le début du PASS ou de la dernière embauche."},
            "end_on": {**day, "description": "Dernier jour, au plus tard 36 mois moins un jour après le début. "
                                             "Obligatoire sauf si end_unknown vaut true."},
            "end_unknown": {**BOOLEAN, "description": "Fin inconnue : la suspension dure le maximum permis."},
            "explanation": {**STRING, "maxLength": 2000},
            "lock_version": version,
        }, required=["reason", "start_on", "lock_version"]),
        "ProlongationRequestBody": _object({
            "reason": {"type": "string", "enum": list(PROLONGATION_REASONS),
                       "description": "Motif ; RQTH, SENIOR et PARTICULAR_DIFFICULTIES sont décidés par un "
                                      "prescripteur habilité (une demande lui est adressée)."},
            "end_on": {**day, "description": "Nouvelle date de fin du PASS ; la prolongation commence le "
                                             "lendemain de la fin actuelle."},
            "explanation": {**STRING, "maxLength": 5000,
                            "description": "Obligatoire pour les motifs décidés par un prescripteur habilité."},
            "prescriber_email": {**STRING, "format": "email",
                                 "description": "Motifs décidés par un prescripteur : l'e-mail d'un membre actif "
                                                "d'un prescripteur habilité."},
            "prescriber_organisation_id": {**ID, "description": "Motifs décidés par un prescripteur : une des "
                                                                "organisations habilitées de cette personne."},
            "contact_phone": {**STRING, "description": "Facultatif : téléphone pour un entretien avec le "
                                                       "prescripteur (numéro français)."},
            "lock_version": version,
        }, required=["reason", "end_on", "lock_version"]),
        "PassActionResult": _object({
            "case": _ref("CaseSummary"),
            "pass": {**_nullable(_ref("Pass")),
                     "description": "Le PASS après l'action (fin repoussée, ou demande en attente) ; null pour "
                                    "qui ne peut pas le consulter (prescripteur habilité sans lien avec la "
                                    "personne)."},
        }),
    }


def _pass_action_paths():
    def operation(operation_id, summary, description, body, example):
        return {"post": {
            "operationId": operation_id, "tags": ["PASS IAE"], "summary": summary, "description": description,
            "parameters": [_id_param("approval_id", "du PASS IAE")],
            "requestBody": _body(body, example),
            "responses": {"201": _json("PassActionResult", "Dossier ouvert ; le PASS tel qu'il est maintenant."),
                          **_errors(400, 403, 404, 409, 413, 422, *AUTH_ERRORS)},
        }}

    return {
        "/api/v1/passes/{approval_id}/suspensions": operation(
            "suspendPass", "Suspendre un PASS IAE",
            "Ouvre un dossier de suspension (mêmes règles et messages que la page « Suspendre le PASS IAE »). "
            "Réservé aux membres de la SIAE de la dernière embauche, ou d'un prescripteur habilité quand la "
            "personne n'a plus de contrat (403). 409 : PASS qui ne peut pas être suspendu aujourd'hui, ou modifié "
            "depuis la lecture de lock_version. 422 : messages par champ (dates hors limites : le message donne "
            "la date permise). Modifier, terminer ou supprimer la suspension : ce sont les tâches du dossier "
            "(POST /api/v1/tasks/{task_id}/complete).",
            "SuspensionRequest",
            {"reason": "CONTRACT_SUSPENDED", "start_on": "2026-03-02", "end_on": "2026-04-30",
             "explanation": "Arrêt maladie.", "lock_version": 3}),
        "/api/v1/passes/{approval_id}/prolongations": operation(
            "prolongPass", "Prolonger un PASS IAE",
            "Déclare une prolongation (la fin du PASS est repoussée aussitôt) ou, pour les motifs RQTH, SENIOR "
            "et PARTICULAR_DIFFICULTIES, adresse une demande à un prescripteur habilité qui décide dans la "
            "tâche de son organisation. Réservé aux membres d'une SIAE qui a embauché sur ce PASS (403). "
            "409 : PASS qui ne peut pas être prolongé (suspendu, expiré, demande déjà en attente) ou modifié "
            "depuis la lecture de lock_version. Le bilan facultatif (PDF) ne s'envoie pas en JSON : joignez-le "
            "depuis la page « Prolonger le PASS IAE ».",
            "ProlongationRequestBody",
            {"reason": "RQTH", "end_on": "2027-06-30", "explanation": "Reconnaissance obtenue en mars.",
             "prescriber_email": "paula.martin@francetravail.fr", "prescriber_organisation_id": 12,
             "contact_phone": "02 99 00 00 00", "lock_version": 3}),
    }


SCHEMAS.update(_pass_action_schemas())
PATHS.update(_pass_action_paths())

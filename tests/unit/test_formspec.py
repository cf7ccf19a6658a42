"""Form specs (app/formspec): loading, checking, WTForms building, JSON validation, rendering.

No database: a minimal Flask app gives the request context Flask-WTF needs.
"""
import io
import json
import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import FileStorage, MultiDict

import app as app_package
from app.formspec import (
    FormSpecError,
    build_form,
    check_restrict_choices,
    check_spec,
    clean_data,
    form_result,
    list_form_keys,
    load_spec,
    parse_restrict_choices,
    parse_spec,
    resolve_choices,
    uploaded_files,
    validate_json,
)
from app.formspec import registry

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
PACKAGE_DIR = Path(app_package.__file__).resolve().parent
TODAY = date(2026, 11, 22)
REQUIRED = "Ce champ est obligatoire."


@pytest.fixture
def form_app():
    flask_app = Flask(
        "formspec_tests",
        template_folder=str(PACKAGE_DIR / "templates"),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    flask_app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    return flask_app


@pytest.fixture
def ctx(form_app):
    with form_app.test_request_context():
        yield


@pytest.fixture
def review():
    return load_spec("application_review", FORMS_DIR)


@pytest.fixture
def hire():
    return load_spec("hire_contract", FORMS_DIR)


EVERY_TYPE_YAML = """
title: Tous les types
fields:
  - {name: title_text, type: text, label: Intitulé, max_length: 10}
  - {name: notes, type: textarea, label: Notes}
  - {name: day, type: date, label: Jour}
  - {name: hours, type: number, label: Heures par semaine, min: 1, max: 48}
  - {name: kind, type: choice, label: Type de contrat, vocabulary: hire_contract_types}
  - {name: colours, type: multichoice, label: Couleurs, choices: {red: Rouge, blue: Bleu, green: Vert}}
  - {name: agreed, type: checkbox, label: J'accepte}
  - {name: mail, type: email, label: Adresse e-mail}
  - {name: phone, type: phone, label: Téléphone}
  - {name: nir, type: nir, label: NIR}
  - {name: siret, type: siret, label: SIRET}
  - {name: cv, type: file, label: CV, max_size_mb: 1}
"""


@pytest.fixture
def every_type():
    return parse_spec(EVERY_TYPE_YAML, "every_type")


def pdf(name="cv.pdf", size=100):
    body = b"%PDF-1.4\n" + b"0" * max(0, size - 9)
    return FileStorage(stream=io.BytesIO(body), filename=name, content_type="application/pdf")


# --- loading and checking --------------------------------------------------------

def test_shipped_specs_load_without_problems():
    keys = list_form_keys(FORMS_DIR)
    assert {"application_review", "hire_contract"} <= set(keys)
    for key in keys:
        spec = load_spec(key, FORMS_DIR)
        assert spec.form_key == key
        assert spec.title
        assert check_spec(spec) == []


def test_application_review_contract(review):
    assert review.title == "Traiter la candidature"
    assert review.field_names == (
        "decision", "refusal_reason", "refusal_reason_details", "answer_to_job_seeker",
        "private_comment", "share_reason_with_job_seeker", "transfer_to",
    )
    decision = review.field("decision")
    assert (decision.type, decision.widget, decision.vocabulary, decision.required) == (
        "choice", "radio", "application_decisions", True)
    assert review.field("refusal_reason").choices_provider == "refusal_reasons_for_company"
    assert review.field("transfer_to").choices_provider == "user_other_companies"
    assert review.field("share_reason_with_job_seeker").type == "checkbox"


def test_hire_contract_contract(hire):
    assert hire.title == "Déclarer l'embauche"
    assert hire.field_names == ("hiring_start_at", "hiring_end_at", "hired_job_description", "hired_job",
                                "answer_to_job_seeker")
    assert hire.field("hired_job_description").choices_provider == "hire_company_jobs"
    assert hire.field("hiring_start_at").validators == ("hire_start_date",)
    assert hire.field("hiring_end_at").validators == ("hire_end_after_start",)
    assert hire.field("hired_job").max_length == 200


def test_load_spec_caches_until_the_file_changes(tmp_path):
    path = tmp_path / "simple.yaml"
    path.write_text("title: Simple\nfields:\n  - {name: a, type: text, label: A}\n", encoding="utf-8")
    first = load_spec("simple", tmp_path)
    assert load_spec("simple", tmp_path) is first
    path.write_text("title: Simple 2\nfields:\n  - {name: a, type: text, label: A}\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    second = load_spec("simple", tmp_path)
    assert second is not first
    assert second.title == "Simple 2"


def test_missing_spec_is_a_french_error(tmp_path):
    with pytest.raises(FormSpecError, match="Le formulaire « nope » est introuvable"):
        load_spec("nope", tmp_path)


@pytest.mark.parametrize("key", ["../secrets", "A B", "", None])
def test_form_keys_cannot_escape_the_forms_folder(key):
    with pytest.raises(FormSpecError, match="Clé de formulaire invalide"):
        load_spec(key, FORMS_DIR)


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(FormSpecError, match=r"n'est pas un YAML valide \(ligne \d+\)"):
        parse_spec("title: x\nfields: [\n  - {name: a", "broken")


@pytest.mark.parametrize("yaml_text, expected", [
    ("- a\n- b\n", "pas une liste"),
    ("fields:\n  - {name: a, type: text, label: A}\n", "Le titre (title) est obligatoire."),
    ("title: T\nfields: []\n", "La liste des champs (fields) est obligatoire"),
    ("title: T\ncolour: red\nfields:\n  - {name: a, type: text, label: A}\n", "Clé inconnue « colour »"),
    ("title: T\nfields:\n  - {name: a, type: radio, label: A}\n", "type inconnu « radio »"),
    ("title: T\nfields:\n  - {name: a, type: text}\n", "le libellé (label) est obligatoire"),
    ("title: T\nfields:\n  - {name: Bad-Name, type: text, label: A}\n", "le nom (name) est obligatoire"),
    ("title: T\nfields:\n  - {name: a, type: text, label: A}\n  - {name: a, type: text, label: B}\n",
     "le nom « a » est déjà utilisé"),
    ("title: T\nfields:\n  - {name: validate, type: text, label: A}\n", "le nom « validate » est réservé"),
    ("title: T\nfields:\n  - {name: a, type: text, label: A, requierd: true}\n", "clé inconnue « requierd »"),
    ("title: T\nfields:\n  - {name: a, type: choice, label: A, vocabulary: colours}\n", "vocabulaire inconnu « colours »"),
    ("title: T\nfields:\n  - {name: a, type: choice, label: A, choices_provider: nobody}\n",
     "source de choix inconnue « nobody »"),
    ("title: T\nfields:\n  - {name: a, type: choice, label: A}\n", "exactement une source de choix"),
    ("title: T\nfields:\n  - {name: a, type: choice, label: A, choices: {yes: Oui, no: Non}}\n",
     "doit être un texte (mettez-le entre guillemets)"),
    ("title: T\nfields:\n  - {name: a, type: choice, label: A, choices: {x: X}, widget: slider}\n", "widget inconnu « slider »"),
    ("title: T\nfields:\n  - {name: a, type: text, label: A, validators: [shout]}\n", "règle de validation inconnue « shout »"),
    ("title: T\nfields:\n  - {name: a, type: text, label: A, min: 3}\n", "« min » n'a de sens que pour un champ number"),
    ("title: T\nfields:\n  - {name: a, type: text, label: A, choices: {x: X}}\n", "« choices » n'a de sens que"),
    ("title: T\nfields:\n  - {name: a, type: number, label: A, min: 5, max: 1}\n", "min est plus grand que max"),
    ("title: T\nfields:\n  - {name: a, type: file, label: A, accept: docx}\n", "seuls les fichiers PDF"),
    ("title: T\nfields:\n  - {name: a, type: text, label: A, show_if: {b: x}}\n  - {name: b, type: text, label: B}\n",
     "porte sur « b », qui doit être un champ déclaré plus haut"),
    ("title: T\nfields:\n  - {name: a, type: choice, label: A, choices: {x: X}}\n"
     "  - {name: b, type: text, label: B, required_if: {a: y}}\n", "« y » n'est pas un choix possible de « a »"),
    ("title: T\nfields:\n  - {name: a, type: checkbox, label: A}\n"
     "  - {name: b, type: text, label: B, required: true, show_if: {a: true}}\n", "ne peut pas être masqué"),
])
def test_malformed_specs_are_reported_in_french(yaml_text, expected):
    with pytest.raises(FormSpecError) as excinfo:
        parse_spec(yaml_text, "broken")
    assert expected in str(excinfo.value)
    assert any(expected in problem for problem in excinfo.value.problems) or not excinfo.value.problems


def test_check_spec_lists_every_problem():
    problems = check_spec({"title": "", "fields": [{"name": "a", "type": "nope", "label": ""}]})
    assert len(problems) == 3
    assert all(isinstance(problem, str) for problem in problems)


# --- choices: vocabularies, providers, restrictions from the diagram -------------

def test_refusal_reasons_depend_on_the_company_kind(ctx, review):
    ei = dict(build_form(review, {"company_kind": "EI"}).refusal_reason.choices)
    geiq = dict(build_form(review, {"company_kind": "GEIQ"}).refusal_reason.choices)
    assert "non_eligible" in ei and "prevent_objectives" in ei
    assert "non_eligible" not in geiq and "prevent_objectives" not in geiq
    assert "auto" not in ei  # system only
    assert ei["other"] == "Autre"


@pytest.mark.parametrize("companies", [
    {"12": "ACI du Nord", 7: "EI du Sud"},
    [(12, "ACI du Nord"), ("7", "EI du Sud")],
    [{"id": 12, "name": "ACI du Nord"}, {"id": 7, "name": "EI du Sud"}],
    [SimpleNamespace(id=12, name="ACI du Nord"), SimpleNamespace(id=7, name="EI du Sud")],
])
def test_other_companies_provider_accepts_common_shapes(companies):
    assert registry.PROVIDERS["user_other_companies"]({"other_companies": companies}) == {
        "12": "ACI du Nord", "7": "EI du Sud"}


def test_restrict_choices_keeps_the_spec_order(ctx, review):
    form = build_form(review, {}, restrict_choices={"decision": ["accept", "refuse", "study", "unknown"]})
    assert [code for code, _ in form.decision.choices] == ["study", "refuse", "accept"]
    form = build_form(review, {}, restrict_choices={"decision": "pool, accept"})
    assert [code for code, _ in form.decision.choices] == ["pool", "accept"]


def test_a_choice_the_diagram_does_not_offer_is_refused(ctx, review):
    data, errors = validate_json(review, {"decision": "refuse"}, {}, {"decision": ["accept"]})
    assert data == {}
    # The refused decision does not make the refusal fields required.
    assert errors == {"decision": ["Choisissez une valeur dans la liste."]}


def test_parse_and_check_restrict_choices(review):
    properties = {"formKey": "application_review", "choices.decision": "study, refuse,accept", "dueIn": "P30D"}
    restrict = parse_restrict_choices(properties)
    assert restrict == {"decision": ["study", "refuse", "accept"]}
    assert check_restrict_choices(review, restrict) == []
    problems = check_restrict_choices(review, {"decision": ["acept"], "colour": ["red"],
                                               "hired": [], "refusal_reason": ["whatever"]})
    assert any("« acept » n'est pas un choix possible" in p for p in problems)
    assert any("n'a pas de champ « colour »" in p for p in problems)
    assert any("choices.hired" in p for p in problems)
    assert not any("whatever" in p for p in problems)  # provider choices are known only at run time


def test_resolve_choices_for_the_api(review):
    pairs = resolve_choices(review.field("decision"), {}, ["refuse", "accept"])
    assert pairs == [("refuse", "Décliner la candidature"), ("accept", "Accepter et déclarer l'embauche")]


# --- required_if, show_if, clean data ---------------------------------------------

def test_refusal_needs_a_reason_and_a_message(ctx, review):
    data, errors = validate_json(review, {"decision": "refuse"}, {"company_kind": "EI"})
    assert data == {}
    assert errors == {"refusal_reason": [REQUIRED], "answer_to_job_seeker": [REQUIRED]}


def test_other_reason_needs_details(ctx, review):
    payload = {"decision": "refuse", "refusal_reason": "other", "answer_to_job_seeker": "Bonjour"}
    _, errors = validate_json(review, payload, {"company_kind": "EI"})
    assert errors == {"refusal_reason_details": [REQUIRED]}


def test_postpone_needs_a_message(ctx, review):
    _, errors = validate_json(review, {"decision": "postpone"}, {})
    assert errors == {"answer_to_job_seeker": [REQUIRED]}


def test_transfer_needs_a_target_among_the_users_companies(ctx, review):
    context = {"other_companies": {"12": "ACI du Nord"}}
    _, errors = validate_json(review, {"decision": "transfer"}, context)
    assert errors == {"transfer_to": [REQUIRED]}
    _, errors = validate_json(review, {"decision": "transfer", "transfer_to": "99"}, context)
    assert errors == {"transfer_to": ["Choisissez une valeur dans la liste."]}
    data, errors = validate_json(review, {"decision": "transfer", "transfer_to": 12}, context)
    assert errors == {}
    assert data["transfer_to"] == "12"


def test_full_refusal_gives_clean_json_data(ctx, review):
    payload = {
        "decision": "refuse", "refusal_reason": "other", "refusal_reason_details": "  Poste pourvu  ",
        "answer_to_job_seeker": "Merci", "private_comment": "Profil à revoir",
        "share_reason_with_job_seeker": True,
    }
    data, errors = validate_json(review, payload, {"company_kind": "EI"})
    assert errors == {}
    assert data == {
        "decision": "refuse", "refusal_reason": "other", "refusal_reason_details": "Poste pourvu",
        "answer_to_job_seeker": "Merci", "private_comment": "Profil à revoir",
        "share_reason_with_job_seeker": True, "transfer_to": None,
    }
    json.dumps(data)


def test_hidden_fields_come_back_empty_and_are_not_validated(ctx, review):
    payload = {"decision": "accept", "refusal_reason": "bogus", "answer_to_job_seeker": "x" * 6000,
               "share_reason_with_job_seeker": True, "transfer_to": "3"}
    data, errors = validate_json(review, payload, {})
    assert errors == {}
    assert data == {
        "decision": "accept", "refusal_reason": None, "refusal_reason_details": "",
        "answer_to_job_seeker": "", "private_comment": "", "share_reason_with_job_seeker": False,
        "transfer_to": None,
    }


def test_a_hidden_field_counts_as_empty_for_the_fields_below(ctx, review):
    # refusal_reason "other" is hidden when the decision is not a refusal: no details are asked.
    data, errors = validate_json(review, {"decision": "pool", "refusal_reason": "other"}, {})
    assert errors == {}
    assert data["refusal_reason_details"] == ""


def test_decision_is_required(ctx, review):
    _, errors = validate_json(review, {}, {})
    assert errors == {"decision": [REQUIRED]}


# --- hire contract: domain validators ----------------------------------------------

def test_hire_dates_use_the_domain_rules(ctx, hire):
    context = {"company_kind": "EI", "today": TODAY}
    _, errors = validate_json(hire, {"hiring_start_at": "2026-11-21", "hired_job_description": "other", "hired_job": "Maçon"}, context)
    assert errors == {"hiring_start_at": [
        "La date de début du contrat ne peut pas être dans le passé (avant le 22/11/2026)."]}
    _, errors = validate_json(hire, {"hiring_start_at": "2027-05-23", "hired_job_description": "other", "hired_job": "Maçon"}, context)
    assert "au plus tard le 22/05/2027" in errors["hiring_start_at"][0]
    data, errors = validate_json(hire, {"hiring_start_at": "2027-05-22", "hired_job_description": "other", "hired_job": "Maçon"}, context)
    assert errors == {}


def test_geiq_may_hire_in_the_past(ctx, hire):
    data, errors = validate_json(hire, {"hiring_start_at": "2026-10-01", "hired_job_description": "other", "hired_job": "Maçon"},
                                 {"company_kind": "GEIQ", "today": TODAY})
    assert errors == {}
    assert data["hiring_start_at"] == "2026-10-01"


def test_end_date_must_follow_the_start(ctx, hire):
    context = {"company_kind": "EI", "today": TODAY}
    payload = {"hiring_start_at": "2026-12-01", "hiring_end_at": "2026-11-30", "hired_job_description": "other", "hired_job": "Maçon"}
    _, errors = validate_json(hire, payload, context)
    assert errors == {"hiring_end_at": [
        "La date de fin du contrat ne peut pas être antérieure à la date de début (01/12/2026)."]}


def test_end_date_is_not_compared_with_an_invalid_start(ctx, hire):
    payload = {"hiring_start_at": "2020-01-01", "hiring_end_at": "2019-01-01", "hired_job_description": "other", "hired_job": "Maçon"}
    _, errors = validate_json(hire, payload, {"company_kind": "EI", "today": TODAY})
    assert set(errors) == {"hiring_start_at"}


def test_hire_clean_data(ctx, hire):
    payload = {"hiring_start_at": "2026-12-01", "hiring_end_at": "2027-06-30", "hired_job_description": "other", "hired_job": " Maçon ",
               "answer_to_job_seeker": "Bienvenue"}
    data, errors = validate_json(hire, payload, {"company_kind": "EI", "today": TODAY})
    assert errors == {}
    assert data == {"hiring_start_at": "2026-12-01", "hiring_end_at": "2027-06-30", "hired_job_description": "other", "hired_job": "Maçon",
                    "answer_to_job_seeker": "Bienvenue"}


def test_hire_required_fields_and_length(ctx, hire):
    _, errors = validate_json(hire, {"hired_job_description": "other", "hired_job": "x" * 201}, {"today": TODAY})
    assert errors == {"hiring_start_at": [REQUIRED], "hired_job": ["Saisissez au plus 200 caractères."]}


def test_today_defaults_to_the_current_date(ctx, hire):
    data, errors = validate_json(hire, {"hiring_start_at": registry.context_today({}).isoformat(),
                                        "hired_job_description": "other", "hired_job": "Maçon"}, {"company_kind": "EI"})
    assert errors == {}


# --- JSON input -------------------------------------------------------------------

@pytest.mark.parametrize("payload, field, message", [
    ({"hiring_start_at": "22/11/2026"}, "hiring_start_at", "Saisissez une date valide au format AAAA-MM-JJ"),
    ({"hiring_start_at": "2026-02-30"}, "hiring_start_at", "Saisissez une date valide au format AAAA-MM-JJ"),
    ({"hiring_start_at": 20261122}, "hiring_start_at", "Saisissez une date valide au format AAAA-MM-JJ"),
    ({"hired_job": ["Maçon"]}, "hired_job", "Indiquez un texte."),
    ({"hired_job": True}, "hired_job", "Indiquez un texte."),
    ({"colour": "red"}, "colour", "Ce champ n'existe pas dans ce formulaire."),
])
def test_json_errors_are_per_field_and_french(ctx, hire, payload, field, message):
    _, errors = validate_json(hire, payload, {"today": TODAY})
    assert errors[field][0].startswith(message)


def test_json_payload_must_be_an_object(ctx, hire):
    assert validate_json(hire, ["x"], {}) == ({}, {"_form": ["Les données doivent être un objet JSON (champ : valeur)."]})


def test_every_type_cleans_to_json_types(ctx, every_type):
    payload = {
        "title_text": "Cariste", "notes": "", "day": "2026-11-22", "hours": "17,5", "kind": "OTHER",
        "colours": ["blue", "red"], "agreed": True, "mail": "nom@example.fr", "phone": "+33 6 12 34 56 78",
        "nir": "1 85 05 78 006 084 91", "siret": "732 829 320 00017",
    }
    data, errors = validate_json(every_type, payload, {})
    assert errors == {}
    assert data == {
        "title_text": "Cariste", "notes": "", "day": "2026-11-22", "hours": 17.5, "kind": "OTHER",
        "colours": ["blue", "red"], "agreed": True, "mail": "nom@example.fr", "phone": "0612345678",
        "nir": "185057800608491", "siret": "73282932000017",
    }
    assert "cv" not in data
    data, _ = validate_json(every_type, {"hours": 35}, {})
    assert data["hours"] == 35 and isinstance(data["hours"], int)
    data, _ = validate_json(every_type, {}, {})
    assert data == {"title_text": "", "notes": "", "day": None, "hours": None, "kind": None, "colours": [],
                    "agreed": False, "mail": "", "phone": "", "nir": "", "siret": ""}


def test_every_type_reports_french_errors(ctx, every_type):
    payload = {
        "title_text": "x" * 11, "hours": "beaucoup", "kind": "CDI", "colours": ["red", "pink"],
        "agreed": "yes", "mail": "pas-un-mail", "phone": "12", "nir": "185057800608436", "siret": "73282932000018",
    }
    _, errors = validate_json(every_type, payload, {})
    assert errors == {
        "title_text": ["Saisissez au plus 10 caractères."],
        "hours": ["Saisissez un nombre (ex. 35 ou 17,5)."],
        "kind": ["Choisissez une valeur dans la liste."],
        "colours": ["Choisissez uniquement des valeurs de la liste."],
        "agreed": ["Indiquez true ou false."],
        "mail": ["Saisissez une adresse e-mail valide (ex. nom@domaine.fr)."],
        "phone": ["Saisissez un numéro de téléphone français à 10 chiffres (ex. 06 12 34 56 78) "
                  "ou au format international +33."],
        "nir": ["La clé du NIR ne correspond pas : vérifiez le numéro."],
        "siret": ["Ce SIRET n'est pas valide (clé de contrôle incorrecte)."],
    }
    _, errors = validate_json(every_type, {"hours": 49}, {})
    assert errors == {"hours": ["Saisissez un nombre entre 1 et 48."]}
    _, errors = validate_json(every_type, {"cv": "cv.pdf"}, {})
    assert errors == {"cv": ["Un fichier s'envoie en multipart/form-data, pas en JSON."]}


# --- HTML path (request form data), files, CSRF -----------------------------------

def test_html_post_is_read_from_the_request(form_app, hire):
    post = {"hiring_start_at": "01/12/2026", "hired_job_description": "other", "hired_job": "Maçon", "hiring_end_at": ""}
    with form_app.test_request_context("/", method="POST", data=post):
        form = build_form(hire, {"company_kind": "EI", "today": TODAY})
        assert form.validate_on_submit()
        assert clean_data(form)["hiring_start_at"] == "2026-12-01"
        assert clean_data(form)["hiring_end_at"] is None


def test_html_invalid_date_message(form_app, hire):
    with form_app.test_request_context("/", method="POST", data={"hiring_start_at": "31/02/2026", "hired_job_description": "other", "hired_job": "x"}):
        form = build_form(hire, {"today": TODAY})
        data, errors = form_result(form)
    assert data == {}
    assert errors == {"hiring_start_at": ["Saisissez une date valide (jj/mm/aaaa)."]}


def test_html_and_json_agree(form_app, review):
    payload = {"decision": "refuse", "refusal_reason": "training", "answer_to_job_seeker": "Désolé"}
    with form_app.test_request_context("/", method="POST", data=payload):
        html_result = form_result(build_form(review, {"company_kind": "EI"}))
    with form_app.test_request_context("/"):
        json_result = validate_json(review, payload, {"company_kind": "EI"})
    assert html_result == json_result


def test_csrf_error_is_french(form_app, hire):
    form_app.config["WTF_CSRF_ENABLED"] = True
    with form_app.test_request_context("/", method="POST", data={"hiring_start_at": "2026-12-01", "hired_job_description": "other", "hired_job": "x"}):
        form = build_form(hire, {"today": TODAY})
        _, errors = form_result(form)
    assert errors == {"csrf_token": [
        "Votre session a expiré ou le formulaire a été envoyé deux fois : rechargez la page et recommencez."]}


def test_pdf_upload(form_app, every_type):
    with form_app.test_request_context("/", method="POST", data={"cv": pdf()},
                                       content_type="multipart/form-data"):
        form = build_form(every_type, {})
        assert form.validate(), form.errors
        files = uploaded_files(form)
        assert isinstance(files["cv"], FileStorage)
        assert files["cv"].read(5) == b"%PDF-"
        assert "cv" not in clean_data(form)


@pytest.mark.parametrize("upload, message", [
    (FileStorage(io.BytesIO(b"hello"), filename="cv.pdf"), "Le fichier doit être un document PDF."),
    (FileStorage(io.BytesIO(b"%PDF-1.4"), filename="cv.docx"), "Le fichier doit être un document PDF."),
    (None, "Le fichier ne doit pas dépasser 1 Mo."),
])
def test_pdf_upload_errors(form_app, every_type, upload, message):
    upload = upload or pdf(size=1024 * 1024 + 1)
    with form_app.test_request_context("/", method="POST", data={"cv": upload},
                                       content_type="multipart/form-data"):
        form = build_form(every_type, {})
        assert not form.validate()
        assert form.cv.errors == [message]


def test_initial_data_in_json_shape(ctx, hire):
    form = build_form(hire, {}, data={"hiring_start_at": "2026-12-01", "hired_job_description": "other", "hired_job": "Maçon", "other": 1})
    assert form.hiring_start_at.data == date(2026, 12, 1)
    assert form.hiring_start_at._value() == "2026-12-01"
    assert form.hired_job.data == "Maçon"


def test_explicit_formdata(ctx, review):
    formdata = MultiDict({"decision": "study"})
    form = build_form(review, {}, formdata=formdata, csrf=False)
    assert form.validate()
    assert clean_data(form)["decision"] == "study"


def test_wtforms_builtins_speak_french(ctx, review):
    form = build_form(review, {})
    assert form.meta.locales == ["fr_FR", "fr"]
    translated = form.meta.get_translations(form).gettext("Not a valid choice.")
    assert translated != "Not a valid choice."


def test_spec_fields_metadata_for_templates(ctx, review):
    form = build_form(review, {})
    assert [f.name for f in form.spec_fields] == list(review.field_names)
    refusal_reason = form.spec_fields[1]
    assert refusal_reason.required_when_shown
    assert json.loads(refusal_reason.show_if_json) == {"decision": ["refuse"]}
    assert not form.spec_fields[4].required_when_shown  # private comment


# --- rendering --------------------------------------------------------------------

class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def render(form, spec):
    html = render_template_string(
        '{% from "macros/form.html" import render_spec_form %}{{ render_spec_form(form, spec, "/go") }}',
        form=form, spec=spec)
    collector = _Collector()
    collector.feed(html)
    return html, collector.elements


def _check_accessibility(html, elements):
    ids = [attrs.get("id") for _, attrs in elements if attrs.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    labelled = {attrs.get("for") for tag, attrs in elements if tag == "label"}
    for tag, attrs in elements:
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            assert attrs.get("id") in labelled, f"no label for {attrs}"
        for referenced in (attrs.get("aria-describedby") or "").split():
            assert referenced in ids, f"aria-describedby points to a missing id {referenced}"
    for tag, attrs in elements:
        if tag == "a" and attrs.get("href", "").startswith("#"):
            assert attrs["href"][1:] in ids


def test_render_review_form(form_app, review):
    with form_app.test_request_context("/"):
        form = build_form(review, {"company_kind": "EI"}, restrict_choices={"decision": ["refuse", "accept"]})
        html, elements = render(form, review)
    _check_accessibility(html, elements)
    assert 'action="/go"' in html
    assert "Que souhaitez-vous faire ? (obligatoire)" in html
    assert "fr-radio-group" in html and "fr-fieldset" in html and "fr-select" in html
    assert "fr-checkbox-group" in html
    assert 'role="alert"' not in html
    radios = [attrs["value"] for tag, attrs in elements if tag == "input" and attrs.get("type") == "radio"]
    assert radios == ["refuse", "accept"]
    groups = {attrs["data-field-name"]: attrs for _, attrs in elements if "data-field-name" in attrs}
    assert json.loads(groups["refusal_reason"]["data-show-if"]) == {"decision": ["refuse"]}
    assert "data-show-if" not in groups["decision"]
    assert "/static/js/show-if.js" in html
    assert "Jamais montré au candidat." in html


def test_render_errors(form_app, review):
    with form_app.test_request_context("/", method="POST", data={"decision": "refuse"}):
        form = build_form(review, {"company_kind": "EI"})
        assert not form.validate()
        html, elements = render(form, review)
    _check_accessibility(html, elements)
    assert 'role="alert"' in html
    assert "Le formulaire contient 2 erreurs" in html
    assert 'href="#refusal_reason"' in html
    assert "fr-select-group--error" in html and "fr-input-group--error" in html
    select = next(attrs for tag, attrs in elements if tag == "select" and attrs["id"] == "refusal_reason")
    assert select["aria-describedby"] == "refusal_reason-error"
    assert select["aria-invalid"] == "true"
    assert re.search(r'<p class="fr-error-text" id="refusal_reason-error">Ce champ est obligatoire.</p>', html)
    checked = [attrs["value"] for tag, attrs in elements if tag == "input" and "checked" in attrs]
    assert checked == ["refuse"]


def test_render_radio_error_links_to_first_option(form_app, review):
    with form_app.test_request_context("/", method="POST", data={}):
        form = build_form(review, {})
        form.validate()
        html, elements = render(form, review)
    _check_accessibility(html, elements)
    assert 'href="#decision-0"' in html
    assert "fr-fieldset--error" in html


def test_render_every_type(form_app, every_type):
    with form_app.test_request_context("/", method="POST", data={"hours": "x", "mail": "bad"}):
        form = build_form(every_type, {})
        form.validate()
        html, elements = render(form, every_type)
    _check_accessibility(html, elements)
    assert 'enctype="multipart/form-data"' in html
    assert "fr-upload-group" in html and 'class="fr-upload"' in html
    assert "Format PDF, 1 Mo maximum." in html
    assert "Format attendu : jj/mm/aaaa." in html
    assert 'type="date"' in html
    assert "show-if.js" not in html  # no show_if in this spec
    boxes = [attrs for tag, attrs in elements if tag == "input" and attrs.get("name") == "colours"]
    assert len(boxes) == 3


def test_conditional_required_without_show_if_gets_a_hint(form_app):
    spec = parse_spec(
        "title: T\nfields:\n"
        "  - {name: a, type: choice, label: Choix, widget: radio, choices: {x: X, y: Y}}\n"
        "  - {name: b, type: text, label: Détail, required_if: {a: x}}\n", "conditional")
    with form_app.test_request_context("/"):
        html, elements = render(build_form(spec, {}), spec)
    _check_accessibility(html, elements)
    assert "Obligatoire selon votre réponse à « Choix »." in html


def test_render_with_csrf(form_app, hire):
    form_app.config["WTF_CSRF_ENABLED"] = True
    with form_app.test_request_context("/"):
        html, elements = render(build_form(hire, {}), hire)
    assert any(attrs.get("name") == "csrf_token" and attrs.get("type") == "hidden" for _, attrs in elements)


def test_without_javascript_conditional_fields_say_when_they_apply(form_app, review):
    with form_app.test_request_context("/"):
        form = build_form(review, {"company_kind": "EI"}, restrict_choices={"decision": ["refuse", "accept"]})
        html, elements = render(form, review)
    _check_accessibility(html, elements)
    assert ("Seulement si vous répondez « Décliner la candidature » à « Que souhaitez-vous faire ? »."
            in html)
    assert "Seulement si vous répondez « Autre » à « Motif du refus »." in html
    notes = [attrs for _, attrs in elements if "data-show-if-note" in attrs]
    assert len(notes) == 5  # the transfer field is gone: the diagram does not offer "transfer" here
    assert all("id" not in attrs for attrs in notes)  # never in aria-describedby: JS hides them


def test_fields_for_a_choice_the_diagram_does_not_offer_are_not_shown(form_app, review):
    with form_app.test_request_context("/"):
        form = build_form(review, {"company_kind": "EI"}, restrict_choices={"decision": ["accept"]})
        html, _elements = render(form, review)
    assert "Motif du refus" not in html and "Précisez le motif" not in html
    assert "Structure de destination" not in html
    assert "Accepter et déclarer" in html

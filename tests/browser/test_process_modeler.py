"""A process owner shortens the application's auto-refusal timer from 60 to 30 days in the
browser modeler and publishes it: new cases follow version 2, a case started before keeps
version 1 and its 60 days. Every page goes through axe; the bpmn-js canvas is left out (a
third-party drawing, whose elements the "Aller à un élément" list and the version pages name).
"""
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Case, User
from app.models.base import utcnow
from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene, send_application

CANVAS = "#canvas"
OWNER = "olga.proprietaire@parcours.test"


@pytest.fixture
def scene(live_server):
    scene = build_scene(live_server.app)
    with live_server.app.app_context():
        owner = User(email=OWNER, first_name="Olga", last_name="Propriétaire", kind="staff", is_process_owner=True)
        owner.set_password(PASSWORD)
        db.session.add(owner)
        db.session.commit()
    return scene


def wake_in_days(app, case_id):
    """(process version, days until the case's next timer) of a case."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        return case.process_version.version, (case.next_wake_at - utcnow()) / timedelta(days=1)


def test_owner_shortens_the_auto_refusal_timer_and_publishes(browser_page, live_server, scene):
    app = live_server.app
    before = send_application(app, scene)
    assert wake_in_days(app, before)[0] == 1
    assert 59.9 < wake_in_days(app, before)[1] <= 60

    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The 422 answer to the publication without a note is expected; any other console error is a bug.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)

    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(OWNER)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches"))

    # The list of processes.
    page.get_by_role("link", name="Processus", exact=True).click()
    page.wait_for_url(re.compile(r"/processus$"))
    row = page.get_by_role("row").filter(has_text="Traitement d'une candidature")
    assert row.get_by_text("version 1 : 1 dossier").is_visible()
    assert_accessible(page)
    row.get_by_role("link", name="Traitement d'une candidature").click()

    # The process: no draft yet.
    page.wait_for_url(re.compile(r"/processus/application$"))
    assert page.get_by_text("Aucun brouillon en cours").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Modifier le processus").click()

    # The modeler: pick the timer, change its delay in the properties panel.
    page.wait_for_url(re.compile(r"/processus/application/modeler$"))
    page.wait_for_selector("#modeler[data-ready=true]")
    assert_accessible(page, exclude=[CANVAS])
    page.get_by_label("Aller à un élément").select_option("bt_new_auto")
    delay = page.get_by_label("Délai", exact=True)
    assert delay.input_value() == '"P60D"'
    delay.fill('"P30D"')
    name = page.locator("#properties").get_by_label("Nom", exact=True)
    name.fill("30 jours sans réponse")
    delay.press("Tab")
    page.get_by_role("button", name="Enregistrer le brouillon", exact=True).click()
    page.get_by_text("Brouillon enregistré.").wait_for()
    page.get_by_role("button", name="Vérifier", exact=True).click()
    page.get_by_text("Aucune erreur : le brouillon peut être publié").wait_for()
    assert_accessible(page, exclude=[CANVAS])
    page.get_by_role("link", name="Publier…").click()

    # Publish, with the required note.
    page.wait_for_url(re.compile(r"/processus/application/publier$"))
    assert page.get_by_text("Aucun problème trouvé.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publier la version 2").click()
    page.get_by_role("alert").filter(has_text="Ce champ est obligatoire").wait_for()
    assert_accessible(page)
    page.get_by_label("Ce qui change dans cette version (obligatoire)").fill(
        "Refus automatique après 30 jours sans réponse au lieu de 60.")
    page.get_by_role("button", name="Publier la version 2").click()

    page.wait_for_url(re.compile(r"/processus/application$"))
    assert page.get_by_text("Version 2 publiée").is_visible()
    history = page.get_by_role("row").filter(has_text="Refus automatique après 30 jours")
    assert history.get_by_text("En service").is_visible()
    assert history.get_by_text("Olga Propriétaire").is_visible()
    assert_accessible(page)

    # The comparison names the change.
    page.get_by_role("link", name="Comparer la version 1 à la version en service").click()
    page.wait_for_url(re.compile(r"/comparer"))
    changed = page.get_by_role("row").filter(has_text="Minuterie (durée)")
    assert changed.get_by_text('"P60D"').is_visible()
    assert changed.get_by_text('"P30D"').is_visible()
    assert_accessible(page)

    # A new case follows version 2; the one started before keeps version 1.
    after = send_application(app, scene, seeker="leo")
    version, days = wake_in_days(app, after)
    assert version == 2
    assert 29.9 < days <= 30
    version, days = wake_in_days(app, before)
    assert version == 1
    assert 59.9 < days <= 60
    assert not errors, errors


def sign_in(page, live_server):
    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(OWNER)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches"))


def test_dedicated_fields_write_what_the_engine_reads(browser_page, live_server, scene):
    """Form key, due date, choices, inbox visibility, stage, role, operation and its parameters,
    condition and script: edited in French fields, saved, and read back by the Python parser."""
    from app.engine.parsing import parse_process
    from app.services import process_admin

    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server)
    page.goto(live_server.url + "/processus/application/modeler")
    page.wait_for_selector("#modeler[data-ready=true]")
    panel = page.locator("#properties")
    pick = page.get_by_label("Aller à un élément")

    pick.select_option("ut_new")
    assert panel.get_by_label("Formulaire (clé)").input_value() == "application_review"
    panel.get_by_label("Échéance (durée ISO)").fill("P15D")
    panel.get_by_label("Choix proposés").fill("decision: study, refuse")
    panel.get_by_label("Visible dans les boîtes de réception").uncheck()

    pick.select_option("ms_refused")
    panel.get_by_label("Étape métier (stage)").fill("declined")

    pick.select_option("Lane_employer")
    panel.get_by_label("Rôle").select_option("Prescripteur habilité")

    pick.select_option("archive")
    panel.get_by_label("Opération").select_option("notify")
    panel.get_by_role("button", name=re.compile("Ajouter|Create new list item")).click()
    panel.get_by_label("Nom du paramètre").fill("template")
    panel.get_by_label("Valeur (expression Python)").fill('"application_archived')

    pick.select_option("f_gw_pool")
    panel.get_by_label("Condition (expression Python)").fill('decision in ("pool", "vivier")')

    pick.select_option("auto_refuse")
    panel.get_by_label("Script (Python)").fill('decision = "refuse"\nrefusal_reason = "auto"')
    page.get_by_label("Aller à un élément").focus()

    # The server check finds the unclosed quote and points at the element.
    page.get_by_role("button", name="Vérifier", exact=True).click()
    problem = page.locator("#check-results li").filter(has_text="Le paramètre « template »")
    problem.wait_for()
    assert "erreur de syntaxe" in problem.inner_text()
    pick.select_option("ut_new")
    problem.get_by_role("button", name="Archiver la candidature").click()
    assert pick.input_value() == "archive"
    panel.get_by_text("template", exact=True).click()  # list items open on demand
    panel.get_by_label("Valeur (expression Python)").fill('"application_archived"')
    page.get_by_label("Aller à un élément").focus()

    # The form spec, edited next to the diagram, previewed live.
    page.get_by_label("Formulaire à modifier").select_option("application_review")
    yaml = page.get_by_label("Description du formulaire (YAML)")
    preview = page.locator("#form-preview legend")
    preview.filter(has_text="Que souhaitez-vous faire ?").wait_for()
    yaml.fill(yaml.input_value().replace("label: Que souhaitez-vous faire ?", "label: Votre décision"))
    preview.filter(has_text="Votre décision").wait_for()
    assert_accessible(page, exclude=[CANVAS])

    page.get_by_role("button", name="Enregistrer le brouillon", exact=True).click()
    page.get_by_text("Brouillon enregistré.").wait_for()
    with live_server.app.app_context():
        draft = process_admin.draft_of("application")
        parsed = parse_process(draft.xml, "brouillon")
        assert "label: Votre décision" in draft.forms["application_review"]
    specs = parsed.spec.task_specs
    assert specs["ut_new"].extensions["properties"] == {
        "formKey": "application_review", "choices.decision": "study,refuse", "dueIn": "P15D", "listed": "false"}
    assert specs["ut_new"].lane == "Prescripteur habilité"
    assert specs["ms_refused"].extensions["properties"] == {"stage": "declined"}
    assert specs["archive"].operation_name == "notify"
    assert specs["archive"].operation_params == {"template": {"value": '"application_archived"', "type": "any"}}
    assert specs["auto_refuse"].script == 'decision = "refuse"\nrefusal_reason = "auto"'
    pool = next(s for s in specs.values() if s.name == "gw_decision")
    assert 'decision in ("pool", "vivier")' in [condition.args[0] for condition, _target in pool.cond_task_specs]
    assert not errors, errors


def test_owner_simulates_migrates_a_case_and_rolls_back(browser_page, live_server, scene):
    """The pages around the modeler, with axe: simulation of a draft, a version, the migration of
    a running case (pre-check, then move), and the rollback to version 1."""
    from app.engine import processes
    from app.services import process_admin

    app = live_server.app
    case_id = send_application(app, scene)
    with app.app_context():
        owner = User.query.filter_by(email=OWNER).one()
        xml = processes.latest_version("application").xml
        draft = process_admin.save_draft("application", xml.replace('"P60D"', '"P30D"', 1), {}, 0, owner)
        process_admin.publish("application", draft.lock, "Refus automatique à 30 jours", owner)
        process_admin.save_draft("application", xml.replace('"P60D"', '"P45D"', 1), {}, 0, owner)
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server)
    page.goto(live_server.url + "/processus/application")
    assert page.get_by_text("Version 1 : 1 dossier").is_visible()
    assert_accessible(page)

    # Simulation of the draft (45 days) over the running case, which stays untouched.
    page.get_by_role("link", name="Simuler sur les dossiers en cours").first.click()
    page.wait_for_url(re.compile(r"/simulation$"))
    row = page.get_by_role("row").filter(has_text="CAND-")
    assert row.get_by_text("Possible").is_visible()
    assert row.get_by_text("Échéance « 60 jours sans réponse »").is_visible()
    assert_accessible(page)
    assert wake_in_days(app, case_id)[0] == 1

    # Version 1, read-only, with its diagram and the list of its elements.
    page.goto(live_server.url + "/processus/application/versions/1")
    page.wait_for_selector("#diagramme[data-bpmn-rendered=done]")
    assert page.get_by_role("row").filter(has_text="bt_new_auto").get_by_text('"P60D"').is_visible()
    assert_accessible(page, exclude=["#diagramme"])

    # A problem's link opens the modeler on its element.
    page.goto(live_server.url + "/processus/application/modeler?element=bt_new_auto")
    page.wait_for_selector("#modeler[data-ready=true]")
    assert page.get_by_label("Aller à un élément").input_value() == "bt_new_auto"
    assert page.locator("#properties").get_by_label("Délai", exact=True).input_value() == '"P45D"'

    # Migration: choose the case, read the pre-check, move it.
    page.goto(live_server.url + "/processus/application/migration")
    assert_accessible(page)
    page.locator("label.fr-label", has_text="CAND-").click()
    page.get_by_role("button", name="Vérifier ces dossiers").click()
    page.wait_for_url(re.compile(r"/migration/verification$"))
    assert page.get_by_role("row").filter(has_text="CAND-").get_by_text("Oui", exact=True).is_visible()
    assert page.get_by_text("Les échéances en attente repartent de la date du changement de version.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Migrer les dossiers cochés").click()
    page.wait_for_url(re.compile(r"/migration/executer$"))
    assert page.get_by_text("1 dossier migré").is_visible()
    assert_accessible(page)
    version, days = wake_in_days(app, case_id)
    assert version == 2 and 29.9 < days <= 30

    # Rollback: version 1 becomes version 3.
    page.goto(live_server.url + "/processus/application/versions/1/republier")
    assert_accessible(page)
    page.get_by_label("Pourquoi revenir à cette version ? (obligatoire)").fill("Les employeurs demandent 60 jours.")
    page.get_by_role("button", name="Republier la version 1").click()
    page.wait_for_url(re.compile(r"/processus/application$"))
    assert page.get_by_text("La version 1 est de nouveau en service, sous le numéro 3.").is_visible()
    assert page.get_by_role("row").filter(has_text="Retour à la version 1").get_by_text("En service").is_visible()
    assert_accessible(page)
    assert not errors, errors

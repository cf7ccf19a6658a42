"""Following applications: sent (/candidatures/envoyees), received (/candidatures/recues), the job
seeker's own (/mes-candidatures), and their CSV exports, on SQLite and PostgreSQL.

Applications are opened and moved by the real process (tests/web/builders.py); only the
2-year rule backdates a case row, since nobody can wait two years in a test.
"""
import csv
import io
import re
from datetime import date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from app.engine import runtime
from app.extensions import db
from app.models import AuditEntry, Case, JobSeeker, Membership, Task, User
from app.models.base import utcnow
from app.services.job_seekers import today_paris
from tests.support.hire import declare_hire_in
from tests.web.builders import build_scene, login, logout, send_application, text

PARIS = ZoneInfo("Europe/Paris")
SENT, RECEIVED, MINE = "/candidatures/envoyees", "/candidatures/recues", "/mes-candidatures"
REFUSAL = {"decision": "refuse", "refusal_reason": "no_position",
           "answer_to_job_seeker": "Nous n'avons plus de poste ouvert.",
           "private_comment": "Profil intéressant pour la saison prochaine."}


@pytest.fixture
def scene(app):
    return build_scene(app)


# --- helpers -------------------------------------------------------------------------------------

def act(app, case_id, user_key, scene, **data):
    """Complete the open task of a case (or of the hire it opened) as `user_key`, as the task page does."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        task = (Task.query.join(Case).filter(Task.state == "open",
                                             (Case.id == case_id) | (Case.parent_case_id == case_id))
                .order_by(Task.id.desc()).first())
        runtime.complete_task(task, data, db.session.get(User, scene.users[user_key]))
        db.session.commit()
        return case.stage


def accept(app, case_id, scene):
    act(app, case_id, "employer", scene, decision="accept")
    declare_hire_in(app, case_id, scene.users["employer"], today_paris())


def reference(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).reference


def backdate(app, case_id, **delta):
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.created_at = utcnow() - timedelta(**delta)
        db.session.commit()


def new_seeker(app, first, last):
    with app.app_context():
        seeker = JobSeeker(first_name=first, last_name=last)
        db.session.add(seeker)
        db.session.commit()
        return seeker.id


def send_for(app, scene, seeker_id, company="jardins", sender="prescriber", sender_org="ft"):
    from app.models import Organisation
    from app.services import cases
    with app.app_context():
        case = cases.open_application(db.session.get(User, scene.users[sender]),
                                      db.session.get(Organisation, scene.orgs[sender_org]),
                                      seeker_id, scene.orgs[company], "Bonjour, voici une candidature.")
        db.session.commit()
        return case.id


def sign_in(client, scene, user, org=None):
    """Sign in as `user` (signing out whoever was), acting for `org` if given."""
    logout(client)
    assert login(client, scene.email(user)).status_code == 302
    if org is not None:
        assert client.post("/organisation", data={"organisation_id": scene.orgs[org]}).status_code == 302


def table_rows(response):
    """The text of each body row of the page's table, tags removed."""
    body = response.get_data(as_text=True)
    match = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    if not match:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def row_of(response, ref):
    found = [row for row in table_rows(response) if ref in row]
    assert len(found) == 1, (ref, table_rows(response))
    return found[0]


def read_csv(response):
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8")), "a BOM makes French Excel read UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def audit_entries(app):
    with app.app_context():
        return [(entry.action, entry.actor_id, entry.organisation_id, entry.summary, entry.data)
                for entry in AuditEntry.query.order_by(AuditEntry.id)]


def today_paris():
    return datetime.now(PARIS).date()


# --- the sent list ----------------------------------------------------------------------------------

def test_a_prescriber_follows_what_their_organisation_sent(app, client, scene):
    first = send_application(app, scene)
    second = send_application(app, scene, seeker="leo", company="recyclerie")
    elsewhere = send_application(app, scene, seeker="leo", sender="other_prescriber", sender_org="ml")
    act(app, first, "employer", scene, decision="study")
    sign_in(client, scene, "prescriber")

    response = client.get(SENT)
    assert response.status_code == 200
    page = text(response)
    assert "<h1 class=\"fr-mb-1w\">Candidatures envoyées</h1>" in page
    assert "Candidatures envoyées : 2 candidatures" in page  # the table's caption
    rows = table_rows(response)
    assert len(rows) == 2
    # Newest first.
    assert reference(app, second) in rows[0] and reference(app, first) in rows[1]
    assert "Léo MARTIN" in rows[0] and "La Recyclerie Rennaise" in rows[0] and "Nouvelle candidature" in rows[0]
    assert "Les Jardins de la Vilaine" in rows[1] and "À l'étude" in rows[1]
    assert today_paris().strftime("%d/%m/%Y") in rows[1]
    assert f'href="/dossiers/{first}"' in page
    assert reference(app, elsewhere) not in page  # another prescriber's application


def test_the_employer_answer_refusal_reason_and_private_comment_reach_the_prescriber(app, client, scene):
    case_id = send_application(app, scene)
    act(app, case_id, "employer", scene, **REFUSAL)
    sign_in(client, scene, "prescriber")
    row = row_of(client.get(SENT), reference(app, case_id))
    assert "Déclinée" in row
    assert "Motif : Pas de recrutement en cours" in row
    assert "Nous n'avons plus de poste ouvert." in row
    assert "Commentaire privé : Profil intéressant pour la saison prochaine." in row


def test_an_employer_who_sent_elsewhere_sees_the_answer_but_not_the_private_comment(app, client, scene):
    # Emma acts for La Recyclerie and sends to the GEIQ, whose member refuses.
    case_id = send_application(app, scene, company="geiq", sender="employer", sender_org="recyclerie")
    act(app, case_id, "other_employer", scene, **REFUSAL)
    sign_in(client, scene, "employer", "recyclerie")
    response = client.get(SENT)
    assert response.status_code == 200
    row = row_of(response, reference(app, case_id))
    assert "GEIQ Bâtiment Bretagne" in row
    assert "Nous n'avons plus de poste ouvert." in row
    assert "Profil intéressant" not in row  # the private comment is for the prescriber, not for her
    assert "Pas de recrutement" not in row  # nor the reason she was not meant to read (as on the case page)


def test_sent_filters_state_company_name_dates_and_mine(app, client, scene):
    nadia_jardins = send_application(app, scene)
    leo_recyclerie = send_application(app, scene, seeker="leo", company="recyclerie")
    act(app, leo_recyclerie, "employer", scene, **REFUSAL)
    old = send_application(app, scene, seeker="leo", company="jardins")
    backdate(app, old, days=40)
    # A colleague of Paula at France Travail sends one too.
    with app.app_context():
        db.session.add(Membership(user_id=scene.users["other_prescriber"], organisation_id=scene.orgs["ft"]))
        db.session.commit()
    colleague = send_application(app, scene, seeker="nadia", company="geiq", sender="other_prescriber")
    refs = {key: reference(app, case_id) for key, case_id in
            [("nadia_jardins", nadia_jardins), ("leo_recyclerie", leo_recyclerie), ("old", old),
             ("colleague", colleague)]}
    sign_in(client, scene, "prescriber")

    def listed(query):
        response = client.get(f"{SENT}?{query}")
        assert response.status_code == 200, text(response)
        page = text(response)
        return {key for key, ref in refs.items() if ref in page}

    assert listed("") == set(refs)
    assert listed("state=refused") == {"leo_recyclerie"}
    assert listed("state=refused&state=new") == set(refs)
    assert listed(f"company={scene.orgs['recyclerie']}") == {"leo_recyclerie"}
    assert listed("job_seeker=leo") == {"leo_recyclerie", "old"}
    assert listed("job_seeker=MARTIN+l%C3%A9o") == {"leo_recyclerie", "old"}
    assert listed("job_seeker=inconnu") == set()
    assert listed("job_seeker=L%C3%89O") == {"leo_recyclerie", "old"}  # ÉLÉO or LÉO: accents and case aside
    week_ago = (today_paris() - timedelta(days=7)).isoformat()
    assert listed(f"date_from={week_ago}") == {"nadia_jardins", "leo_recyclerie", "colleague"}
    assert listed(f"date_to={week_ago}") == {"old"}
    # Dates typed the French way work too.
    assert listed(f"date_to={(today_paris() - timedelta(days=7)).strftime('%d/%m/%Y')}") == {"old"}
    assert listed("mine=y") == {"nadia_jardins", "leo_recyclerie", "old"}
    # The filters stay in the form.
    page = text(client.get(f"{SENT}?state=refused&job_seeker=leo"))
    assert 'value="refused" checked' in page
    assert 'value="leo"' in page
    assert "Candidatures envoyées : 1 candidature (filtrées)" in page
    assert "Effacer les filtres" in page


def test_the_company_filter_offers_only_companies_the_organisation_sent_to(app, client, scene):
    send_application(app, scene, company="recyclerie")
    sign_in(client, scene, "prescriber")
    page = text(client.get(SENT))
    options = re.search(r'<select[^>]*name="company".*?</select>', page, re.S).group(0)
    assert "La Recyclerie Rennaise (EI)" in options
    assert "Les Jardins" not in options and "GEIQ" not in options
    response = client.get(f"{SENT}?company={scene.orgs['geiq']}")
    assert response.status_code == 422
    assert "Choisissez une valeur dans la liste." in text(response)


@pytest.mark.parametrize("query, message", [
    ("date_from=2026-11-30&date_to=2026-11-01", "La date de fin doit être égale ou postérieure à la date de début."),
    ("date_from=31/02/2026", "Saisissez une date valide (jj/mm/aaaa)."),
    ("state=nowhere", "Choisissez uniquement des valeurs de la liste."),
    ("job_seeker=" + "x" * 101, "Saisissez au plus 100 caractères."),
])
def test_bad_filters_get_a_french_message_and_no_list(app, client, scene, query, message):
    send_application(app, scene)
    sign_in(client, scene, "prescriber")
    response = client.get(f"{SENT}?{query}")
    assert response.status_code == 422
    page = text(response)
    assert 'role="alert"' in page and message in page
    assert "<tbody>" not in page
    assert "<title>Erreur : Candidatures envoyées — Parcours</title>" in page


def test_archived_applications_are_hidden_until_asked_for(app, client, scene):
    case_id = send_application(app, scene)
    act(app, case_id, "employer", scene, decision="postpone", answer_to_job_seeker="Liste d'attente.")
    # 180 days without action: the diagram's timer archives the application.
    with app.app_context():
        runtime.wake_case(db.session.get(Case, case_id), utcnow() + timedelta(days=181))
        db.session.commit()
        assert db.session.get(Case, case_id).archived
    ref = reference(app, case_id)
    for user, org, url in (("prescriber", None, SENT), ("employer", "jardins", RECEIVED), ("seeker", None, MINE)):
        sign_in(client, scene, user, org)
        assert ref not in text(client.get(url)), url
        response = client.get(f"{url}?archived=y")
        assert "Archivée" in row_of(response, ref)
        assert "archivées comprises" in text(response)


def test_pagination_of_the_sent_list(app, client, scene):
    ids = [send_for(app, scene, new_seeker(app, f"Personne{n:02d}", "Test")) for n in range(23)]
    sign_in(client, scene, "prescriber")
    first = client.get(SENT)
    assert len(table_rows(first)) == 20
    assert "Candidatures envoyées : 23 candidatures" in text(first)
    assert 'href="/candidatures/envoyees?page=2"' in text(first)
    second = client.get(f"{SENT}?page=2")
    assert len(table_rows(second)) == 3
    assert reference(app, ids[0]) in text(second)  # the oldest comes last
    assert "(page 2)" in text(second)
    # Filters are kept from page to page.
    page = text(client.get(f"{SENT}?state=new&job_seeker=Test"))
    assert "page=2" in page and "state=new" in page and "job_seeker=Test" in page
    assert client.get(f"{SENT}?page=3").status_code == 404
    assert client.get(f"{SENT}?page=abc").status_code == 200


def test_empty_states_of_the_lists(app, client, scene):
    sign_in(client, scene, "prescriber")
    assert "Votre structure n'a encore envoyé aucune candidature." in text(client.get(SENT))
    send_application(app, scene)
    page = text(client.get(f"{SENT}?state=accepted"))
    assert "Aucune candidature ne correspond à ces filtres." in page
    sign_in(client, scene, "other_employer")
    assert "Votre structure n'a reçu aucune candidature ces 2 dernières années." in text(client.get(RECEIVED))
    sign_in(client, scene, "other_seeker")
    assert "Aucune candidature n'a encore été envoyée pour vous." in text(client.get(MINE))


# --- the received list ----------------------------------------------------------------------------------

def test_a_company_sees_its_received_applications_with_sender_and_task_to_do(app, client, scene):
    case_id = send_application(app, scene)
    direct = send_application(app, scene, seeker="leo", sender="other_seeker", sender_org=None)
    elsewhere = send_application(app, scene, company="geiq")
    sign_in(client, scene, "colleague")
    response = client.get(RECEIVED)
    assert response.status_code == 200
    row = row_of(response, reference(app, case_id))
    assert "Nadia HADDAD" in row and "Prescripteur France Travail Rennes Paula Rescrit" in row
    assert "Nouvelle candidature" in row and "Traiter la nouvelle candidature" in row
    with app.app_context():
        task_id = Task.query.filter_by(case_id=case_id, state="open").one().id
    assert f'href="/taches/{task_id}"' in text(response)
    assert "Candidat Léo Martin" in row_of(response, reference(app, direct))
    assert reference(app, elsewhere) not in text(response)
    assert "Mes tâches" in text(response)  # the inbox stays where tasks are


def test_the_received_list_points_to_the_hire_form_once_accepted(app, client, scene):
    case_id = send_application(app, scene)
    act(app, case_id, "employer", scene, decision="accept")
    sign_in(client, scene, "employer", "jardins")
    # The hire's first step (Nadia's record lacks her address and birth place).
    assert "Compléter les informations du candidat" in row_of(client.get(RECEIVED), reference(app, case_id))


def test_companies_see_two_years_of_applications_plus_every_accepted_one(app, client, scene):
    recent = send_application(app, scene)
    old = send_application(app, scene, seeker="leo")
    old_accepted = send_for(app, scene, new_seeker(app, "Anne", "Ancienne"))
    accept(app, old_accepted, scene)
    backdate(app, old, days=2 * 365 + 2)
    backdate(app, old_accepted, days=3 * 365)
    almost = send_for(app, scene, new_seeker(app, "Bruno", "Limite"))
    backdate(app, almost, days=2 * 365 - 2)
    sign_in(client, scene, "employer", "jardins")
    page = text(client.get(f"{RECEIVED}?archived=y"))
    assert reference(app, recent) in page and reference(app, almost) in page
    assert reference(app, old) not in page
    assert reference(app, old_accepted) in page and "Acceptée" in row_of(client.get(RECEIVED), reference(app, old_accepted))
    # The prescriber who sent them still sees all of theirs.
    sign_in(client, scene, "prescriber")
    assert reference(app, old) in text(client.get(SENT))


def test_auto_prescriptions_carry_a_badge_and_stay_out_of_the_sent_list(app, client, scene):
    # Emma, acting for Les Jardins, applies for Nadia to Les Jardins itself.
    auto = send_application(app, scene, sender="employer", sender_org="jardins")
    # And, acting for La Recyclerie, sends Léo to Les Jardins.
    other = send_application(app, scene, seeker="leo", sender="employer", sender_org="recyclerie")
    prescribed = send_application(app, scene, seeker="leo", company="jardins", sender="prescriber")
    sign_in(client, scene, "colleague")
    response = client.get(RECEIVED)
    assert "Auto-prescription" in row_of(response, reference(app, auto))
    assert "Auto-prescription" not in row_of(response, reference(app, other))
    assert "Employeur La Recyclerie Rennaise" in row_of(response, reference(app, other))

    def listed(kind):
        page = text(client.get(f"{RECEIVED}?sender_kind={kind}"))
        return {ref for ref in (reference(app, auto), reference(app, other), reference(app, prescribed)) if ref in page}

    assert listed("auto") == {reference(app, auto)}
    assert listed("employer") == {reference(app, other)}
    assert listed("prescriber") == {reference(app, prescribed)}
    assert listed("job_seeker") == set()
    sign_in(client, scene, "employer", "jardins")
    page = text(client.get(SENT))
    assert reference(app, auto) not in page and reference(app, other) not in page
    sign_in(client, scene, "employer", "recyclerie")
    assert reference(app, other) in text(client.get(SENT))


def test_an_auto_prescription_flag_in_the_summary_also_gets_the_badge(app, client, scene):
    # The prescription process may mark auto-prescriptions in the case's summary.
    case_id = send_application(app, scene, sender="employer", sender_org="recyclerie")
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.summary = {**case.summary, "auto_prescription": True}
        db.session.commit()
    sign_in(client, scene, "colleague")
    assert "Auto-prescription" in row_of(client.get(RECEIVED), reference(app, case_id))
    assert reference(app, case_id) in text(client.get(f"{RECEIVED}?sender_kind=auto"))
    assert reference(app, case_id) not in text(client.get(f"{RECEIVED}?sender_kind=employer"))


def test_received_filters_state_name_and_dates(app, client, scene):
    nadia = send_application(app, scene)
    leo = send_application(app, scene, seeker="leo")
    act(app, leo, "employer", scene, decision="pool")
    backdate(app, nadia, days=10)
    sign_in(client, scene, "employer", "jardins")

    def listed(query):
        page = text(client.get(f"{RECEIVED}?{query}"))
        return {name for name, case_id in (("nadia", nadia), ("leo", leo)) if reference(app, case_id) in page}

    assert listed("state=pool") == {"leo"}
    assert listed("job_seeker=nadia") == {"nadia"}
    assert listed(f"date_from={(today_paris() - timedelta(days=2)).isoformat()}") == {"leo"}
    assert listed(f"date_to={(today_paris() - timedelta(days=2)).isoformat()}") == {"nadia"}
    assert client.get(f"{RECEIVED}?sender_kind=robot").status_code == 422


# --- the job seeker's own list ----------------------------------------------------------------------------

def test_a_job_seeker_reads_answers_but_never_the_private_comment(app, client, scene):
    shared = send_application(app, scene)
    act(app, shared, "employer", scene, **REFUSAL, share_reason_with_job_seeker=True)
    kept = send_application(app, scene, company="recyclerie")
    act(app, kept, "employer", scene, **dict(REFUSAL, answer_to_job_seeker="Merci, ce sera pour une autre fois."))
    waiting = send_application(app, scene, company="geiq")
    leo = send_application(app, scene, seeker="leo")
    sign_in(client, scene, "seeker")
    response = client.get(MINE)
    assert response.status_code == 200
    page = text(response)
    assert "Profil intéressant" not in page  # never the private comment
    row = row_of(response, reference(app, shared))
    assert "Les Jardins de la Vilaine" in row and "Déclinée" in row
    assert "Motif : Pas de recrutement en cours" in row and "Nous n'avons plus de poste ouvert." in row
    row = row_of(response, reference(app, kept))
    assert "Merci, ce sera pour une autre fois." in row
    assert "Pas de recrutement" not in row  # the reason was not shared
    assert "Nouvelle candidature" in row_of(response, reference(app, waiting))
    assert "France Travail Rennes" in row_of(response, reference(app, waiting))
    assert "Paula" not in page  # organisations only, not the professionals' names
    assert reference(app, leo) not in page  # someone else's
    # The case page behind the link is hers to read.
    assert client.get(f"/dossiers/{shared}").status_code == 200


def test_a_job_seeker_filters_their_applications(app, client, scene):
    refused = send_application(app, scene)
    act(app, refused, "employer", scene, **REFUSAL)
    pending = send_application(app, scene, company="recyclerie")
    sign_in(client, scene, "seeker")
    page = text(client.get(f"{MINE}?state=refused"))
    assert reference(app, refused) in page and reference(app, pending) not in page


# --- who sees which list ----------------------------------------------------------------------------------

def test_nobody_lists_another_organisations_applications(app, client, scene):
    ours = send_application(app, scene)
    ref = reference(app, ours)
    sign_in(client, scene, "other_prescriber")
    assert ref not in text(client.get(SENT))
    sign_in(client, scene, "other_employer")
    assert ref not in text(client.get(RECEIVED))
    assert ref not in text(client.get(SENT))
    assert ref not in text(client.get(MINE))
    sign_in(client, scene, "other_seeker")
    assert ref not in text(client.get(MINE))
    # Even asking by filter or export.
    sign_in(client, scene, "other_prescriber")
    assert ref not in text(client.get(f"{SENT}?archived=y&state=new"))
    assert ref not in client.get(f"{SENT}.csv").get_data(as_text=True)


@pytest.mark.parametrize("user, url, status", [
    ("prescriber", RECEIVED, 403),
    ("prescriber", f"{RECEIVED}.csv", 403),
    ("support", SENT, 403),
    ("support", RECEIVED, 403),
    ("seeker", SENT, 302),
    ("seeker", RECEIVED, 302),
    ("seeker", f"{SENT}.csv", 403),
    ("other_employer", SENT, 200),
    ("employer", MINE, 200),
])
def test_who_may_open_which_list(app, client, scene, user, url, status):
    sign_in(client, scene, user)
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert "Cette liste montre les candidatures" in text(response)
    if status == 302:
        assert response.headers["Location"].endswith(MINE)


def test_lists_need_a_signed_in_user(client, scene):
    for url in (SENT, RECEIVED, MINE, f"{SENT}.csv?mois=2026-11"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_navigation_links_follow_the_organisation_category(app, client, scene):
    sign_in(client, scene, "prescriber")
    page = text(client.get(SENT))
    assert 'href="/candidatures/envoyees" aria-current="page">Candidatures envoyées' in page
    assert 'href="/candidatures/recues"' not in page
    sign_in(client, scene, "employer", "jardins")
    page = text(client.get("/taches"))
    assert 'href="/candidatures/recues"' in page and 'href="/candidatures/envoyees"' in page
    assert 'href="/mes-candidatures"' not in page
    sign_in(client, scene, "seeker")
    page = text(client.get("/taches"))
    assert 'href="/mes-candidatures"' in page and 'href="/candidatures/envoyees"' not in page


# --- CSV exports -------------------------------------------------------------------------------------------

def test_the_monthly_synthesis_is_a_french_excel_csv_and_is_logged(app, client, scene):
    case_id = send_application(app, scene)
    act(app, case_id, "employer", scene, **dict(REFUSAL, answer_to_job_seeker="=HYPERLINK(\"x\"); merci"))
    last_month = send_application(app, scene, seeker="leo")
    backdate(app, last_month, days=45)
    month = today_paris().strftime("%Y-%m")
    sign_in(client, scene, "prescriber")
    page = text(client.get(SENT))
    assert 'name="mois"' in page and f'value="{month}" selected' in page

    response = client.get(f"{SENT}.csv?mois={month}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="synthese-candidatures-france-travail-rennes-{month}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert b"\r\n" in response.get_data()
    rows = read_csv(response)
    assert rows[0] == ["Date d'envoi", "Référence", "Candidat", "Structure destinataire", "Type de structure",
                       "Ville", "Envoyée par", "État", "Dernière mise à jour", "Réponse de l'employeur",
                       "Motif de refus", "Précisions sur le motif", "Commentaire privé", "Archivée"]
    assert len(rows) == 2  # last month's application is not in this month's synthesis
    line = dict(zip(rows[0], rows[1]))
    assert line["Référence"] == reference(app, case_id)
    assert line["Date d'envoi"] == today_paris().strftime("%d/%m/%Y")
    assert line["Candidat"] == "Nadia HADDAD"
    assert line["Structure destinataire"] == "Les Jardins de la Vilaine"
    assert line["État"] == "Déclinée" and line["Motif de refus"] == "Pas de recrutement en cours"
    assert line["Commentaire privé"] == "Profil intéressant pour la saison prochaine."
    assert line["Envoyée par"] == "Paula Rescrit" and line["Archivée"] == "Non"
    # A spreadsheet will not run what an employer typed.
    assert line["Réponse de l'employeur"] == "'=HYPERLINK(\"x\"); merci"

    [(action, actor_id, organisation_id, summary, data)] = audit_entries(app)
    assert action == "applications_exported"
    assert actor_id == scene.users["prescriber"] and organisation_id == scene.orgs["ft"]
    assert summary == f"Synthèse mensuelle {month} des candidatures envoyées par France Travail Rennes : 1 candidature"
    assert data["month"] == month and data["count"] == 1
    assert data["references"] == [reference(app, case_id)]

    previous = (today_paris().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    rows = read_csv(client.get(f"{SENT}.csv?mois={previous}"))
    assert [row[1] for row in rows[1:]] == ([reference(app, last_month)]
                                            if (today_paris() - timedelta(days=45)).strftime("%Y-%m") == previous
                                            else [])


@pytest.mark.parametrize("month", ["2026-13", "novembre", "", "1990-01"])
def test_a_bad_month_gets_a_french_message_and_exports_nothing(app, client, scene, month):
    send_application(app, scene)
    sign_in(client, scene, "prescriber")
    response = client.get(f"{SENT}.csv?mois={month}")
    assert response.status_code == 422
    assert "Choisissez un mois au format AAAA-MM (ex. 2026-11)." in text(response)
    assert audit_entries(app) == []


def test_the_filtered_sent_export_has_every_page_and_is_logged(app, client, scene):
    ids = [send_for(app, scene, new_seeker(app, f"Export{n:02d}", "Test")) for n in range(22)]
    other = send_application(app, scene, seeker="leo", company="recyclerie")
    sign_in(client, scene, "prescriber")
    page = text(client.get(f"{SENT}?company={scene.orgs['jardins']}"))
    assert f'href="/candidatures/envoyees.csv?company={scene.orgs["jardins"]}"' in page
    response = client.get(f"{SENT}.csv?company={scene.orgs['jardins']}")
    rows = read_csv(response)
    assert len(rows) == 1 + 22
    assert {row[1] for row in rows[1:]} == {reference(app, case_id) for case_id in ids}
    assert reference(app, other) not in response.get_data(as_text=True)
    [(action, actor_id, _org, summary, data)] = audit_entries(app)
    assert action == "applications_exported" and actor_id == scene.users["prescriber"]
    assert summary == "Export CSV des candidatures envoyées par France Travail Rennes : 22 candidatures"
    assert data["filters"]["company_id"] == scene.orgs["jardins"] and data["count"] == 22
    assert client.get(f"{SENT}.csv?date_from=hier").status_code == 422
    assert len(audit_entries(app)) == 1


def test_an_employer_who_sent_exports_without_the_private_comment_column(app, client, scene):
    case_id = send_application(app, scene, company="geiq", sender="employer", sender_org="recyclerie")
    act(app, case_id, "other_employer", scene, **REFUSAL)
    sign_in(client, scene, "employer", "recyclerie")
    rows = read_csv(client.get(f"{SENT}.csv?mois={today_paris():%Y-%m}"))
    assert "Commentaire privé" not in rows[0]
    assert "Profil intéressant" not in ";".join(rows[1])


def test_the_received_export_follows_the_filters_and_the_two_year_rule(app, client, scene):
    case_id = send_application(app, scene)
    act(app, case_id, "employer", scene, **REFUSAL)
    old = send_application(app, scene, seeker="leo")
    backdate(app, old, days=3 * 365)
    auto = send_application(app, scene, seeker="leo", sender="employer", sender_org="jardins")
    sign_in(client, scene, "colleague")
    response = client.get(f"{RECEIVED}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="candidatures-recues-')
    rows = read_csv(response)
    assert rows[0][:6] == ["Date de réception", "Référence", "Candidat", "Type d'émetteur",
                           "Organisation émettrice", "Personne émettrice"]
    lines = {row[1]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert set(lines) == {reference(app, case_id), reference(app, auto)}
    assert lines[reference(app, case_id)]["Commentaire privé"] == "Profil intéressant pour la saison prochaine."
    assert lines[reference(app, auto)]["Auto-prescription"] == "Oui"
    rows = read_csv(client.get(f"{RECEIVED}.csv?state=refused"))
    assert [row[1] for row in rows[1:]] == [reference(app, case_id)]
    entries = audit_entries(app)
    assert [(e[0], e[1], e[2]) for e in entries] == [("applications_exported", scene.users["colleague"],
                                                      scene.orgs["jardins"])] * 2
    assert entries[1][4]["filters"]["states"] == ["refused"]

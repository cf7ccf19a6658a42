"""Who may see and do what on the HTML side: every role × every route (DESIGN: tested as a matrix)."""
import pytest

from app.extensions import db
from app.models import Notification
from tests.web.builders import build_scene, case_state, login, open_task_id, send_application, text

ROLES = {
    # role: the builder's user key (None: not signed in)
    "receiving_employer": "colleague",
    "other_company_employer": "other_employer",
    "sending_prescriber": "prescriber",
    "other_prescriber": "other_prescriber",
    "concerned_job_seeker": "seeker",
    "other_job_seeker": "other_seeker",
    "support": "support",
    "anonymous": None,
}

ROUTES = ("task_get", "task_post", "claim", "case", "diagram", "notifications", "other_notification_read")

# 302 for a signed-in user means the action was done and the page moved on; for
# "anonymous" it means "sign in first". The sender and the job seeker follow the
# case (read-only task page) but never act on the employer's task.
EXPECTED = {
    #                         task_get task_post claim case diagram notifications other_notification_read
    "receiving_employer":     (200,    302,      302,  200, 200,    200,          404),
    "other_company_employer": (403,    403,      403,  403, 403,    200,          404),
    "sending_prescriber":     (200,    403,      403,  200, 200,    200,          404),
    "other_prescriber":       (403,    403,      403,  403, 403,    200,          404),
    "concerned_job_seeker":   (200,    403,      403,  200, 200,    200,          404),
    "other_job_seeker":       (403,    403,      403,  403, 403,    200,          404),
    "support":                (200,    302,      302,  200, 200,    200,          404),
    "anonymous":              (302,    302,      302,  302, 302,    302,          302),
}

MATRIX = [(role, route, EXPECTED[role][index]) for role in ROLES for index, route in enumerate(ROUTES)]


@pytest.fixture
def scene(app):
    return build_scene(app)


def request_route(app, client, scene, route, case_id, task_id):
    if route == "task_get":
        return client.get(f"/taches/{task_id}")
    if route == "task_post":
        return client.post(f"/taches/{task_id}", data={"decision": "pool"})
    if route == "claim":
        return client.post(f"/taches/{task_id}/prendre")
    if route == "case":
        return client.get(f"/dossiers/{case_id}")
    if route == "diagram":
        return client.get(f"/dossiers/{case_id}/diagramme.bpmn")
    if route == "notifications":
        return client.get("/notifications")
    if route == "other_notification_read":
        # The employer's "Nouvelle candidature" notification, never anybody else's to mark.
        with app.app_context():
            row = Notification.query.filter_by(recipient_id=scene.users["employer"]).first()
            return client.post(f"/notifications/{row.id}/lue")
    raise AssertionError(route)


@pytest.mark.parametrize("role, route, expected", MATRIX, ids=[f"{r}-{o}" for r, o, _e in MATRIX])
def test_permission_matrix(app, client, scene, role, route, expected):
    case_id = send_application(app, scene)
    task_id = open_task_id(app, case_id)
    if ROLES[role]:
        assert login(client, scene.email(ROLES[role])).status_code == 302
    response = request_route(app, client, scene, route, case_id, task_id)
    assert response.status_code == expected, text(response)[:2000]

    if role == "anonymous":
        assert "/login" in response.headers["Location"]
        return
    page = text(response)
    if expected == 403:
        assert "<title>Accès refusé — Parcours</title>" in page
        # A refusal never leaks who the case is about.
        assert "Nadia HADDAD" not in page
    if route == "task_post":
        # Nothing moves unless the actor may act.
        assert case_state(app, case_id)[0] == ("pool" if expected == 302 else "new")
    if route == "task_get" and expected == 200:
        can_act = role in ("receiving_employer", "support")
        assert ('name="decision"' in page) is can_act
        if not can_act:
            assert "Vous pouvez suivre son avancement, mais pas la traiter." in page


PRIVATE = "Le candidat ne s'est pas présenté, ne pas relancer."


@pytest.fixture
def refused_case(app, scene):
    case_id = send_application(app, scene)
    employer = app.test_client()
    login(employer, scene.email("colleague"))
    response = employer.post(f"/taches/{open_task_id(app, case_id)}", data={
        "decision": "refuse", "refusal_reason": "did_not_come_to_interview",
        "answer_to_job_seeker": "Vous ne vous êtes pas présentée à l'entretien.",
        "private_comment": PRIVATE, "share_reason_with_job_seeker": "y"})
    assert response.status_code == 302
    return case_id


@pytest.mark.parametrize("role", ["receiving_employer", "sending_prescriber", "support"])
def test_professionals_of_the_case_read_the_private_comment(app, client, scene, refused_case, role):
    login(client, scene.email(ROLES[role]))
    assert PRIVATE in text(client.get(f"/dossiers/{refused_case}"))


def test_the_job_seeker_never_sees_the_private_comment(app, client, scene, refused_case):
    login(client, scene.email("seeker"))
    reconsider = open_task_id(app, refused_case, listed=False)
    pages = [client.get(f"/dossiers/{refused_case}"), client.get("/notifications"), client.get("/taches"),
             client.get(f"/taches/{reconsider}")]
    for response in pages:
        assert response.status_code == 200
        page = text(response)
        assert PRIVATE not in page
        assert "Commentaire privé pour le prescripteur</dt>" not in page
    case_page = text(pages[0])
    assert "Vous ne vous êtes pas présentée à l'entretien." in case_page
    assert "Candidat ne s'étant pas présenté à l'entretien" in case_page  # the shared reason


def test_a_former_member_loses_access(app, client, scene):
    from app.models import Membership

    case_id = send_application(app, scene)
    login(client, scene.email("colleague"))
    assert client.get(f"/dossiers/{case_id}").status_code == 200
    with app.app_context():
        membership = Membership.query.filter_by(user_id=scene.users["colleague"],
                                                organisation_id=scene.orgs["jardins"]).one()
        membership.is_active = False
        db.session.commit()
    assert client.get(f"/dossiers/{case_id}").status_code == 403
    assert client.get(f"/taches/{open_task_id(app, case_id)}").status_code == 403


def test_an_unshared_refusal_reason_stays_with_the_professionals(app, client, scene):
    case_id = send_application(app, scene)
    employer = app.test_client()
    login(employer, scene.email("colleague"))
    employer.post(f"/taches/{open_task_id(app, case_id)}", data={
        "decision": "refuse", "refusal_reason": "lacking_skills",
        "answer_to_job_seeker": "Nous ne pouvons pas donner suite."})
    reason = "Le candidat n'a pas les compétences requises pour le poste"
    assert reason in text(employer.get(f"/dossiers/{case_id}"))
    login(client, scene.email("seeker"))
    for path in (f"/dossiers/{case_id}", "/notifications"):
        page = text(client.get(path))
        assert "Nous ne pouvons pas donner suite." in page
        assert reason not in page, path

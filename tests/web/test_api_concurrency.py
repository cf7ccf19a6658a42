"""Two people act on the same task at the same instant through the API (SQLite and PostgreSQL).

Each thread has its own test client, hence its own request, app context and database
session, as two app servers would. A barrier placed just before the first database
write makes both requests pass every check (the task is open for both) before either
commits: exactly one must win, the other gets a 409 with a French message, and the
case records a single completion.
"""
import threading
from collections import Counter

import pytest

from app.engine import runtime
from app.extensions import db
from app.models import Case, Event, Task
from app.services import tasks as task_service
from tests.support.world import PASSWORD, make_world, open_task, send_application

API = "/api/v1"
TIMEOUT = 30


@pytest.fixture
def race(app):
    """The world, one application, and a token for each of the two colleagues of Les Jardins."""
    with app.app_context():
        world = make_world(app.config["BPMN_DIR"])
        case = send_application(world)
        task_id, case_id, version = open_task(case).id, case.id, case.lock_version
        emails = [world.user(key).email for key in ("employer", "colleague")]
    headers = []
    for email in emails:
        response = app.test_client().post(f"{API}/tokens", json={
            "email": email, "password": PASSWORD, "organisation_id": world.orgs["jardins"]})
        assert response.status_code == 201, response.get_json()
        headers.append({"Authorization": f"Bearer {response.get_json()['token']}"})
    return world, case_id, task_id, headers, version


def hold_first_call(monkeypatch, module, name, parties=2):
    """Make the first call of module.name in each thread wait for the other thread's."""
    barrier = threading.Barrier(parties, timeout=TIMEOUT)
    barrier.calls = 0
    original = getattr(module, name)
    seen = threading.local()

    def held(*args, **kwargs):
        barrier.calls += 1
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    return barrier


def run_together(app, requests):
    """Run each (headers, method, url, json) in its own thread with its own client; the responses."""
    results = [None] * len(requests)

    def worker(index, headers, method, url, body):
        try:
            client = app.test_client()
            response = client.open(url, method=method, json=body, headers=headers)
            results[index] = (response.status_code, response.get_json())
        except BaseException as exc:  # reported below, with the other thread's answer
            results[index] = ("exception", repr(exc))

    threads = [threading.Thread(target=worker, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_simultaneous_completions_one_wins_one_gets_409(app, race, monkeypatch):
    world, case_id, task_id, headers, version = race
    # Both requests have loaded the open task and validated the form when they meet here.
    barrier = hold_first_call(monkeypatch, runtime, "complete_task")
    url = f"{API}/tasks/{task_id}/complete"
    results = run_together(app, [(h, "POST", url, {"decision": "study"}) for h in headers])
    assert not barrier.broken, results

    statuses = Counter(status for status, _ in results)
    assert statuses == Counter({200: 1, 409: 1}), results
    winner = next(body for status, body in results if status == 200)
    loser = next(body for status, body in results if status == 409)
    assert winner["case"]["stage"] == "processing"
    # The loser stepped the engine too, hit the optimistic lock on commit, and its one retry
    # found the task done: three engine calls in all.
    assert barrier.calls == 3
    assert set(loser) == {"error"} and loser["error"].startswith(("Cette tâche a déjà été traitée",
                                                                  "Le dossier a été modifié"))

    with app.app_context():
        completions = Event.query.filter_by(case_id=case_id, kind="task_completed").all()
        assert len(completions) == 1
        assert completions[0].task_id == task_id
        task = db.session.get(Task, task_id)
        assert task.state == "completed" and task.completed_by_id == completions[0].actor_id
        case = db.session.get(Case, case_id)
        assert case.stage == "processing" and case.lock_version == version + 1  # written once
        # The case moved on once: one open task for the next stage, one "À l'étude" stage change.
        assert Task.query.filter_by(case_id=case_id, state="open").count() == 1
        assert Event.query.filter_by(case_id=case_id, kind="stage_changed").count() == 2


def test_simultaneous_claims_one_wins_one_gets_409(app, race, monkeypatch):
    world, case_id, task_id, headers, version = race
    barrier = hold_first_call(monkeypatch, task_service, "_require_open")
    url = f"{API}/tasks/{task_id}/claim"
    results = run_together(app, [(h, "POST", url, None) for h in headers])
    assert not barrier.broken, results
    assert Counter(status for status, _ in results) == Counter({200: 1, 409: 1}), results
    winner = next(body for status, body in results if status == 200)
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.assignee_id == winner["assignee"]["id"]
        assert Event.query.filter_by(task_id=task_id, kind="task_claimed").count() == 1


def test_many_racing_completions_never_fail_badly(app, race):
    """No barrier: four clients hammer the same task; one 200, the rest 409, never a 500."""
    world, case_id, task_id, headers, version = race
    url = f"{API}/tasks/{task_id}/complete"
    results = run_together(app, [(headers[i % 2], "POST", url, {"decision": "study"}) for i in range(4)])
    statuses = Counter(status for status, _ in results)
    assert statuses == Counter({200: 1, 409: 3}), results
    with app.app_context():
        assert Event.query.filter_by(case_id=case_id, kind="task_completed").count() == 1

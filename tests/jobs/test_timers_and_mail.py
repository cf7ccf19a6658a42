"""Timers and mail through a real Redis and a real RQ worker process."""
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from app.extensions import db
from app.jobs.queue import enqueue
from app.models import Case, Notification
from app.models.base import utcnow
from tests.conftest import backends
from tests.support.waiting import wait_for
from tests.support.world import make_world, send_application


class Inbox(Message):
    """An SMTP server's mailbox: keeps every message it receives."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on loopback; the worker started after it gets its address."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
    monkeypatch.setenv("MAIL_PORT", str(port))
    yield inbox, port
    controller.stop()


@pytest.mark.parametrize("database_url", backends(), indirect=True)
def test_the_worker_fires_the_sixty_day_timer(app, rq_worker):
    with app.app_context():
        world = make_world(app.config["BPMN_DIR"])
        case_id = send_application(world).id
        enqueue("app.jobs.timers.wake_due_cases", (utcnow() + timedelta(days=61)).isoformat())

    def refused():
        with app.app_context():
            return db.session.get(Case, case_id).stage == "refused"
    wait_for(refused, timeout=60, message=f"the timer job to refuse the application\n{rq_worker.log()}")


def test_notifications_are_mailed_by_the_worker_after_the_commit(app, smtp_server, rq_worker):
    inbox, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        world = make_world(app.config["BPMN_DIR"])
        case_id = send_application(world).id

    def all_sent():
        with app.app_context():
            statuses = {n.status for n in Notification.query.filter_by(case_id=case_id)}
            return statuses == {"sent"}
    wait_for(all_sent, timeout=60, message=f"the mail job to send every notification\n{rq_worker.log()}")
    recipients = sorted(m["To"] for m in inbox.messages)
    assert recipients == ["collegue@test.fr", "employeur@test.fr", "jean@exemple.fr", "prescripteur@test.fr"]
    assert all(m["Subject"] == "[Parcours] Nouvelle candidature" for m in inbox.messages)

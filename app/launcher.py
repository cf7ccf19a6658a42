"""`flask --app app launch`: the whole app in one command (DESIGN: embedded default).

Starts (or reuses) Redis, spawns an RQ worker and the clock as child processes,
serves the app with waitress, and stops the children when it stops.
"""
import ctypes
import os
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from app.config import ROOT
from app.jobs.queue import redis_url


def _die_with_parent():
    # Linux: children get SIGTERM if the launcher is killed without a chance to clean up.
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def spawn_children(url):
    env = dict(os.environ, REDIS_URL=url)
    flask = [sys.executable, "-m", "flask", "--app", "app", "jobs"]
    return [subprocess.Popen(flask + [cmd], env=env, cwd=ROOT, preexec_fn=_die_with_parent)
            for cmd in ("worker", "clock")]


def stop_children(children, timeout=10):
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@click.command("launch")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", "8000")), type=int,
              help="Default: $PORT or 8000.")
@click.option("--no-worker", is_flag=True, help="Serve only; workers run elsewhere.")
@click.option("--threads", default=8, show_default=True, help="waitress threads.")
@with_appcontext
def launch_command(host, port, no_worker, threads):
    """Serve Parcours with waitress, plus an RQ worker and the clock."""
    import waitress

    app = current_app._get_current_object()
    embedded = not app.config.get("REDIS_URL")
    # Starts the embedded redis-server when REDIS_URL is empty; the app keeps it alive.
    url = redis_url(app)
    children = [] if no_worker else spawn_children(url)

    def _stop(signum, frame):
        raise KeyboardInterrupt  # waitress's loop stops on it

    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"Parcours : http://{host}:{port}  (redis: {'embarqué ' if embedded else ''}{url}, "
               f"workers: {'non' if no_worker else 'worker + horloge'})")
    try:
        waitress.serve(app, host=host, port=port, threads=threads)
    except KeyboardInterrupt:
        pass
    finally:
        stop_children(children)

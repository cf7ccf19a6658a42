"""PASS numbers under concurrency (DOMAIN §7.1: unique, never reused, taken under a lock).

Several hires issue PASS at once, each in its own transaction, and some roll back. On
PostgreSQL they are separate OS processes (spawn), as app servers would be; on SQLite, threads
of one process (SQLite serializes writers anyway). Committed numbers must be distinct and
follow each other with no gap (a rolled-back hire gives its number back), and the counter must
equal the number of PASS issued.
"""
import multiprocessing
import queue
import threading
from datetime import date

from sqlalchemy import select

from app.domain.approvals import sequence_from_pass_number
from app.extensions import db
from app.models import Approval, JobSeeker, Organisation, PassNumberCounter
from tests.support.database import backend_of

WORKERS = 4
ISSUES_EACH = 6
START = date(2026, 3, 2)
# Every third hire of each worker is abandoned after taking its number.
ROLLED_BACK = {2, 5}
WAIT_SECONDS = 120


def _issue_all(app, company_id, seeker_ids, barrier):
    """Issue one PASS per person, one transaction each; [(number, committed)]."""
    from app.services import approvals

    outcomes = []
    with app.app_context():
        company = db.session.get(Organisation, company_id)
        barrier.wait(timeout=WAIT_SECONDS)  # start together, so the transactions really overlap
        for index, seeker_id in enumerate(seeker_ids):
            approval = approvals.issue_pass(db.session.get(JobSeeker, seeker_id), START)
            approvals.attach_hire(approval, company, None, START)
            number = approval.number
            if index in ROLLED_BACK:
                db.session.rollback()
            else:
                db.session.commit()
            outcomes.append((number, index not in ROLLED_BACK))
        db.session.remove()
    return outcomes


def issue_in_process(database_url, company_id, seeker_ids, barrier, results):
    """Entry point of a spawned process: its own app, engine and connections."""
    from app import create_app
    from tests.support.database import settings_for

    app = create_app(settings_for(database_url))
    try:
        results.put(("ok", _issue_all(app, company_id, seeker_ids, barrier)))
    except Exception as error:  # reported to the test, which fails with it
        results.put(("error", repr(error)))
    finally:
        with app.app_context():
            db.engine.dispose()


def _people(app, count):
    with app.app_context():
        company = Organisation(category="company", kind="ACI", name="Les Jardins")
        people = [JobSeeker(first_name=f"Personne {n}", last_name="Test", email=f"p{n}@exemple.fr")
                  for n in range(count)]
        db.session.add_all([company, *people])
        db.session.commit()
        ids = [p.id for p in people]
        return company.id, [ids[w::WORKERS] for w in range(WORKERS)]


def _run_processes(database_url, company_id, groups):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    processes = [context.Process(target=issue_in_process, args=(database_url, company_id, group, barrier, results))
                 for group in groups]
    for process in processes:
        process.start()
    try:
        answers = [results.get(timeout=WAIT_SECONDS) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=WAIT_SECONDS)
            if process.is_alive():
                process.kill()
    return answers


def _run_threads(app, company_id, groups):
    barrier, results = threading.Barrier(WORKERS), queue.Queue()

    def run(group):
        try:
            results.put(("ok", _issue_all(app, company_id, group, barrier)))
        except Exception as error:
            results.put(("error", repr(error)))

    threads = [threading.Thread(target=run, args=(group,)) for group in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    return [results.get_nowait() for _ in threads]


def test_concurrent_hires_get_distinct_numbers_in_sequence_and_rollbacks_give_theirs_back(app, database_url):
    company_id, groups = _people(app, WORKERS * ISSUES_EACH)
    if backend_of(database_url) == "postgresql":
        answers = _run_processes(database_url, company_id, groups)
    else:
        answers = _run_threads(app, company_id, groups)
    assert [kind for kind, _ in answers] == ["ok"] * WORKERS, answers
    outcomes = [outcome for _, worker_outcomes in answers for outcome in worker_outcomes]
    assert len(outcomes) == WORKERS * ISSUES_EACH
    committed = [sequence_from_pass_number(number) for number, kept in outcomes if kept]
    abandoned = [sequence_from_pass_number(number) for number, kept in outcomes if not kept]
    assert len(committed) == WORKERS * (ISSUES_EACH - len(ROLLED_BACK))
    assert len(set(committed)) == len(committed)                 # never two PASS with one number
    assert sorted(committed) == list(range(1, len(committed) + 1))  # no gap
    # An abandoned number went to a later hire, unless it was the very last one taken.
    assert set(abandoned) <= set(committed) | {len(committed) + 1}
    with app.app_context():
        assert db.session.scalar(select(PassNumberCounter.last_value)) == len(committed)
        stored = sorted(sequence_from_pass_number(n) for n in db.session.scalars(select(Approval.number)))
        assert stored == sorted(committed)

"""Walking a hire (bpmn/hire.bpmn) through its employer steps, for tests that need a hired person.

`declare_hire(application, employer, start)` answers whatever the hire asks next: the person's
missing information, the contract (GEIQ or not), the SIAE's own eligibility criteria. It goes
through the engine only (runtime.complete_task), as the other engine tests do; the form checks
of app/services/hire.py are exercised by tests/web/test_hire.py and tests/engine/test_hire_process.py.
"""
from app.engine import runtime
from app.extensions import db
from app.models import Case, Task

PERSON = dict(birth_date="1985-05-12", birth_place="Rennes", birth_country="", address="3 rue des Lilas",
              postcode="35000", city="Rennes", nir="", nir_missing_reason="", france_travail_id="",
              france_travail_not_registered=True)
CRITERIA = dict(criteria_level_1=["RSA"], criteria_level_2=[], proofs_kept=True,
                administrative_criteria=["RSA"])
GEIQ = dict(contract_type="PROFESSIONAL_TRAINING", contract_type_details="", hours_per_week=35,
            qualification="CAP Maçon")


def hire_case(application):
    return Case.query.filter_by(parent_case_id=application.id, process_key="hire").one()


def open_hire_task(hire, form_key=None):
    query = Task.query.filter_by(case_id=hire.id, state="open")
    if form_key:
        query = query.filter_by(form_key=form_key)
    return query.order_by(Task.id).first()


def answer(task, actor, **data):
    runtime.complete_task(task, data, actor)
    db.session.commit()


def declare_hire(application, employer, start, end=None, job="Maraîcher", person=None, criteria=None, **contract):
    """Complete the hire's employer steps until the hire is declared; returns the hire case."""
    hire = hire_case(application)
    for _ in range(4):
        task = open_hire_task(hire)
        if task is None or not task.listed:
            break
        if task.form_key == "hire_job_seeker":
            answer(task, employer, **(person or PERSON))
        elif task.form_key in ("hire_contract", "hire_contract_geiq"):
            fields = dict(hiring_start_at=start.isoformat(), hiring_end_at=end.isoformat() if end else None,
                          hired_job_description="other", hired_job=job, answer_to_job_seeker="")
            if task.form_key == "hire_contract_geiq":
                fields.update(GEIQ)
            fields.update(contract)
            answer(task, employer, **fields)
        elif task.form_key == "autoprescription_eligibility":
            answer(task, employer, **(criteria or CRITERIA))
        else:
            break
        db.session.refresh(hire)
    db.session.refresh(application)
    return hire


def declare_hire_in(app, case_id, user_id, start, **contract):
    """declare_hire for web tests, which hold ids rather than rows (in its own app context)."""
    from app.models import User
    with app.app_context():
        declare_hire(db.session.get(Case, case_id), db.session.get(User, user_id), start, **contract)

"""The script engine for script tasks, gateway conditions and expressions.

Scripts see task data plus a curated set of names: safe builtins, dates, and the
domain functions listed here; never `open`, `__import__` or the like (DESIGN).
"""
import ast
import builtins
import functools
import json
from datetime import date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from sqlalchemy.orm.exc import StaleDataError

from app.domain import vocabularies
from app.domain.calendar import today_paris
from app.engine import operations
from app.extensions import db

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "isinstance", "len",
    "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple",
    "zip", "True", "False", "None", "ValueError", "KeyError", "Exception",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}


def _today_iso():
    # The diagrams compare French civil dates (a contract starts at midnight in Paris).
    return today_paris().isoformat()


def script_globals():
    return {
        "__builtins__": SAFE_BUILTINS,
        "date": date,
        "datetime": datetime,
        "timedelta": timedelta,
        "timezone": timezone,
        "today": _today_iso,
        "refusal_reasons": vocabularies.REFUSAL_REASONS,
        "application_states": vocabularies.APPLICATION_STATES,
    }


class ForbiddenScript(ValueError):
    pass


@functools.lru_cache(maxsize=2048)
def check_source(source):
    """Refuse names and attributes starting with an underscore: the usual way out of a
    restricted eval goes through `__class__`, `__subclasses__`, `__globals__` and the like."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name is not None and name.startswith("_"):
            raise ForbiddenScript(f"le nom « {name} » est interdit dans les scripts")
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)):
            raise ForbiddenScript("les imports sont interdits dans les scripts")
    return True


class ParcoursScriptEngine(PythonScriptEngine):
    """Restricted environment; service tasks call the operations registry with the run context."""

    def __init__(self, run_context=None):
        super().__init__(environment=TaskDataEnvironment(script_globals()))
        self.run_context = run_context

    def validate(self, expression):
        check_source(expression)

    def evaluate(self, task, expression, external_context=None):
        try:
            check_source(expression)
        except (ForbiddenScript, SyntaxError) as exc:
            raise WorkflowTaskException(f"Expression refusée : {exc}", task=task, exception=exc) from exc
        return super().evaluate(task, expression, external_context)

    def execute(self, task, script, external_context=None):
        try:
            check_source(script)
        except (ForbiddenScript, SyntaxError) as exc:
            raise WorkflowTaskException(f"Script refusé : {exc}", task=task, exception=exc) from exc
        return super().execute(task, script, external_context)

    def call_service(self, task, operation_name=None, operation_params=None, **_kwargs):
        # Overridden: 3.2.0's own error path raises a NameError that hides the real exception.
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        # A step runs without autoflush (one flush at commit); an operation works like
        # ordinary service code, whose queries see the rows it just added.
        session = db.session()
        autoflush, session.autoflush = session.autoflush, True
        try:
            result = operations.call(operation_name, self.run_context, task, params)
        except (WorkflowTaskException, StaleDataError):
            # A case changed by someone else meanwhile is not a failed step: the caller
            # rolls back and replays the whole step (app/services/tasks.py).
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"L'opération « {operation_name} » a échoué : {exc}",
                                        task=task, exception=exc) from exc
        finally:
            session.autoflush = autoflush
        return json.dumps(result if result is not None else {})

"""The script engine for script tasks, gateway conditions and expressions.

Scripts see task data plus a curated set of names: safe builtins, dates, and the
domain functions listed here; never `open`, `__import__` or the like (DESIGN).
"""
import builtins
import json
from datetime import date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from app.domain import vocabularies
from app.engine import operations

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "isinstance", "len",
    "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple",
    "zip", "True", "False", "None", "ValueError", "KeyError", "Exception",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}


def _today_iso():
    return date.today().isoformat()


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


class ParcoursScriptEngine(PythonScriptEngine):
    """Restricted environment; service tasks call the operations registry with the run context."""

    def __init__(self, run_context=None):
        super().__init__(environment=TaskDataEnvironment(script_globals()))
        self.run_context = run_context

    def call_service(self, task, operation_name=None, operation_params=None, **_kwargs):
        # Overridden: 3.2.0's own error path raises a NameError that hides the real exception.
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        try:
            result = operations.call(operation_name, self.run_context, task, params)
        except WorkflowTaskException:
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"L'opération « {operation_name} » a échoué : {exc}",
                                        task=task, exception=exc) from exc
        return json.dumps(result if result is not None else {})

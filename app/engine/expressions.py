"""Restricted evaluation of BPMN expressions and scripts (never plain eval/exec of source)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import connectors
from .errors import EngineError
from .guards import GUARD_NAMES, Budget, restricted_globals
from .restricted import compile_cached, restricted_code

MAX_SCRIPT_DATA_CHARS = 1_000_000
MAX_SCRIPT_DATA_DEPTH = 100
# What the state serializer can store: JSON values plus datetime and timedelta.
PLAIN_TYPES = (str, int, float, bool, type(None), dt.datetime, dt.timedelta)


def check_expression(src: str) -> str | None:
    """Static check of an expression; returns a human message, or None when it is acceptable."""
    return compile_cached(src, "eval")[1]


def check_script(src: str) -> str | None:
    """Static check of a script; returns a human message, or None when it is acceptable."""
    return compile_cached(src, "exec")[1]


def _scope(context: dict, external_context: dict | None, budget: Budget) -> dict[str, Any]:
    # Underscore names are unreachable from restricted code, and must never shadow the guards.
    scope = {k: v for k, v in context.items() if not k.startswith("_")}
    if external_context:
        scope.update(external_context)
    scope.update(restricted_globals(budget))
    return scope


def _unplain(name: str, value: Any) -> EngineError:
    return EngineError(
        "expression",
        f"The script stored a {type(value).__name__} in '{name}'; only plain data "
        "(text, numbers, lists, dicts with text keys) can be kept.",
    )


def _stored_size(updates: dict[str, Any]) -> int:
    """About the JSON size of what a script keeps, shared parts counted in full; refuses
    anything but plain data, nesting past MAX_SCRIPT_DATA_DEPTH, and stops past the limit."""
    total = 0
    stack: list[tuple[str, Any, int]] = [(name, v, 1) for name, v in updates.items()]
    while stack and total <= MAX_SCRIPT_DATA_CHARS:
        name, value, depth = stack.pop()
        if depth > MAX_SCRIPT_DATA_DEPTH:
            raise EngineError(
                "budget", f"The script stored data nested more than {MAX_SCRIPT_DATA_DEPTH} deep."
            )
        if isinstance(value, str):
            total += len(value) + 3
            continue
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                raise _unplain(name, value)
            total += 2 + sum(len(k) + 4 for k in value)
            items = value.values()
        elif isinstance(value, (list, tuple)):
            total += 2 + len(value)
            items = value
        elif isinstance(value, PLAIN_TYPES):
            total += 8
            continue
        else:
            raise _unplain(name, value)
        if total > MAX_SCRIPT_DATA_CHARS:
            break
        for item in items:  # plain scalars are counted here, the rest is visited in turn
            if type(item) in (int, float, bool) or item is None:
                total += 8
            else:
                stack.append((name, item, depth + 1))
    return total


def _run(code: Any, scope: dict[str, Any], mode: str) -> Any:
    # MemoryError is what is left when the counting was not enough: still this code's fault.
    try:
        return eval(code, scope) if mode == "eval" else exec(code, scope)  # noqa: S102, S307
    except MemoryError:
        raise EngineError(
            "budget", "The code ran out of memory; work on less data at once."
        ) from None


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs only RestrictedPython-compiled code."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        """Evaluate an expression against task data under the guards and a fresh budget."""
        code = restricted_code(expression, "eval")
        return _run(code, _scope(context, external_context, Budget()), "eval")

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run a script; task data changes are kept only if the whole script succeeds."""
        code = restricted_code(script, "exec")
        scope = _scope(context, external_context, Budget())
        reserved = GUARD_NAMES | set(external_context or {})
        _run(code, scope, "exec")
        updates = {
            k: v
            for k, v in scope.items()
            if k not in reserved and not k.startswith("_") and not callable(v)
        }
        if _stored_size(updates) > MAX_SCRIPT_DATA_CHARS:
            raise EngineError("budget", "The script stored more than 1 MB of data.")
        removed = [k for k in context if not k.startswith("_") and k not in scope]
        context.update(updates)
        for name in removed:
            del context[name]
        return True

    def call_service(self, context: dict, **kwargs: Any) -> str:
        """A service task's connector (connectors.py) with its evaluated parameters, as the
        JSON text SpiffWorkflow stores under the task's result variable."""
        params = kwargs.get("operation_params") or {}
        values = {name: param.get("value") for name, param in params.items()}
        name, element = str(kwargs.get("operation_name")), kwargs.get("element_id")
        result = connectors.call(name, values, element)
        return json.dumps(result, default=str)


class OrderGateScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's engine whose service calls fail as errors of their task (SpiffWorkflow's
    own handler names a variable it does not have)."""

    def call_service(self, task: Any, **kwargs: Any) -> str:
        """Call the connector; a failure is the service task's error."""
        try:
            return self.environment.call_service(
                task.data, element_id=task.task_spec.bpmn_id, **kwargs
            )
        except EngineError as exc:
            exc.element_id = exc.element_id or task.task_spec.bpmn_id
            raise WorkflowTaskException(exc.message, task=task) from exc


def script_engine() -> PythonScriptEngine:
    """A SpiffWorkflow script engine bound to the restricted environment."""
    return OrderGateScriptEngine(environment=RestrictedEnvironment())

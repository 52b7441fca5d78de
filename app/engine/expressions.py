"""Restricted evaluation of BPMN expressions and scripts (never plain eval/exec of source)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import EngineError
from .guards import GUARD_NAMES, Budget, restricted_globals
from .restricted import compile_cached, restricted_code

MAX_SCRIPT_DATA_CHARS = 1_000_000
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


def _check_plain(name: str, value: Any) -> None:
    if isinstance(value, PLAIN_TYPES):
        return
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        for item in value.values():
            _check_plain(name, item)
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_plain(name, item)
        return
    raise EngineError(
        "expression",
        f"The script stored a {type(value).__name__} in '{name}'; only plain data "
        "(text, numbers, lists, dicts with text keys) can be kept.",
    )


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs only RestrictedPython-compiled code."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        """Evaluate an expression against task data under the guards and a fresh budget."""
        code = restricted_code(expression, "eval")
        return eval(code, _scope(context, external_context, Budget()))  # noqa: S307 - restricted code

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run a script; task data changes are kept only if the whole script succeeds."""
        code = restricted_code(script, "exec")
        scope = _scope(context, external_context, Budget())
        reserved = GUARD_NAMES | set(external_context or {})
        exec(code, scope)  # noqa: S102 - restricted code
        updates = {
            k: v
            for k, v in scope.items()
            if k not in reserved and not k.startswith("_") and not callable(v)
        }
        for name, value in updates.items():
            _check_plain(name, value)
        if len(json.dumps(updates, default=str)) > MAX_SCRIPT_DATA_CHARS:
            raise EngineError("budget", "The script stored more than 1 MB of data.")
        removed = [k for k in context if not k.startswith("_") and k not in scope]
        context.update(updates)
        for name in removed:
            del context[name]
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        """Service tasks are not supported (validation refuses them)."""
        raise EngineError("forbidden", "Service tasks are not supported.")


def script_engine() -> PythonScriptEngine:
    """A SpiffWorkflow script engine bound to the restricted environment."""
    return PythonScriptEngine(environment=RestrictedEnvironment())

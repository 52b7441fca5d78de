"""Regular expressions in form files, run by RE2 (no backtracking: time linear in the input).

A form's `pattern`, `patternProperties` and `format: regex` go through RE2 instead of Python's
`re`, so a pattern such as `^(a+)+$` cannot stall a request however long the input is. RE2 has
no backreferences or lookarounds; such patterns are refused when the form is published
(`pattern_problems`), with the field named.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import re2
from flask_babel import gettext as _
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

MAX_PATTERN_CHARS = 1_000

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to the form's author, not logged


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """The RE2 program for pattern (cached); raises re2.error if RE2 cannot run it."""
    return re2.compile(pattern, _OPTIONS)


def pattern_error(pattern: Any) -> str | None:
    """Why RE2 cannot run pattern, in plain words; None when it can."""
    if not isinstance(pattern, str):
        return _("a pattern must be a string")
    if len(pattern) > MAX_PATTERN_CHARS:
        return _("a pattern may be at most %(n)s characters long", n=MAX_PATTERN_CHARS)
    try:
        compile_pattern(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        # TRANSLATORS: %(detail)s is RE2's own (English) message.
        return _(
            "the pattern %(pattern)s cannot be used (%(detail)s); backreferences such as \\1 "
            "and lookarounds such as (?=…) or (?!…) are not supported",
            pattern=repr(pattern),
            detail=reason,
        )
    return None


def _walk(node: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """(path, pattern) for every pattern, patternProperties key and format: regex const/enum."""
    if isinstance(node, Mapping):
        if "pattern" in node and not isinstance(node.get("pattern"), Mapping):
            yield (*path, "pattern"), node["pattern"]
        if isinstance(node.get("patternProperties"), Mapping):
            for key in node["patternProperties"]:
                yield (*path, "patternProperties"), key
        if node.get("format") == "regex":  # values the form itself gives such a field
            enum = node.get("enum") if isinstance(node.get("enum"), list) else []
            for key in ("const", "default"):
                enum = [*enum, node[key]] if key in node else enum
            for value in enum:
                yield (*path, "format"), value
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _problem(path: tuple, reason: str) -> str:
    if len(path) >= 2 and path[0] == "properties":
        return _("Field '%(name)s': %(reason)s.", name=path[1], reason=reason)
    where = "/".join(str(p) for p in path[:-1]) or "/"
    return _("At %(where)s: %(reason)s.", where=where, reason=reason)


def pattern_problems(doc: Mapping) -> list[str]:
    """Every pattern of a form document RE2 cannot run, naming the field it belongs to."""
    problems = []
    for path, pattern in _walk(doc, ()):
        reason = pattern_error(pattern)
        if reason is not None:
            problems.append(_problem(path, reason))
    return problems


def _program(pattern: str) -> Any:
    # A form published before patterns were checked may hold one RE2 refuses: it matches
    # nothing (the field reports "required format") rather than failing the request.
    try:
        return compile_pattern(pattern)
    except re2.error:
        return None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Mapping) -> Iterator:
    if not validator.is_type(instance, "string"):
        return
    program = _program(pattern)
    if program is None or not program.search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Mapping, instance: Any, schema: Mapping):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        program = _program(pattern)
        if program is None:
            yield ValidationError(f"the pattern {pattern!r} cannot be used")
            continue
        for key, value in instance.items():
            if program.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        compile_pattern(instance)
    return True


FormValidator = validators.extend(
    Draft202012Validator, {"pattern": _pattern, "patternProperties": _pattern_properties}
)


def format_checker() -> FormatChecker:
    """jsonschema's draft 2020-12 formats with `regex` checked by RE2 (a private copy)."""
    checker = FormatChecker(formats=())
    checker.checkers.update(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("regex", raises=re2.error)(_is_regex)
    return checker


def schema_format_checker() -> FormatChecker:
    """The formats checked when a form file is meta-validated, without `regex`: its patterns
    are checked by pattern_problems, with clearer messages."""
    checker = format_checker()
    del checker.checkers["regex"]
    return checker

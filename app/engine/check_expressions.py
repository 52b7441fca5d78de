"""One expression or script of a diagram checked for the engine: empty, from another tool
(JUEL, FEEL), refused by the restricted checker, or a constant too large to compute."""

from __future__ import annotations

from lxml import etree

from .check_constants import constant_problem, short
from .check_foreign import foreign_expression
from .expressions import check_expression, check_script
from .problems import Problem, Reason, at, said


def checked(
    node: etree._Element,
    text: str | None,
    what: Reason,
    owner: Reason,
    owner_id: str | None,
    script: bool = False,
) -> list[Problem]:
    """An empty or refused expression (or script) as a Problem about its owner."""
    if not (text or "").strip():
        return [at(node, said("expr_empty", what=what, owner=owner), owner_id)]
    foreign = foreign_expression(text)
    if foreign:
        return [at(node, said("expr_refused", what=what, owner=owner, detail=foreign), owner_id)]
    problem = (check_script if script else check_expression)(text)
    if problem and "SyntaxError" in problem and not script:
        problem = said("not_python", expr=short(text), detail=problem.rstrip("."))
    problem = problem or constant_problem(text, "exec" if script else "eval")
    if problem:
        return [at(node, said("expr_rejected", what=what, owner=owner, detail=problem), owner_id)]
    return []

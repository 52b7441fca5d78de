"""Validation of untrusted BPMN before a version is stored: every problem, with its line."""

from __future__ import annotations

import copy
import threading
import warnings
from collections.abc import Sequence

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from .bpmn_tree import running_part
from .check_content import content_problems
from .check_loops import multi_instance_problems
from .check_structure import structure_problems
from .documents import BPMN_NS, DocumentRejected, executable_processes, parse_bpmn, parse_document
from .problems import CalledProcess, Catalog, Problem, at, said
from .specs import build_parser

__all__ = ["CalledProcess", "Catalog", "Problem", "validate_bpmn"]

_schema_lock = threading.Lock()  # one lxml XMLSchema object is shared by all threads


def _plain_schema_message(message: str) -> str:
    return message.replace(f"{{{BPMN_NS}}}", "bpmn:").rstrip(".")


def schema_problems(root: etree._Element) -> list[Problem]:
    """BPMN 2.0 XSD (with SpiffWorkflow's extensions) errors, one per line."""
    tree = copy.deepcopy(root)
    VALIDATOR.preprocess(tree)  # rewrites bpmn-js's correlation markup the way the parser does
    with _schema_lock:
        VALIDATOR.validator.validate(tree)
        errors = list(VALIDATOR.validator.error_log)
    return [
        Problem(
            e.line,
            said("schema", detail=_plain_schema_message(e.message)),
        )
        for e in errors
    ]


def _line_of(root: etree._Element, element_id: str | None) -> int:
    if not element_id:
        return 0
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id") == element_id:
            return node.sourceline or 0
    return 0


def build_problems(
    root: etree._Element,
    dmn_roots: Sequence[etree._Element],
    called: Sequence[etree._Element] = (),
) -> list[Problem]:
    """Build every executable process with SpiffWorkflow (with the published processes it
    calls); its errors and warnings as Problems."""
    problems = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parser = build_parser(
                copy.deepcopy(root), dmn_roots, validator=VALIDATOR, called=called
            )
            for process in executable_processes(root):
                parser.get_spec(process.get("id"))
                parser.get_subprocess_specs(process.get("id"))
        except ValidationException as exc:
            element_id = getattr(exc, "id", None) or None
            line = _line_of(root, element_id) or exc.line_number or 0
            text = str(exc.args[0] if exc.args else exc).rstrip(". ")
            problems.append(Problem(line, said("build_failed", detail=text), element_id))
        except Exception as exc:  # noqa: BLE001 - any parser failure is a problem to report
            problems.append(Problem(0, said("build_failed", detail=f"{type(exc).__name__}: {exc}")))
    # A deprecation (e.g. spiff-arena's messageVariable on the message) changes nothing at run
    # time: SpiffWorkflow still reads the old placement. Other warnings are reported.
    problems += [
        Problem(0, said("spiff_warns", detail=str(w.message)))
        for w in caught
        if not issubclass(w.category, DeprecationWarning)
    ]
    return problems


def published_calls(root: etree._Element, catalog: Catalog) -> list[CalledProcess]:
    """The published processes the call activities of a document call (not defined in it)."""
    own = {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}
    wanted = sorted(
        {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")} - own - {None}
    )
    return [found for pid in wanted if (found := catalog.published(pid)) is not None]


def _validate(data: bytes, catalog: Catalog, decisions: Sequence[bytes]) -> list[Problem]:
    try:
        root = parse_bpmn(data)
        dmn_roots = [parse_document(d, "DMN") for d in decisions]
    except DocumentRejected as exc:
        return [Problem(exc.line, exc.message)]
    problems = schema_problems(root)
    if not executable_processes(root):
        first = root.find(f"{{{BPMN_NS}}}process")
        node = first if first is not None else root
        problems.append(at(node, said("not_executable")))
    running = running_part(root)
    structure = structure_problems(root, running)
    duplicate_lines = {p.line for p in structure if "is used twice" in p.message}
    # The schema reports a duplicate id as an invalid xs:ID; ours says it plainly.
    problems = [p for p in problems if not (p.line in duplicate_lines and "xs:ID" in p.message)]
    problems += structure
    problems += content_problems(running, catalog, dmn_roots)
    problems += multi_instance_problems(running)
    if not problems:
        called = published_calls(root, catalog)
        # Two callees may pin the same third process: each file is loaded once.
        called_roots = [parse_bpmn(f) for f in dict.fromkeys(f for c in called for f in c.files)]
        called_dmn = [
            parse_document(d, "DMN") for d in dict.fromkeys(d for c in called for d in c.decisions)
        ]
        problems = build_problems(root, [*dmn_roots, *called_dmn], called_roots)
    return sorted(problems, key=lambda p: p.line)


def validate_bpmn(data: bytes, catalog: Catalog, decisions: Sequence[bytes] = ()) -> list[Problem]:
    """Every problem found in a BPMN file (and its DMN files); an empty list means valid."""
    try:
        return _validate(data, catalog, decisions)
    except Exception as exc:  # noqa: BLE001 - validation must never raise
        return [Problem(0, said("unchecked", detail=f"{type(exc).__name__}: {exc}"))]

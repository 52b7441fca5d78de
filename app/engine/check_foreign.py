"""What other tools put in diagrams that OrderGate does not read: Camunda 7 and 8 forms,
assignments and due dates, JUEL and FEEL expressions, scripts in other languages. The checks say
so plainly instead of a generic or syntax-error message."""

from __future__ import annotations

from lxml import etree

from .check_constants import short
from .documents import BPMN_NS
from .problems import Problem, at

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
_CAMUNDA_ASSIGNMENT = ("assignee", "candidateGroups", "candidateUsers")


def foreign_expression(text: str | None) -> str | None:
    """Why text is another engine's expression (Camunda JUEL or FEEL), or None."""
    text = (text or "").strip()
    if text.startswith(("${", "#{")):
        return (
            f"'{short(text)}' is a Camunda 7 (JUEL) expression; OrderGate evaluates Python, so "
            "write it as a Python expression without ${ }"
        )
    if text.startswith("=") and not text.startswith("=="):
        return (
            f"'{short(text)}' is a FEEL expression (Camunda 8); OrderGate evaluates Python, so "
            "write it as a Python expression without the leading '='"
        )
    return None


def _camunda_assignment(task: etree._Element) -> bool:
    return any(task.get(f"{{{CAMUNDA_NS}}}{a}") for a in _CAMUNDA_ASSIGNMENT) or (
        task.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}assignmentDefinition") is not None
    )


def _camunda_form(task: etree._Element) -> str | None:
    """The Camunda 7 or 8 form a user task names (which OrderGate does not read), or None."""
    for attribute in ("formKey", "formRef"):
        if task.get(f"{{{CAMUNDA_NS}}}{attribute}"):
            return f"its Camunda form '{task.get(f'{{{CAMUNDA_NS}}}{attribute}')}'"
    extensions = f"{{{BPMN_NS}}}extensionElements"
    definition = task.find(f"{extensions}/{{{ZEEBE_NS}}}formDefinition")
    if definition is not None:
        name = (
            definition.get("formId")
            or definition.get("formKey")
            or definition.get("externalReference")
        )
        return f"its Camunda form '{name}'" if name else "its Camunda form"
    if task.find(f"{extensions}/{{{CAMUNDA_NS}}}formData") is not None:
        return "its Camunda form fields in camunda:formData"
    return None


def _camunda_property(task: etree._Element, name: str) -> bool:
    path = f"{{{BPMN_NS}}}extensionElements/{{{CAMUNDA_NS}}}properties/{{{CAMUNDA_NS}}}property"
    return any(p.get("name") == name for p in task.iterfind(path))


def assignment_note(task: etree._Element) -> str:
    """A note for a task outside any lane that Camunda would have assigned, else ''."""
    if not _camunda_assignment(task):
        return ""
    return " (OrderGate assigns work by lane, not by Camunda assignees or candidate groups)"


def form_hint(task: etree._Element) -> str:
    """What to do about a user task without a form (naming the Camunda form it has)."""
    hint = "add the spiffworkflow property 'form' naming one"
    camunda = _camunda_form(task)
    if camunda:
        return f"{hint} (OrderGate does not read {camunda})"
    if _camunda_property(task, "form"):
        return f"{hint} (it is a camunda:property; OrderGate reads spiffworkflow:properties)"
    return hint


def due_hint(task: etree._Element) -> str:
    """What to do about a user task without a due time (naming the Camunda one it has)."""
    hint = "add the spiffworkflow property 'due' with a duration such as PT8H or P2D"
    if task.get(f"{{{CAMUNDA_NS}}}dueDate"):
        return f"{hint} (OrderGate does not read camunda:dueDate)"
    if task.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}taskSchedule") is not None:
        return f"{hint} (OrderGate does not read zeebe:taskSchedule)"
    if _camunda_property(task, "due"):
        return f"{hint} (it is a camunda:property; OrderGate reads spiffworkflow:properties)"
    return hint


def _is_python(language: str | None) -> bool:
    return not language or "python" in language.lower()


def language_problem(
    node: etree._Element, attribute: str, owner: str, owner_id: str | None
) -> Problem | None:
    """A script (scriptFormat) or condition (language) written in a language other than Python."""
    language = node.get(attribute)
    if _is_python(language):
        return None
    return at(
        node,
        f"The {'script' if attribute == 'scriptFormat' else 'condition'} of {owner} is written "
        f"in {language}; OrderGate runs Python only, so rewrite it in Python.",
        owner_id,
    )

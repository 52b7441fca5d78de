"""What other tools put in diagrams that OrderGate does not read: Camunda 7 and 8 forms,
assignments and due dates, JUEL and FEEL expressions, scripts in other languages. The checks say
so plainly instead of a generic or syntax-error message."""

from __future__ import annotations

from lxml import etree

from .check_constants import short
from .documents import BPMN_NS
from .problems import Problem, Reason, at, said

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
_CAMUNDA_ASSIGNMENT = ("assignee", "candidateGroups", "candidateUsers")


def foreign_expression(text: str | None) -> Reason | None:
    """Why text is another engine's expression (Camunda JUEL or FEEL), or None."""
    text = (text or "").strip()
    if text.startswith(("${", "#{")):
        return said("foreign_juel", expr=short(text))
    if text.startswith("=") and not text.startswith("=="):
        return said("foreign_feel", expr=short(text))
    return None


def _camunda_assignment(task: etree._Element) -> bool:
    return any(task.get(f"{{{CAMUNDA_NS}}}{a}") for a in _CAMUNDA_ASSIGNMENT) or (
        task.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}assignmentDefinition") is not None
    )


def _camunda_form(task: etree._Element) -> Reason | None:
    """The note for a Camunda 7 or 8 form a user task names (OrderGate does not read it)."""
    for attribute in ("formKey", "formRef"):
        if task.get(f"{{{CAMUNDA_NS}}}{attribute}"):
            return said("note_camunda_form", form=task.get(f"{{{CAMUNDA_NS}}}{attribute}"))
    extensions = f"{{{BPMN_NS}}}extensionElements"
    definition = task.find(f"{extensions}/{{{ZEEBE_NS}}}formDefinition")
    if definition is not None:
        name = (
            definition.get("formId")
            or definition.get("formKey")
            or definition.get("externalReference")
        )
        return said("note_camunda_form", form=name) if name else said("note_camunda_form_unnamed")
    if task.find(f"{extensions}/{{{CAMUNDA_NS}}}formData") is not None:
        return said("note_camunda_form_data")
    return None


def _camunda_property(task: etree._Element, name: str) -> bool:
    path = f"{{{BPMN_NS}}}extensionElements/{{{CAMUNDA_NS}}}properties/{{{CAMUNDA_NS}}}property"
    return any(p.get("name") == name for p in task.iterfind(path))


def assignment_note(task: etree._Element) -> Reason | str:
    """A note for a task outside any lane that Camunda would have assigned, else ''."""
    return said("note_assignment") if _camunda_assignment(task) else ""


def form_note(task: etree._Element) -> Reason | str:
    """Why a user task without a form may look as if it had one (a Camunda form), else ''."""
    camunda = _camunda_form(task)
    if camunda:
        return camunda
    return said("note_camunda_property") if _camunda_property(task, "form") else ""


def due_note(task: etree._Element) -> Reason | str:
    """Why a user task without a due time may look as if it had one (Camunda's), else ''."""
    if task.get(f"{{{CAMUNDA_NS}}}dueDate"):
        return said("note_camunda_due")
    if task.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}taskSchedule") is not None:
        return said("note_zeebe_schedule")
    return said("note_camunda_property") if _camunda_property(task, "due") else ""


def _is_python(language: str | None) -> bool:
    return not language or "python" in language.lower()


def language_problem(
    node: etree._Element, attribute: str, owner: Reason, owner_id: str | None
) -> Problem | None:
    """A script (scriptFormat) or condition (language) written in a language other than Python."""
    language = node.get(attribute)
    if _is_python(language):
        return None
    what = said("what_script" if attribute == "scriptFormat" else "what_condition")
    return at(node, said("other_language", what=what, owner=owner, language=language), owner_id)

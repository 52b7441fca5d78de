"""Helpers for the engine tests: fixture files, the test catalog and a tiny diagram builder."""

from __future__ import annotations

from pathlib import Path

from app.engine.validation import Catalog

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).with_name("fixtures")
DEPARTMENTS = ["sales", "pmc", "engineering", "production", "quality", "warehouse"]
FORMS = {
    "order_intake", "pmc_dispatch", "review_engineering", "review_production", "review_quality",
    "review_warehouse", "pmc_consolidate", "sales_revise", "work", "check",
}  # fmt: skip

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def fixture_bytes(name: str) -> bytes:
    """The bytes of a file under tests/engine/fixtures/."""
    return (FIXTURES / name).read_bytes()


def order_review_bytes() -> bytes:
    """The shipped workflows/order_review.bpmn."""
    return (ROOT / "workflows" / "order_review.bpmn").read_bytes()


def workflow_bytes(name: str) -> bytes:
    """A shipped file under workflows/ (e.g. order_lifecycle.bpmn, intake_route.dmn)."""
    return (ROOT / "workflows" / name).read_bytes()


def user_task(task_id: str, form: str = "work", extra: str = "", due: str | None = "PT24H") -> str:
    """A bpmn:userTask with a form and a due property (due=None leaves it out) and optional
    extra properties."""
    due_property = f'<spiffworkflow:property name="due" value="{due}" />' if due is not None else ""
    return (
        f'<bpmn:userTask id="{task_id}" name="{task_id.replace("_", " ").title()}">'
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="form" value="{form}" />{due_property}{extra}'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
    )


def multi_instance(task_id: str = "check_line", marker: str = "", post_script: str = "",
                   sequential: bool = False) -> str:  # fmt: skip
    """A user task (form "check") repeated per item: marker is the content of its
    multiInstanceLoopCharacteristics, default over `lines` with the item `line`."""
    marker = marker or (
        "<bpmn:loopDataInputRef>lines</bpmn:loopDataInputRef>"
        '<bpmn:inputDataItem id="line" name="Line" />'
    )
    script = (
        f"<spiffworkflow:postScript>{post_script}</spiffworkflow:postScript>" if post_script else ""
    )
    flag = ' isSequential="true"' if sequential else ""
    return (
        f'<bpmn:userTask id="{task_id}" name="{task_id.replace("_", " ").title()}">'
        "<bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="form" value="check" />'
        '<spiffworkflow:property name="due" value="PT24H" /></spiffworkflow:properties>'
        f"{script}</bpmn:extensionElements>"
        f'<bpmn:multiInstanceLoopCharacteristics spiffworkflow:scriptsOnInstances="true"{flag}>'
        f"{marker}</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
    )


def diagram(body: str, lane: str = "sales", lane_nodes: list[str] | None = None,
            executable: str = "true", top: str = "") -> bytes:  # fmt: skip
    """A one-process BPMN document; every flow node id listed goes into one lane."""
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in lane_nodes or [])
    lanes = (
        f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" name="{lane}">{refs}</bpmn:lane>'
        "</bpmn:laneSet>"
        if lane_nodes
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NAMESPACES} '
        'id="defs" targetNamespace="http://bpmn.io/schema/bpmn">\n'
        f'{top}<bpmn:process id="proc" name="Test process" isExecutable="{executable}">\n'
        f"{lanes}\n{body}\n</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    """A bpmn:sequenceFlow, optionally with a condition expression."""
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def linear(*middle: str, ids: list[str]) -> str:
    """start -> each middle element (ids given in order) -> end, joined by flows."""
    chain = ["start", *ids, "end"]
    flows = [flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))]
    return "\n".join(
        [
            '<bpmn:startEvent id="start" name="Start" />',
            *middle,
            '<bpmn:endEvent id="end" name="End" />',
        ]
        + flows
    )


def script_task(script: str, task_id: str = "calc") -> str:
    """A bpmn:scriptTask running script."""
    return (
        f'<bpmn:scriptTask id="{task_id}" name="Calculate">'
        f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"
    )


def single(task: str, task_id: str) -> bytes:
    """start -> task -> end, with the task in the sales lane."""
    return diagram(linear(task, ids=[task_id]), lane_nodes=[task_id])


def make_catalog() -> Catalog:
    """The departments, forms and roles the test diagrams may use."""
    departments = {key: key for key in DEPARTMENTS}
    departments.update({"Sales department": "sales", "Quality": "quality"})
    return Catalog(departments=departments, forms=set(FORMS), roles={"head", "member"})


def parallel_script_process(script: str) -> bytes:
    """confirm (sales) -> parallel: recheck (sales) and a script task `calc` -> join -> end."""
    body = "".join(
        [
            '<bpmn:startEvent id="start" name="Start" />',
            user_task("confirm", "order_intake"),
            '<bpmn:parallelGateway id="split" name="Split" />',
            user_task("recheck", "order_intake"),
            script_task(script),
            '<bpmn:parallelGateway id="join" name="Join" />',
            '<bpmn:endEvent id="end" name="End" />',
            flow("f0", "start", "confirm"),
            flow("f1", "confirm", "split"),
            flow("f2", "split", "recheck"),
            flow("f3", "split", "calc"),
            flow("f4", "recheck", "join"),
            flow("f5", "calc", "join"),
            flow("f6", "join", "end"),
        ]
    )
    return diagram(body, lane_nodes=["confirm", "recheck"])

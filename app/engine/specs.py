"""Process definitions: BPMN (and DMN) parsed once per content hash into shared Spiff specs."""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ManualTask, UserTask
from SpiffWorkflow.task import Task

from .check_structure import OMG_PREFIX
from .documents import (
    BPMN_NS,
    SPIFF_NS,
    DocumentRejected,
    executable_processes,
    parse_bpmn,
    parse_document,
    spiff_properties,
)
from .errors import EngineError
from .joins import BranchMergingInclusiveGateway, BranchMergingParallelGateway
from .multi import MultiInstanceTaskParser, MultiInstanceUserTaskParser, connect_instances
from .timers import install_timers, normalise_timers

CACHE_SIZE = 64


@dataclass
class UserTaskInfo:
    """What the inbox needs to know about a human task, read from the diagram."""

    spec_name: str
    name: str
    lane: str | None
    form: str | None
    due: str | None  # ISO 8601 duration
    role: str | None
    loop_item: str | None = None  # multi-instance: the data key holding each instance's item
    name_zh: str | None = None  # the step's Chinese name (property name_zh)


@dataclass
class ProcessDefinition:
    """One parsed process version; instances of that version share it (and its specs)."""

    process_id: str
    name: str
    xml_hash: str
    user_tasks: dict[str, UserTaskInfo]
    forms: set[str]
    settings: dict[str, str]
    # Built SpiffWorkflow specs: engine-internal, shared, never mutated after loading.
    _spec: BpmnProcessSpec = field(repr=False, compare=False)
    _subprocess_specs: dict[str, BpmnProcessSpec] = field(repr=False, compare=False)


class StrictDecisionEngine(DMNEngine):
    """A DMN engine that treats "no row matched" as an error instead of an empty result."""

    def decide(self, task: Task) -> list:
        """The matching rules; raises kind "dmn_no_match" when there are none."""
        rules = super().decide(task)
        if not rules:
            table = self.decision_table.name or self.decision_table.id
            error = EngineError(
                "dmn_no_match",
                f"The decision table '{table}' has no row that matches this data; "
                "add a matching row or a catch-all row.",
                element_id=task.task_spec.bpmn_id,
            )
            raise WorkflowTaskException(error.message, task=task) from error
        return rules


class OrderGateParser(SpiffBpmnParser):
    """SpiffWorkflow's parser with strict decision tables, branch-merging joins and ordered,
    change-merging multi-instance tasks."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (MultiInstanceUserTaskParser, UserTask),
        full_tag("manualTask"): (MultiInstanceTaskParser, ManualTask),
        full_tag("parallelGateway"): (GatewayParser, BranchMergingParallelGateway),
        full_tag("inclusiveGateway"): (ConditionalGatewayParser, BranchMergingInclusiveGateway),
    }

    def get_engine(self, decision_ref: str, node: etree._Element) -> StrictDecisionEngine:
        """The strict engine for the referenced decision."""
        return StrictDecisionEngine(super().get_engine(decision_ref, node).decision_table)


def _main_process_id(root: etree._Element) -> str:
    executable = [p.get("id") for p in executable_processes(root)]
    if not executable:
        raise EngineError("internal", "The diagram has no executable process.")
    called = set(root.xpath(".//bpmn:callActivity/@calledElement", namespaces={"bpmn": BPMN_NS}))
    top = [pid for pid in executable if pid not in called]
    return (top or executable)[0]


def _drop_vendor_ids(root: etree._Element) -> None:
    """Remove the ids other tools give their extension elements (Camunda's input parameters,
    listeners; SpiffWorkflow's own, such as a connector's name, stay): SpiffWorkflow looks every
    id up in the whole document, so one equal to a task's id would be taken for the task."""
    for node in root.iter():
        tag = node.tag if isinstance(node.tag, str) else OMG_PREFIX
        if not tag.startswith((OMG_PREFIX, f"{{{SPIFF_NS}}}")) and node.get("id"):
            del node.attrib["id"]


def build_parser(
    root: etree._Element,
    decisions: Sequence[etree._Element] = (),
    validator: BpmnValidator | None = None,
    called: Sequence[etree._Element] = (),
) -> OrderGateParser:
    """A parser loaded with the (timer-normalised) BPMN root, the BPMN roots of the published
    processes its call activities call, and DMN roots; may raise."""
    parser = OrderGateParser(validator=validator)
    for dmn in decisions:
        parser.add_dmn_xml(dmn)
    for bpmn in (root, *called):
        normalise_timers(bpmn)
        _drop_vendor_ids(bpmn)
        parser.add_bpmn_xml(bpmn)
    return parser


def _loop_item(spec: BpmnProcessSpec, task_spec: TaskSpec) -> str | None:
    for other in spec.task_specs.values():
        if isinstance(other, MultiInstanceTask) and other.task_spec == task_spec.name:
            return other.input_item.bpmn_id if other.input_item is not None else None
    return None


def _user_tasks(specs: Sequence[BpmnProcessSpec]) -> dict[str, UserTaskInfo]:
    # Keyed by BPMN id: a multi-instance task's instances run a spec named "<id> [child]".
    tasks = {}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if not getattr(task_spec, "manual", False):
                continue
            props = getattr(task_spec, "extensions", {}).get("properties", {})
            tasks[task_spec.bpmn_id] = UserTaskInfo(
                spec_name=task_spec.bpmn_id,
                name=task_spec.bpmn_name or task_spec.bpmn_id,
                lane=task_spec.lane,
                form=props.get("form") or None,
                due=props.get("due") or None,
                role=props.get("role") or None,
                loop_item=_loop_item(spec, task_spec),
                name_zh=props.get("name_zh") or None,
            )
    return tasks


def _default_message_variables(specs: Sequence[BpmnProcessSpec]) -> None:
    # Without spiffworkflow:messageVariable SpiffWorkflow drops a message's payload; keep it
    # under the catch event's id, as user task data is kept under the task's id.
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if (
                isinstance(task_spec, CatchingEvent)
                and isinstance(definition, MessageEventDefinition)
                and getattr(definition, "message_var", "") is None
            ):
                definition.message_var = task_spec.bpmn_id


def _build(
    xml: bytes,
    xml_hash: str,
    decisions: Sequence[bytes],
    process_id: str | None,
    called: Sequence[bytes],
) -> ProcessDefinition:
    root = parse_bpmn(xml)
    dmn_roots = [parse_document(d, "DMN") for d in decisions]
    called_roots = [parse_bpmn(c) for c in called]
    pid = process_id or _main_process_id(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # validate_bpmn reports them; loading must not fail
        parser = build_parser(root, dmn_roots, called=called_roots)
        spec = parser.get_spec(pid)
        subprocess_specs = parser.get_subprocess_specs(pid)
    all_specs = [spec, *subprocess_specs.values()]
    _default_message_variables(all_specs)
    install_timers(all_specs)
    connect_instances(all_specs)
    user_tasks = _user_tasks(all_specs)
    process = next(p for p in root.iterchildren(f"{{{BPMN_NS}}}process") if p.get("id") == pid)
    return ProcessDefinition(
        process_id=pid,
        name=process.get("name") or pid,
        xml_hash=xml_hash,
        user_tasks=user_tasks,
        forms={t.form for t in user_tasks.values() if t.form},
        settings=spiff_properties(process),
        _spec=spec,
        _subprocess_specs=subprocess_specs,
    )


_cache: OrderedDict[tuple, ProcessDefinition] = OrderedDict()
_lock = threading.Lock()


def load_definition(
    xml: bytes,
    decisions: Sequence[bytes] = (),
    process_id: str | None = None,
    called: Sequence[bytes] = (),
) -> ProcessDefinition:
    """Parse and build a process (LRU-cached per sha256 of its files); raises EngineError.

    `called`: the BPMN files of the published processes its call activities call (pinned
    versions); their processes become subprocess specs like a process of the same file."""
    xml_hash = hashlib.sha256(xml).hexdigest()
    key = (
        xml_hash,
        tuple(hashlib.sha256(d).hexdigest() for d in decisions),
        process_id,
        tuple(hashlib.sha256(c).hexdigest() for c in called),
    )
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        definition = _build(xml, xml_hash, decisions, process_id, called)
    except EngineError:
        raise
    except DocumentRejected as exc:
        raise EngineError("internal", exc.message, detail=f"line {exc.line}") from exc
    except Exception as exc:  # noqa: BLE001 - parser errors come in many types
        raise EngineError(
            "internal",
            "The diagram could not be loaded; run validation to see what to fix.",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
    with _lock:
        _cache[key] = definition
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return definition


def process_ids(xml: bytes) -> list[str]:
    """Ids of the executable processes (isExecutable="true") in a BPMN file."""
    try:
        root = parse_bpmn(xml)
    except DocumentRejected as exc:
        raise EngineError("internal", exc.message, detail=f"line {exc.line}") from exc
    return [p.get("id") for p in executable_processes(root)]

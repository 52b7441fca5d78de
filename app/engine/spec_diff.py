"""Comparing two versions of a process spec for a migration: SpiffWorkflow's SpecDiff made to
work with this engine's own spec classes, and the differences named in plain words."""

from __future__ import annotations

import threading

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .specs import ProcessDefinition

# Serialized task spec attributes, as SpecDiff names them, in words for the reasons.
ATTRIBUTE_WORDS = {
    "typename": "its kind of element",
    "manual": "its kind of element",
    "description": "its kind of element",
    "outputs": "its outgoing flows",
    "inputs": "its incoming flows",
    "bpmn_name": "its name",
    "lane": "its lane",
    "extensions": "its properties, such as form, due time or role",
    "documentation": "its documentation",
    "prescript": "its pre-script",
    "postscript": "its post-script",
    "script": "its script",
    "cond_task_specs": "its conditions",
    "default_task_spec": "its default flow",
    "event_definition": "its event",
    "cancel_activity": "whether its event interrupts",
    "data_input_associations": "its data associations",
    "data_output_associations": "its data associations",
    "io_specification": "its inputs and outputs",
    "spec": "the process it calls",
    "decision_table": "its decision table",
    "task_spec": "its multi-instance settings",
    "cardinality": "its multi-instance settings",
    "data_input": "its multi-instance settings",
    "data_output": "its multi-instance settings",
    "input_item": "its multi-instance settings",
    "output_item": "its multi-instance settings",
    "condition": "its completion condition",
    "maximum": "its loop settings",
    "test_before": "its loop settings",
}


def bookkeeping(spec: BpmnProcessSpec) -> set[str]:
    """Specs SpiffWorkflow adds to every process (not BPMN elements): never a reason."""
    return {"Start", "End", f"{spec.name}.EndJoin"}


def _diff_serializer(classes: set[type]) -> BpmnWorkflowSerializer:
    # SpecDiff compares specs by their serialized form. Our own spec classes (branch-merging
    # joins, ordered multi-instance tasks) are not registered with SpiffWorkflow's serializer
    # (the stored state never holds specs); they serialize as their SpiffWorkflow base does.
    config = dict(SPIFF_CONFIG)
    for cls in classes:
        if cls not in config:
            base = next((b for b in cls.__mro__[1:] if b in config), None)
            if base is not None:
                config[cls] = config[base]
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_registry_lock = threading.Lock()
_registries: dict[frozenset, object] = {}


def registry_for(*defns: ProcessDefinition):
    specs = [s for defn in defns for s in (defn._spec, *defn._subprocess_specs.values())]
    classes = frozenset(type(ts) for spec in specs for ts in spec.task_specs.values()) | {
        # OrderGate's timers (app/engine/timers.py) serialize as SpiffWorkflow's do.
        type(ts.event_definition)
        for spec in specs
        for ts in spec.task_specs.values()
        if getattr(ts, "event_definition", None) is not None
    }
    with _registry_lock:
        if classes not in _registries:
            _registries[classes] = _diff_serializer(set(classes)).registry
        return _registries[classes]


def _names(specs: list[TaskSpec]) -> list[str]:
    return sorted(s.name for s in specs)


def spec_diff(registry, original: BpmnProcessSpec, new: BpmnProcessSpec) -> SpecDiff:
    """SpiffWorkflow's SpecDiff, with flows that were only listed in another order unchanged."""
    diff = SpecDiff(registry, original, new)
    for old_spec, attributes in diff.comparisons.items():
        if not attributes:
            continue
        new_spec = diff.alignment.get(old_spec)
        for attribute in ("inputs", "outputs"):
            if attribute in attributes and _names(getattr(old_spec, attribute)) == _names(
                getattr(new_spec, attribute)
            ):
                attributes.remove(attribute)
    return diff


def label(spec: TaskSpec) -> str:
    """'Name' (id) of a step, as the reasons name it."""
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None) or bpmn_id
    return f"'{name}' ({bpmn_id})"


def display(spec: TaskSpec) -> str:
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None)
    return f"{name} ({bpmn_id})" if name and name != bpmn_id else bpmn_id


def words(attributes: list[str]) -> str:
    words = []
    for attribute in attributes:
        word = ATTRIBUTE_WORDS.get(attribute, attribute.replace("_", " "))
        if word not in words:
            words.append(word)
    return ", ".join(words)

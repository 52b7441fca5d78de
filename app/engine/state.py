"""Instance state: the workflow serialized without its spec, as zlib-compressed JSON.

Written in format 2 (compact.py: one short row per task, ids once); format 1 (the stock
workflow dict, as stored before issue 14) is still read, and is rewritten as format 2 by the
next step that stores the instance.
"""

from __future__ import annotations

import json
import threading
import zlib

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import compact, compact_read
from .expressions import script_engine
from .specs import ProcessDefinition
from .walk import EngineSubWorkflow, EngineWorkflow

SCRIPT_ENGINE = script_engine()
LEVEL = 6  # zlib level of the stored state


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Stores a top-level workflow without its specs; restoring takes them from the caller."""

    def __init__(self, target_class: type, registry, typename: str | None = None) -> None:  # noqa: ANN001
        super().__init__(target_class, registry, typename)
        # Restores as our class (walk.py); written under the stock name, as before.
        self.target_class = EngineWorkflow
        registry.register(EngineWorkflow, self.to_dict, self.from_dict, self.typename)

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        """The workflow's tasks, data, subprocesses and events, but not its spec."""
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self, dct: dict, spec: BpmnProcessSpec | None = None, subprocess_specs: dict | None = None
    ) -> BpmnWorkflow:
        """Rebuild the workflow around the cached, already-built spec objects."""
        # The registry hands non-dict values back untouched, so the stock restore reuses them.
        dct = dict(dct, spec=spec, subprocess_specs=dict(subprocess_specs or {}))
        return super().from_dict(dct)


class SubWorkflowConverter(BpmnSubWorkflowConverter):
    """SpiffWorkflow's subprocess converter, restoring our subprocess class (walk.py)."""

    def __init__(self, target_class: type, registry, typename: str | None = None) -> None:  # noqa: ANN001
        super().__init__(target_class, registry, typename)
        self.target_class = EngineSubWorkflow
        registry.register(EngineSubWorkflow, self.to_dict, self.from_dict, self.typename)


def _new_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    config[BpmnSubWorkflow] = SubWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    # serialize_json flips a flag on the registry while it runs: one serializer per thread.
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = _new_serializer()
    return serializer


def dump_state(workflow: BpmnWorkflow, finished: bool = False) -> bytes:
    """Serialize a workflow (without its spec) to compressed JSON bytes, format 2.

    `finished`: nothing will resume the instance, so its task ids are left out (compact.py).
    """
    serializer = _serializer()
    registry = serializer.registry
    # As serialize_json does: in encoder mode task data is converted by the JSON encoder.
    registry._encoder_mode = True
    try:
        text = json.dumps(
            compact.pack(workflow, registry, finished),
            cls=serializer._encoder_cls,
            separators=(",", ":"),
            ensure_ascii=False,
        )
    finally:
        registry._encoder_mode = False
    return zlib.compress(text.encode("utf-8"), LEVEL)


def restore(spec: BpmnProcessSpec, subprocess_specs: dict, state: bytes) -> BpmnWorkflow:
    """Restore a workflow from stored bytes (format 1 or 2) around already-built specs."""
    serializer = _serializer()
    text = zlib.decompress(state)
    dct = json.loads(text)
    if compact.is_packed(dct):
        # Without a converted value (a date, a UUID: {"typename": ...}) the registry has
        # nothing to do but copy what JSON gave; most states have none.
        plain = b'"typename"' not in text
        workflow = compact_read.unpack(dct, spec, subprocess_specs, serializer.registry, plain)
    else:  # format 1, stored before issue 14: SpiffWorkflow's own restore
        serializer.migrate(dct)
        workflow = serializer.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def load_state(defn: ProcessDefinition, state: bytes) -> BpmnWorkflow:
    """Restore a workflow from stored bytes around the definition's cached specs."""
    return restore(defn._spec, defn._subprocess_specs, state)


def new_workflow(defn: ProcessDefinition) -> BpmnWorkflow:
    """A fresh workflow on the definition's specs, using the restricted script engine."""
    return EngineWorkflow(defn._spec, dict(defn._subprocess_specs), script_engine=SCRIPT_ENGINE)

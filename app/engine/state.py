"""Instance state: the workflow serialized without its spec, as zlib-compressed JSON."""

from __future__ import annotations

import json
import threading
import zlib

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .expressions import script_engine
from .specs import ProcessDefinition

SCRIPT_ENGINE = script_engine()


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Stores a top-level workflow without its specs; restoring takes them from the caller."""

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


def _new_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    # serialize_json flips a flag on the registry while it runs: one serializer per thread.
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = _new_serializer()
    return serializer


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """Serialize a workflow (without its spec) to compressed JSON bytes."""
    text = _serializer().serialize_json(workflow)
    return zlib.compress(text.encode("utf-8"), 6)


def load_state(defn: ProcessDefinition, state: bytes) -> BpmnWorkflow:
    """Restore a workflow from dump_state bytes around the definition's cached specs."""
    serializer = _serializer()
    dct = json.loads(zlib.decompress(state))
    serializer.migrate(dct)
    workflow = serializer.from_dict(dct, spec=defn._spec, subprocess_specs=defn._subprocess_specs)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def new_workflow(defn: ProcessDefinition) -> BpmnWorkflow:
    """A fresh workflow on the definition's specs, using the restricted script engine."""
    return BpmnWorkflow(defn._spec, dict(defn._subprocess_specs), script_engine=SCRIPT_ENGINE)

"""Which DMN files a BPMN file needs: the decisions its business rule tasks call."""

from collections.abc import Mapping

from .documents import BPMN_NS, SPIFF_NS, DocumentRejected, parse_bpmn, parse_document


def called_decisions(xml: bytes) -> set[str]:
    """The decision ids named by the file's business rule tasks (empty if it cannot be parsed)."""
    try:
        root = parse_bpmn(xml)
    except DocumentRejected:
        return set()
    path = (
        f".//{{{BPMN_NS}}}businessRuleTask/{{{BPMN_NS}}}extensionElements"
        f"/{{{SPIFF_NS}}}calledDecisionId"
    )
    return {(node.text or "").strip() for node in root.iterfind(path)} - {""}


def decision_ids(dmn: bytes) -> set[str]:
    """The ids of the decisions a DMN file defines (empty if it cannot be parsed)."""
    try:
        root = parse_document(dmn, "DMN")
    except DocumentRejected:
        return set()
    return {
        node.get("id")
        for node in root.iter()
        if isinstance(node.tag, str) and node.tag.endswith("}decision") and node.get("id")
    }


def decisions_for(xml: bytes, dmn_files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The DMN files (by name) that define a decision the BPMN file calls."""
    wanted = called_decisions(xml)
    return {name: data for name, data in sorted(dmn_files.items()) if decision_ids(data) & wanted}

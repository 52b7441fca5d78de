"""A diagram's labels in the reader's language, for the read-only viewers.

The BPMN files name elements in English and carry the Chinese in a `name_zh` spiffworkflow
property (the same property the inbox shows a step by); lanes are named by department key. The
viewer shows what the `name` attributes say, so the XML it gets has them replaced: Chinese names
for a Chinese reader, and every lane named by its department in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from .documents import BPMN_NS, parse_bpmn, spiff_properties


def localize_labels(xml: bytes, zh: bool, lane_names: Mapping[str, str]) -> bytes:
    """`xml` with names in the reader's language.

    zh: use each element's `name_zh` property (a participant: its process's) where it has one.
    lane_names: a lane's name lower-cased (a department key or alias) -> the name to show.
    Raises documents.DocumentRejected for a document that is not BPMN.
    """
    root = parse_bpmn(xml)
    processes = {p.get("id"): p for p in root.iter(f"{{{BPMN_NS}}}process")}
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
            continue
        tag = etree.QName(node).localname
        if tag == "lane":
            shown = lane_names.get((node.get("name") or "").strip().lower())
            if shown:
                node.set("name", shown)
            continue
        if not zh:
            continue
        source = processes.get(node.get("processRef")) if tag == "participant" else node
        name_zh = spiff_properties(source).get("name_zh") if source is not None else None
        if name_zh:
            node.set("name", name_zh)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

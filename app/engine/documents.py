"""Safe parsing of untrusted BPMN and DMN documents (no DTDs, entities, network or huge trees)."""

from __future__ import annotations

import re

from lxml import etree

from .problems import said

MAX_BYTES = 2 * 1024 * 1024
MAX_NESTING = 60
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")


class DocumentRejected(Exception):
    """The bytes are not a document we are willing to parse; message says why."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _nesting(root: etree._Element) -> tuple[int, int]:
    """Deepest nesting level and the line where it occurs, without recursion."""
    deepest, line = 0, 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest, line = depth, node.sourceline or 0
        stack.extend((child, depth + 1) for child in node)
    return deepest, line


def _declaration(what: str, line: int) -> DocumentRejected:
    return DocumentRejected(said("doc_declaration", what=what), line)


def _declaration_line(data: bytes, root: etree._Element) -> int:
    encoding = root.getroottree().docinfo.encoding or "utf-8"
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return 1
    found = re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE)
    return text[: found.start()].count("\n") + 1 if found else 1


def _looks_binary(data: bytes) -> bool:
    """Control bytes that no text file (in any encoding lxml detects) would hold."""
    head = data[:1024]
    if head.startswith(_BOMS) or head[:2] in (b"<\x00", b"\x00<"):
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return b"\x00" in head or controls * 20 > len(head)


def _not_xml(what: str, data: bytes, exc: Exception) -> DocumentRejected:
    """Why bytes lxml could not parse are not a diagram: binary, plain text or broken XML."""
    if _looks_binary(data):
        return DocumentRejected(said("doc_binary", what=what, ext=what.lower()), 1)
    first = data.lstrip(b"".join(_BOMS) + b" \t\r\n")[:1]
    if first and first != b"<":
        char = first.decode("ascii", "replace") if first.isascii() else "?"
        return DocumentRejected(said("doc_not_xml", what=what, char=char, ext=what.lower()), 1)
    message = getattr(exc, "msg", None) or str(exc)
    return DocumentRejected(
        said("doc_broken_xml", what=what, detail=message), getattr(exc, "lineno", 0) or 0
    )


def parse_document(data: bytes, what: str = "BPMN") -> etree._Element:
    """Parse untrusted XML bytes into a root element, or raise DocumentRejected."""
    if not data or not data.strip():
        raise DocumentRejected(said("doc_empty", what=what), 1)
    if len(data) > MAX_BYTES:
        raise DocumentRejected(
            said("doc_too_big", what=what, size=f"{len(data) / 1024 / 1024:.1f}"), 1
        )
    match = _DECLARATION.search(data)
    if match:
        raise _declaration(what, data[: match.start()].count(b"\n") + 1)
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _not_xml(what, data, exc) from None
    if root.getroottree().docinfo.doctype:
        # A declaration in another encoding (UTF-16, ...) that the byte search cannot see.
        raise _declaration(what, _declaration_line(data, root))
    depth, line = _nesting(root)
    if depth > MAX_NESTING:
        raise DocumentRejected(
            said("doc_too_deep", what=what, depth=depth, limit=MAX_NESTING), line
        )
    return root


def parse_bpmn(data: bytes) -> etree._Element:
    """Parse untrusted bytes that must be a BPMN definitions document."""
    root = parse_document(data, "BPMN")
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DocumentRejected(said("doc_not_bpmn", ns=BPMN_NS), root.sourceline or 0)
    return root


def executable_processes(root: etree._Element) -> list[etree._Element]:
    """The bpmn:process elements marked isExecutable="true"."""
    return [
        p for p in root.iterchildren(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"
    ]


def spiff_properties(node: etree._Element) -> dict[str, str]:
    """The spiffworkflow:properties directly under node's extensionElements."""
    path = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
    return {p.get("name"): p.get("value", "") for p in node.xpath(path, namespaces=NSMAP)}

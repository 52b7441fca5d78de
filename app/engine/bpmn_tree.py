"""Reading a parsed BPMN document: an element's local name, its BPMN elements in order, the
scopes sequence flows connect in, and the part of it that can run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy

from lxml import etree

from .documents import BPMN_NS


def local(node: etree._Element) -> str | None:
    """The local name of a BPMN-namespace element, else None."""
    if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{BPMN_NS}}}"):
        return None
    return node.tag[len(BPMN_NS) + 2 :]


def words(name: str) -> str:
    """'intermediateCatchEvent' -> 'intermediate catch event'."""
    return re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()


def bpmn_elements(root: etree._Element) -> Iterator[etree._Element]:
    """BPMN elements of the document in order, skipping diagram (DI) and extension content."""
    stack = [root]
    while stack:
        node = stack.pop()
        name = local(node)
        if name is None:
            continue
        yield node
        if name != "extensionElements":
            stack.extend(reversed(list(node)))


def is_event_subprocess(node: etree._Element) -> bool:
    """A subprocess started by an event rather than by a sequence flow."""
    return local(node) == "subProcess" and node.get("triggeredByEvent") == "true"


def containers(root: etree._Element) -> list[etree._Element]:
    """Processes and subprocesses: the scopes in which sequence flows connect nodes."""
    return [
        n
        for n in bpmn_elements(root)
        if local(n) in ("process", "subProcess") and not is_event_subprocess(n)
    ]


def running_process_ids(root: etree._Element) -> set[str]:
    """Executable processes and every process their call activities reach: what can run. With
    none executable, every process (the owner is told to mark one; the rest is checked now)."""
    processes = {p.get("id"): p for p in root.iterchildren(f"{{{BPMN_NS}}}process")}
    running: set[str] = set()
    queue = [pid for pid, p in processes.items() if p.get("isExecutable") == "true"]
    queue = queue or list(processes)
    while queue:
        pid = queue.pop()
        if pid in running or pid not in processes:
            continue
        running.add(pid)
        queue += [c.get("calledElement") for c in processes[pid].iter(f"{{{BPMN_NS}}}callActivity")]
    return running


def running_part(root: etree._Element) -> etree._Element:
    """A copy of the document without the pools that never run (documentation-only processes
    no executable process calls): what content and element checks look at. Lines are kept."""
    running = running_process_ids(root)
    copy = deepcopy(root)
    for process in list(copy.iterchildren(f"{{{BPMN_NS}}}process")):
        if process.get("id") not in running:
            copy.remove(process)
    return copy

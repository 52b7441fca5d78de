"""One conversion under way: the document, OrderGate's departments and forms, the report as it
grows, what was read, and the lookups the steps share (each built once per document)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from lxml import etree

from ..bpmn_tree import local
from ..problems import Reason
from .departments import Department
from .namespaces import bpmn, kind_of
from .report import ReportItem


class Converter:
    """What the steps of one conversion read and write (the steps are the modules beside)."""

    def __init__(
        self, root: etree._Element, departments: Sequence[Department], forms: Sequence[str]
    ) -> None:
        self.root = root
        self.departments = list(departments)
        self.forms = sorted(set(forms))
        self.items: list[ReportItem] = []
        # (element, qualified tag) read here; holding the element keeps its lxml proxy alive
        self.used: set[tuple[etree._Element, str]] = set()
        self.changed = False
        self.touched: set[str] = set()  # lanes that got a task
        self._ids: dict[str, etree._Element] | None = None
        self._outgoing: dict[int, Counter] = {}
        self._lanes: dict[int, dict[str, etree._Element]] = {}

    def add(
        self,
        status: str,
        node: etree._Element,
        reason: Reason,
        field: str = "",
        value: str = "",
        choices: Iterable[str] = (),
    ) -> None:
        """Add a line about node to the report."""
        self.items.append(
            ReportItem(
                status,
                node.get("id"),
                node.get("name") or "",
                kind_of(node),
                reason,
                field,
                value,
                tuple(choices),
            )
        )

    def use(self, node: etree._Element, tag: str) -> None:
        """Mark another tool's attribute or element as read (it is not listed as kept)."""
        self.used.add((node, tag))

    def by_id(self, element_id: str | None) -> etree._Element | None:
        """The element with this id (the first in document order)."""
        if self._ids is None:  # one pass over the document, not one per question
            self._ids = {}
            for node in self.root.iter():
                if local(node) and node.get("id"):
                    self._ids.setdefault(node.get("id"), node)
        return self._ids.get((element_id or "").strip())

    def outgoing(self, process: etree._Element, node_id: str | None) -> int:
        """How many sequence flows leave node_id (counted once per process)."""
        key = id(process)
        if key not in self._outgoing:
            self._outgoing[key] = Counter(
                f.get("sourceRef") for f in process.iter(bpmn("sequenceFlow"))
            )
        return self._outgoing[key][node_id]

    def lane_of(self, process: etree._Element, task_id: str) -> etree._Element | None:
        """The innermost lane holding task_id as the file drew it (read once per process; the
        conversion only places tasks that were in none)."""
        key = id(process)
        if key not in self._lanes:
            self._lanes[key] = {
                (ref.text or "").strip(): lane  # document order: an inner lane comes later
                for lane in process.iter(bpmn("lane"))
                for ref in lane.iterchildren(bpmn("flowNodeRef"))
            }
        return self._lanes[key].get(task_id)

"""What validation reports: problems with a line, and the catalog diagrams are checked against."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with a diagram: where (line, element id) and what to fix."""

    line: int
    message: str
    element_id: str | None = None


@dataclass
class Catalog:
    """Departments (lane name or display name -> key), forms and roles a diagram may use."""

    departments: dict[str, str]
    forms: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)

    def department_for(self, lane_name: str | None) -> str | None:
        """The department key for a lane name, compared case-insensitively."""
        if not lane_name:
            return None
        wanted = lane_name.strip().casefold()
        for name, key in self.departments.items():
            if name.casefold() == wanted:
                return key
        return None


def at(node: object, message: str, element_id: str | None = None) -> Problem:
    """A Problem located at an lxml element (its source line and id)."""
    line = getattr(node, "sourceline", None) or 0
    get = getattr(node, "get", None)
    return Problem(line, message, element_id or (get("id") if get else None))

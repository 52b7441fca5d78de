"""The difference between two process versions, and how the compare page words it.

comparing.py: `diff_versions` compares the stored XML element by element and keeps the raw
values (ids, BPMN element types, ISO 8601 durations, department keys). wording.py: `present`
turns those into the reader's language: element kinds (用户任务), property names (期限),
durations (16 小时 / 16 h) and lanes as department names, each raw value kept for the page's
title attribute.
"""

from app.core.processes.version_diff.comparing import (
    PROPERTY,
    Detail,
    ElementChange,
    diff_versions,
)
from app.core.processes.version_diff.wording import (
    ASPECT_WORDS,
    KIND_WORDS,
    ChangeRow,
    DetailRow,
    Shown,
    humanise_duration,
    present,
)

__all__ = [
    "ASPECT_WORDS",
    "KIND_WORDS",
    "PROPERTY",
    "ChangeRow",
    "Detail",
    "DetailRow",
    "ElementChange",
    "Shown",
    "diff_versions",
    "humanise_duration",
    "present",
]

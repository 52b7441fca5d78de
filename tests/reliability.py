"""Sizes and figures shared by the reliability harness (races, kills, hostile input).

The suite runs every harness test at a small size so that CI still fails when one regresses;
`make reliability` sets RELIABILITY=full to run them at full size and RELIABILITY_REPORT to a
JSON-lines file that collects the figures docs/RELIABILITY.md is generated from.
"""

import json
import os
import time

FULL = os.environ.get("RELIABILITY") == "full"


def scale(small: int, full: int) -> int:
    """How many rounds (races, kills, examples) to run: `small` in the suite, `full` otherwise."""
    return full if FULL else small


def record(area: str, name: str, **figures) -> None:
    """Append one line of figures for docs/RELIABILITY.md; a no-op outside `make reliability`."""
    path = os.environ.get("RELIABILITY_REPORT")
    if not path:
        return
    row = {"area": area, "name": name, "at": time.time(), **figures}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

"""How fast this machine runs plain Python, so figures from different machines can be compared.

Sessions run on machines whose single-core speed differs by ~3x (an Intel Xeon KVM and an AMD
EPYC KVM have both appeared as "2 cores"), and every CPU-bound figure moves with it. The workload
is fixed and touches what a completion touches — JSON of a workflow-state-sized document, dicts,
string formatting, sorting — with no I/O; its best of several runs is the figure (the best is
what the load disturbs least).
"""

from __future__ import annotations

import json
import time

RUNS = 7


def _workload() -> int:
    """A fixed amount of interpreter work (~100 ms on the slower machine); returns a checksum."""
    tasks = [
        {"id": f"task-{i:05d}", "state": i % 7, "data": {"qty": i * 3, "note": "x" * (i % 40)}}
        for i in range(3000)
    ]
    text = json.dumps({"tasks": tasks})
    total = 0
    for _ in range(4):
        loaded = json.loads(text)["tasks"]
        by_state: dict[int, list[str]] = {}
        for task in loaded:
            by_state.setdefault(task["state"], []).append(f"{task['id']}:{task['data']['qty']}")
        total += sum(len(sorted(names)) for names in by_state.values())
    return total


def cpu_speed(runs: int = RUNS) -> dict:
    """The workload's best and median wall ms over `runs` runs, in this process."""
    _workload()  # warm-up: imports, allocator
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _workload()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "workload": "bench/calibration.py: JSON of 3,000 task dicts, regroup and sort, 4 times",
        "best_ms": round(times[0], 1),
        "median_ms": round(times[len(times) // 2], 1),
        "runs": runs,
    }


def machine_ticks() -> tuple[int, int]:
    """The whole machine's CPU ticks so far from /proc/stat: (stolen, all). "Stolen" is time the
    hypervisor ran something else while this VM had work: the machine got slower for reasons
    outside it. (0, 0) where /proc/stat is not there."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(n) for n in stat.readline().split()[1:9]]
    except OSError:
        return 0, 0
    return fields[7], sum(fields)  # user nice system idle iowait irq softirq steal


def steal_percent(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's CPU time stolen between two `machine_ticks()`, in percent."""
    stolen, total = after[0] - before[0], after[1] - before[1]
    return round(100 * stolen / total, 1) if total > 0 else 0.0

"""Run every OrderGate benchmark, write bench/results.json and print a summary table.

Usage: .venv/bin/python bench/run.py [--quick]   (`make bench` runs it; --quick is a smoke run
with few rounds, its results are not meant to be committed). Every benchmark drives the
order_lifecycle process that new orders run. See docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import completion, engine_overhead, planning, state_size  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
TARGETS = {"engine_overhead_ratio": 1.5, "state_ratio": 0.25}


def _proc_field(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _git(*args: str) -> str:
    out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return out.stdout.strip()


def environment() -> dict:
    """Commit, machine and versions the numbers belong to."""
    return {
        "commit": _git("rev-parse", "HEAD"),
        "worktree_dirty": bool(_git("status", "--porcelain", "--", "app", "workflows", "forms")),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "machine": f"{_proc_field('/proc/cpuinfo', 'model name')} ({platform.machine()}, "
        f"{platform.platform()})",
        "virtual_machine": " hypervisor" in _proc_field("/proc/cpuinfo", "flags"),
        "memory": _proc_field("/proc/meminfo", "MemTotal"),
        "python": platform.python_version(),
        "spiffworkflow": version("SpiffWorkflow"),
        "flask": version("Flask"),
        "sqlalchemy": version("SQLAlchemy"),
    }


def _timed(label: str, fn, *args, **kwargs):  # noqa: ANN001, ANN202
    print(f"… {label}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"  done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return result


def _row(name: str, value: str, target: str = "") -> str:
    return f"| {name:<38} | {value:>26} | {target:>8} |"


def summary(results: dict) -> str:
    """The results as a Markdown table (also pasted into docs/PERFORMANCE.md)."""
    eng = results["engine_overhead"]
    lines = [_row("measure", "result", "target"), f"|{'-' * 40}|{'-' * 28}|{'-' * 10}|"]
    lines.append(
        _row("engine overhead (ours / bare)", f"{results['engine_overhead_ratio']:.2f}", "≤ 1.5")
    )
    for step, row in eng["steps"].items():
        lines.append(
            _row(
                f"  {step} ms (ours / bare)", f"{row['ours']['p50']:.2f} / {row['bare']['p50']:.2f}"
            )
        )
    for db_name, row in results["completion_ms"].items():
        if "error" in row:
            lines.append(_row(f"POST complete, {db_name}", "not measured (see error)"))
            continue
        lines.append(
            _row(
                f"POST complete, {db_name} (ms)",
                f"p50 {row['p50']:.1f}, p95 {row['p95']:.1f}, n {row['n']}",
            )
        )
        confirm = row["customer_confirmation_ms"]
        lines.append(
            _row(
                f"  customer confirms, {db_name} (ms)",
                f"p50 {confirm['p50']:.1f}, p95 {confirm['p95']:.1f}, n {confirm['n']}",
            )
        )
    size = results["state_bytes"]
    lines.append(
        _row("state per finished order (bytes)", f"{size['ours']} / {size['spiff_default']}")
    )
    lines.append(_row("state ratio (ours / spiff default)", f"{size['ratio']:.1%}", "≤ 25%"))
    for orders, row in results["planning_ms"].items():
        lines.append(
            _row(
                f"plan / rush preview, {orders} orders (ms)",
                f"p50 {row['schedule_ms']['p50']:.1f} / {row['rush_preview_ms']['p50']:.1f}",
            )
        )
    for quantity, row in results.get("planning_quantity", {}).items():
        lines.append(
            _row(
                f"plan, 200 orders + one of {quantity} units (ms)",
                f"p50 {row['schedule_ms']['p50']:.1f}, days looked at {row['days_looked_at']}",
            )
        )
    return "\n".join(lines)


def main() -> int:
    """Run the benchmarks and write the results; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few rounds (smoke run)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # alembic's env.py re-enables its INFO lines on every upgrade
    rounds, orders = (30, 3) if args.quick else (300, 15)

    results = environment()
    results["quick"] = args.quick
    results["process"] = engine_overhead.PROCESS_ID
    eng = _timed("engine overhead", engine_overhead.run, rounds=rounds)
    results["engine_overhead_ratio"] = eng["ratio"]
    completion_ms = {}
    for kind in ("sqlite", "postgresql"):
        completion_ms[kind] = _timed(f"completion over HTTP, {kind}", completion.run, kind, orders)
    results["completion_ms"] = completion_ms
    results["state_bytes"] = _timed("stored state size", state_size.run)
    results["planning_ms"] = _timed("plan and rush preview", planning.run, 5 if args.quick else 20)
    results["planning_quantity"] = _timed(
        "plan with a normal vs a huge quantity", planning.run_quantity, 5 if args.quick else 20
    )
    results["engine_overhead"] = eng
    results["database_versions"] = {
        k: v.get("server", v.get("error")) for k, v in completion_ms.items()
    }

    args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(summary(results))
    print(
        f"\n{results['machine']}, {results['cores']} cores, Python {results['python']}, "
        f"SpiffWorkflow {results['spiffworkflow']}, commit {results['commit'][:10]}"
        f"{' (+ uncommitted changes)' if results['worktree_dirty'] else ''}"
    )
    print(f"written to {args.output}")
    measured = {
        "engine_overhead_ratio": results["engine_overhead_ratio"],
        "state_ratio": results["state_bytes"]["ratio"],
    }
    missed = [name for name, limit in TARGETS.items() if measured[name] > limit]
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

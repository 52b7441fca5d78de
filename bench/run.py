"""Run every OrderGate benchmark, write bench/results.json and print a summary table.

Usage: .venv/bin/python bench/run.py [--smoke] [--only MODULE ...] [--output PATH]
(`make bench` runs it all; `make bench-smoke` runs tiny sizes and fails on errors or missing
keys, never on a timing; its results are not for committing). See docs/PERFORMANCE.md.

A benchmark is a module in BENCHMARKS exposing `measure(smoke: bool) -> dict`: the dict's keys
become results.json keys, except `sizes`, which goes into `conditions.sections[module].sizes`
with the load average before and after and the seconds it took. Adding one is one line below;
REQUIRED_KEYS lists what a run must produce.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calibration import cpu_speed, machine_ticks, steal_percent  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
BENCHMARKS = (
    "bench.engine_overhead",  # engine_overhead_ratio, engine_overhead
    "bench.state_size",  # state_bytes
    "bench.completion",  # completion_ms (Flask test client, in-process)
    "bench.planning",  # planning_ms, planning_quantity
    "bench.http_load",  # http_completion, scale_out_throughput_ratio, worker_rss_mb
    "bench.timer_burst",  # timer_delay_p99_s, timer_clear_rate_per_s, timers
    "bench.pages",  # pages_p95_ms, schedule_p95_ms, rush_preview_p95_ms
    "bench.planning_growth",  # planning_growth, worker_rss_mb.after_plan
)
REQUIRED_KEYS = (
    "conditions",
    "engine_overhead_ratio",
    "engine_overhead",
    "state_bytes",
    "completion_ms",
    "planning_ms",
    "http_completion",
    "scale_out_throughput_ratio",
    "worker_rss_mb",
    "timer_delay_p99_s",
    "pages_p95_ms",
    "schedule_p95_ms",
    "rush_preview_p95_ms",
    "planning_growth",
)
# Targets of issue 14 (checked on full runs only; a smoke run never fails on a timing).
TARGETS = {
    "engine_overhead_ratio": ("≤", 1.0),
    "state_ratio": ("≤", 0.25),
    "http_one_client_p50_ms": ("≤", 15.0),
    "http_one_client_p95_ms": ("≤", 30.0),
    "http_per_second": ("≥", 150.0),
    "timer_delay_p99_s": ("≤", 2.0),
    "scale_out_throughput_ratio": ("≥", 0.9),
}


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


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def _postgres_version() -> str:
    from bench.common import PG_URL

    try:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(PG_URL).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(url, connect_timeout=5) as conn:
            settings = dict(
                conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN ('shared_buffers',"
                    " 'synchronous_commit', 'max_connections', 'work_mem')"
                ).fetchall()
            )
            return f"{conn.execute('SELECT version()').fetchone()[0]} {settings}"
    except Exception as exc:  # reported, not fatal: the SQLite parts still run
        return f"not reachable: {exc}"


def environment() -> dict:
    """Commit, machine and versions the numbers belong to (the old top-level keys)."""
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


def conditions(smoke: bool) -> dict:
    """What the numbers depend on besides the code: cores, load, sizes, versions, database."""
    return {
        "cores": os.cpu_count(),
        "loadavg_before": _load(),
        "machine_ticks_before": machine_ticks(),
        "cpu_speed": cpu_speed(),
        "smoke": smoke,
        "versions": {
            name: version(name)
            for name in ("SpiffWorkflow", "Flask", "SQLAlchemy", "psycopg", "gunicorn", "locust")
        }
        | {"python": platform.python_version()},
        "database": {"postgresql": _postgres_version(), "sqlite": _sqlite_version()},
        "note": "loadavg is the 1/5/15-minute load average; on this shared machine other "
        "work may have run at the same time (see loadavg per section)",
        "sections": {},
    }


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def run_benchmarks(modules: tuple[str, ...], smoke: bool, results: dict) -> dict[str, str]:
    """Run each module's measure(); merge its keys; returns the errors per module."""
    errors: dict[str, str] = {}
    for name in modules:
        # The machine's speed around each section: a host that slows down mid-run shows here.
        section = {"loadavg_before": _load(), "cpu_speed_before_ms": cpu_speed(3)["best_ms"]}
        ticks = machine_ticks()
        print(f"… {name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(name)
            measured = dict(module.measure(smoke))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            errors[name] = "not present (not merged yet)"
            measured = {}
        except Exception:  # one failing benchmark is reported; the others still run
            errors[name] = traceback.format_exc(limit=6)
            measured = {}
        section["seconds"] = round(time.perf_counter() - start, 1)
        section["loadavg_after"] = _load()
        # The hypervisor's share: a section run while the host was busy reads slower.
        section["steal_percent"] = steal_percent(ticks, machine_ticks())
        section["cpu_speed_after_ms"] = cpu_speed(3)["best_ms"]
        if "sizes" in measured:
            section["sizes"] = measured.pop("sizes")
        for key, value in measured.items():  # worker_rss_mb comes from two modules
            both = isinstance(value, dict) and isinstance(results.get(key), dict)
            results[key] = {**results[key], **value} if both else value
        results["conditions"]["sections"][name] = section
        status = "error" if name in errors else "done"
        print(f"  {status} in {section['seconds']} s", file=sys.stderr, flush=True)
    return errors


def _row(name: str, value: str, target: str = "") -> str:
    return f"| {name:<44} | {value:>30} | {target:>8} |"


def measured_targets(results: dict) -> dict[str, float]:
    """The figures TARGETS names, from whatever the run produced."""
    http = results.get("http_completion", {})
    found = {
        "engine_overhead_ratio": results.get("engine_overhead_ratio"),
        "state_ratio": results.get("state_bytes", {}).get("ratio"),
        "http_one_client_p50_ms": http.get("p50_ms"),
        "http_one_client_p95_ms": http.get("p95_ms"),
        "http_per_second": http.get("per_second"),
        "timer_delay_p99_s": results.get("timer_delay_p99_s"),
        "scale_out_throughput_ratio": results.get("scale_out_throughput_ratio"),
    }
    return {k: v for k, v in found.items() if v is not None}


def summary(results: dict) -> str:
    """The headline figures as a Markdown table (also pasted into docs/PERFORMANCE.md)."""
    lines = [_row("measure", "result", "target"), f"|{'-' * 46}|{'-' * 32}|{'-' * 10}|"]
    measured = measured_targets(results)
    for name, value in measured.items():
        op, limit = TARGETS[name]
        lines.append(_row(name, f"{value}", f"{op} {limit}"))
    eng = results.get("engine_overhead")
    if eng:
        lines.append(
            _row("engine ratio vs stock serializer", f"{eng['ratio_vs_stock_serializer']}")
        )
    size = results.get("state_bytes")
    if size:
        lines.append(
            _row("state bytes ours / spiff (zlib)", f"{size['ours']} / {size['spiff_default']}")
        )
        lines.append(
            _row(
                "state bytes ours / spiff (raw)",
                f"{size['ours_raw']} / {size['spiff_default_raw']}",
            )
        )
    for db_name, row in results.get("completion_ms", {}).items():
        if "error" in row:
            lines.append(_row(f"in-process POST complete, {db_name}", "not measured (see error)"))
        else:
            lines.append(
                _row(
                    f"in-process POST complete, {db_name} (ms)",
                    f"p50 {row['p50']}, p95 {row['p95']}",
                )
            )
    if "timer_clear_rate_per_s" in results:
        rates = results["timer_clear_rate_per_s"]
        shown = " / ".join(f"{n}: {rate}" for n, rate in rates.items())
        lines.append(_row("timers cleared per s (by workers)", shown))
    if "worker_rss_mb" in results:
        rss = results["worker_rss_mb"]
        shown = {k: rss[k] for k in ("after_load", "after_plan") if k in rss}
        lines.append(_row("gunicorn worker RSS (MB)", json.dumps(shown)[:40]))
    for key in ("pages_p95_ms", "schedule_p95_ms", "rush_preview_p95_ms"):
        if key in results:
            lines.append(_row(key, json.dumps(results[key])[:30]))
    return "\n".join(lines)


def missed_targets(results: dict) -> list[str]:
    """Names of the targets the run missed."""
    missed = []
    for name, value in measured_targets(results).items():
        op, limit = TARGETS[name]
        if (op == "≤" and value > limit) or (op == "≥" and value < limit):
            missed.append(name)
    return missed


def main() -> int:
    """Run the benchmarks and write the results. Full run: exit 1 on errors, missing keys or a
    missed target. Smoke run: exit 1 on errors or missing keys only."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", "--quick", action="store_true", help="tiny sizes (CI)")
    parser.add_argument("--only", nargs="*", metavar="MODULE", help="e.g. bench.http_load")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    output = args.output or (RESULTS.with_name("results.smoke.json") if args.smoke else RESULTS)
    logging.disable(logging.INFO)  # alembic's env.py re-enables its INFO lines on every upgrade
    modules = tuple(args.only) if args.only else BENCHMARKS

    results = environment()
    results["quick"] = args.smoke
    results["conditions"] = conditions(args.smoke)
    errors = run_benchmarks(modules, args.smoke, results)
    results["conditions"]["loadavg_after"] = _load()
    started = results["conditions"].pop("machine_ticks_before")
    results["conditions"]["steal_percent"] = steal_percent(started, machine_ticks())
    results["errors"] = errors
    if "engine_overhead" in results:
        results["process"] = results["engine_overhead"]["process"]
    if "completion_ms" in results:
        results["database_versions"] = {
            k: v.get("server", v.get("error")) for k, v in results["completion_ms"].items()
        }
    output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")

    print(summary(results))
    cond = results["conditions"]
    print(
        f"\n{results['machine']}, {results['cores']} cores, CPU speed "
        f"{cond['cpu_speed']['best_ms']} ms (bench/calibration.py, lower is faster), load "
        f"{cond['loadavg_before']} -> "
        f"{cond['loadavg_after']}, CPU stolen by the host {cond['steal_percent']} %, "
        f"Python {results['python']}, commit {results['commit'][:10]}"
        f"{' (+ uncommitted changes)' if results['worktree_dirty'] else ''}"
    )
    print(f"written to {output}")
    missing = [key for key in REQUIRED_KEYS if key not in results] if not args.only else []
    for name, error in errors.items():
        print(f"ERROR in {name}:\n{error}", file=sys.stderr)
    if missing:
        print(f"missing keys: {', '.join(missing)}", file=sys.stderr)
    missed = [] if args.smoke else missed_targets(results)
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if errors or missing or missed else 0


if __name__ == "__main__":
    sys.exit(main())

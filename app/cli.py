"""Flask commands: workflows deploy/validate/export, seed-demo, seed-volume, serve, worker,
doctor, backup and restore."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

workflows = AppGroup("workflows", help="Deploy, validate and export BPMN processes and forms.")


@workflows.command("deploy")
def deploy_command() -> None:
    """Deploy every file in workflows/ and forms/ as new versions where the content changed."""
    from app.core.processes import versions as processes

    report = processes.deploy_directories(
        Path(current_app.config["WORKFLOWS_DIR"]), Path(current_app.config["FORMS_DIR"]), None
    )
    db.session.commit()
    for line in report.created:
        click.echo(f"created   {line}")
    for line in report.unchanged:
        click.echo(f"unchanged {line}")
    for line in report.problems:
        click.echo(line, err=True)
    if report.problems:
        sys.exit(1)


def _sqlite_file_missing() -> bool:
    """Whether the database is a SQLite file that does not exist (connecting would create it)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return False
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return False
    return not Path(name).exists()


def _validation_catalog(forms_dir: Path):
    """Departments and forms from the database when it is set up, else the demo departments."""
    from app.core.processes import versions as processes

    file_forms = {p.stem for p in forms_dir.glob("*.json")}
    if _sqlite_file_missing():
        return processes.demo_catalog(file_forms)
    try:
        if inspect(db.engine).has_table("department"):
            catalog = processes.db_catalog(file_forms)
            if catalog.departments:
                return catalog
    except SQLAlchemyError:
        db.session.rollback()
    return processes.demo_catalog(file_forms)


@workflows.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_command(files: tuple[str, ...]) -> None:
    """Validate BPMN files without deploying; prints FILE:LINE: message per problem."""
    from app.engine import validation
    from app.engine.decisions import decisions_for

    catalog = _validation_catalog(Path(current_app.config["FORMS_DIR"]))
    failed = False
    given_dmn = {
        Path(n).name: Path(n).read_bytes()
        for n in files
        if n.endswith(".dmn") and Path(n).is_file()
    }
    for name in files:
        path = Path(name)
        if name.endswith(".dmn"):
            continue  # decision tables are checked with the BPMN files that call them
        try:
            data = path.read_bytes()
        except OSError as exc:
            click.echo(f"{name}:1: cannot read the file ({exc.strerror})")
            failed = True
            continue
        nearby = {p.name: p.read_bytes() for p in path.parent.glob("*.dmn")}
        decisions = decisions_for(data, {**nearby, **given_dmn})
        problems = validation.validate_bpmn(data, catalog, list(decisions.values()))
        for problem in problems:
            click.echo(f"{name}:{problem.line}: {problem.message}")
        failed = failed or bool(problems)
        if not problems:
            click.echo(f"{name}: valid")
    sys.exit(1 if failed else 0)


@workflows.command("export")
def export_command() -> None:
    """Write the newest published version of every process and form back to the folders."""
    from app.core.processes import versions as processes

    for path in processes.export_directories(
        Path(current_app.config["WORKFLOWS_DIR"]), Path(current_app.config["FORMS_DIR"])
    ):
        click.echo(f"wrote {path}")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo departments, users, customers, products and orders (idempotent)."""
    from app.demo import seed_demo

    for line in seed_demo():
        click.echo(line)
    db.session.commit()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the app (threaded) together with the background worker."""
    from werkzeug.serving import run_simple

    from app.worker import start_worker_thread

    app = current_app._get_current_object()
    if app.config.get("START_WORKER"):
        start_worker_thread(app)
    click.echo(f"OrderGate on http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command("worker")
@click.option(
    "--once",
    is_flag=True,
    help="Run one round (due timers, then mail, digest and audit seals) and exit, e.g. from cron.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 1000),
    default=None,
    help="Instances claimed per round (default 25).",
)
@click.option(
    "--poll",
    type=click.FloatRange(0.05, 3600),
    default=None,
    help="Seconds to wait when nothing more is due (default 5).",
)
def worker_command(once: bool, batch: int | None, poll: float | None) -> None:
    """Fire due timers in a loop (run several on PostgreSQL: they never fire one twice)."""
    from app.worker import BATCH, run_forever, run_jobs, run_once

    if once:
        click.echo(f"fired {run_once(batch or BATCH)} timer(s)")
        for name, done in run_jobs().items():
            click.echo(f"{name}: {done}")
    else:
        run_forever(current_app._get_current_object(), batch=batch or BATCH, poll=poll)


@click.command("seed-volume")
@click.option("--orders", "total", default=1000, show_default=True, type=click.IntRange(1, 10**6))
@click.option("--seed", type=int, help="Random seed, for a repeatable data set.")
@click.option(
    "--finished-only", is_flag=True, help="Only history whose production is complete (no open "
    "orders): shows that the production plan's cost does not grow with history."
)  # fmt: skip
@click.option(
    "--to-make", type=click.IntRange(0, 10**6), help="How many of the newest finished orders "
    "are still to make (default one in 50): the released ones are the production plan's work."
)  # fmt: skip
@click.option(
    "--lines", "line_count", default=4, show_default=True, type=click.IntRange(1, 50),
    help="Production lines (L1-L4 named, then L5, L6, ...)."
)  # fmt: skip
def seed_volume_command(
    total: int, seed: int | None, finished_only: bool, to_make: int | None, line_count: int
) -> None:
    """Add a year of orders (finished, open, changed, rushed) for testing pages at volume."""
    from app.volume import plan, seed_volume

    counts = plan(total, finished_only)
    steps = total + counts["changes"] + counts["rushes"]
    done_before: dict[str, int] = {}
    with click.progressbar(length=steps, label="seeding", show_pos=True) as bar:
        for what, done in seed_volume(total, seed, finished_only, to_make, line_count):
            db.session.commit()  # one transaction per batch: progress survives an interrupt
            bar.update(done - done_before.get(what, 0))
            done_before[what] = done
    click.echo(", ".join(f"{n} {k}" for k, n in counts.items()))


@click.command("doctor")
@click.option(
    "--timer-grace", default=10, show_default=True, type=click.IntRange(0), help="Minutes a due "
    "timer may wait for a worker before it counts as stuck."
)  # fmt: skip
def doctor_command(timer_grace: int) -> None:
    """List instances, inbox rows and orders that disagree; exit 1 if any."""
    from datetime import timedelta

    from app import doctor

    found = 0
    for line in doctor.check_all(timedelta(minutes=timer_grace)):
        click.echo(line)
        found += 1
    db.session.rollback()
    if found:
        sys.exit(1)
    click.echo("no problems found", err=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write the SQLite database (online backup) and the uploads to one .tar.gz archive."""
    from app.backup import BackupError, backup, sqlite_path

    try:
        made = backup(sqlite_path(db.engine.url), Path(current_app.config["STORAGE_DIR"]), path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"wrote {path}: {made['database_bytes']} bytes of database, {made['uploads']} file(s)"
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore a `flask backup` archive: the SQLite database and the uploads directory."""
    from app.backup import BackupError, restore, sqlite_path

    db_file = sqlite_path(db.engine.url)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep the old file open
    try:
        made = restore(path, db_file, Path(current_app.config["STORAGE_DIR"]), force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {path} (made {made['made_at']}); run `flask db upgrade` if it is older")


def register_cli(app: Flask) -> None:
    """Attach the commands to the app."""
    for command in (workflows, seed_demo_command, serve_command, worker_command,
                    seed_volume_command, doctor_command, backup_command,
                    restore_command):  # fmt: skip
        app.cli.add_command(command)

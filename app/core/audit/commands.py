"""`flask audit seal` and `flask audit verify`."""

import sys

import click
from flask.cli import AppGroup

from app.core.audit import chain
from app.extensions import db

group = AppGroup("audit", help="Seal and verify the tamper-evident audit chain.")


@group.command("seal")
def seal_command() -> None:
    """Seal every pending audit row now (the worker does this every round)."""
    try:
        total = 0
        while sealed := chain.seal_pending():
            total += sealed
    except chain.KeyProblem as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(2)
    click.echo(f"sealed {total} row(s)")


@group.command("verify")
def verify_command() -> None:
    """Walk the chain; print the first broken or missing link and exit 1, else exit 0."""
    try:
        report = chain.verify()
    except chain.KeyProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    finally:
        db.session.rollback()  # verify only reads
    if report.problem is not None:
        problem = report.problem
        click.echo(
            f"BROKEN at row {problem.audit_id} ({problem.kind}): {problem.message}. "
            f"{report.links} link(s) before it are intact.",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"OK: {report.links} link(s) intact up to row {report.head_audit_id}; "
        f"{report.pending} row(s) not sealed yet."
    )

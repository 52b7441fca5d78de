"""`flask fulfilment …`: start the fulfilment process for orders released before it existed,
and flag late orders (for a scheduler, e.g. every morning)."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.modules.orders.backfill import start_in_batches

group = AppGroup("fulfilment", help="Order fulfilment: start missing processes, flag late orders.")


@group.command("start-missing")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10000))
def start_missing_command(batch: int) -> None:
    """Start order_fulfilment for every released order (or in production) without one."""
    from app.modules.fulfilment.services import process

    total = start_in_batches(process.start_missing, batch)
    click.echo(f"{total} fulfilment processes started")


@group.command("check-late")
def check_late_command() -> None:
    """Flag orders behind plan, at risk or late, and tell their owners of new ones."""
    from app.modules.fulfilment.services import lateness

    told = lateness.check(None)
    db.session.commit()
    click.echo(f"{told} owners notified")

"""`flask closeout start-missing`: start close-out for delivered orders that have none."""

import click
from flask.cli import AppGroup

from app.modules.orders.backfill import start_in_batches

group = AppGroup("closeout", help="Order close-out: start missing close-out processes.")


@group.command("start-missing")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10000))
def start_missing_command(batch: int) -> None:
    """Start order_closeout for every delivered order without a close-out."""
    from app.modules.closeout.services import process

    total = start_in_batches(process.start_missing, batch)
    click.echo(f"{total} close-out processes started")

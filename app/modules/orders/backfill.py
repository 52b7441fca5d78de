"""Starting a process for orders that predate it, in committed batches (`flask … start-missing`)."""

from collections.abc import Callable

import click

from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Order


def start_in_batches(start_missing: Callable[[User | None, int], list[Order]], batch: int) -> int:
    """Call `start_missing` until it starts fewer than `batch` orders, committing each batch so an
    interrupted run keeps what it did; echo every order started and return how many there were."""
    total = 0
    while True:
        started = start_missing(None, batch)
        db.session.commit()
        total += len(started)
        for order in started:
            click.echo(f"started   {order.number}")
        if len(started) < batch:
            return total

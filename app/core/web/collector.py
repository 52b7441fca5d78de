"""Short full collections in a long-running web or worker process (issue 14).

A gunicorn worker holds a few hundred thousand objects that live as long as it does: modules,
the app, SQLAlchemy's mappers and statement cache, the parsed process specs, the compiled
templates, the translations. Python's full (generation 2) collection walks every one of them;
measured under the completion load it took 90-150 ms, about once a thousand requests, and a
worker that stops for that long lets the requests behind it queue (bench/http_load.py's p95).
`gc.freeze()` moves the objects alive at that moment out of the collector's reach, so later full
passes walk only what was made since. It is done twice: when the app is built, and after the
first `WARM_REQUESTS` requests, by when the caches that fill on first use are built. Objects
frozen stay until the process ends, even if they become garbage later; each freeze first runs
a full collection, so only what was alive then (and the caches, bounded) is kept.
"""

import gc
import itertools

from flask import Flask, Response

WARM_REQUESTS = 100


def freeze() -> int:
    """Collect everything unreachable, then freeze what is left; returns how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def settle(app: Flask) -> None:
    """Freeze now and once more after the app's first WARM_REQUESTS responses (after the last
    of them is sent, so no one waits for it). For the process that serves: wsgi.py."""
    freeze()
    served = itertools.count(1)

    @app.after_request
    def _freeze_once_warm(response: Response) -> Response:
        if next(served) == WARM_REQUESTS:
            response.call_on_close(freeze)
        return response

"""Named connectors a service task may call (issue 15), the only way a diagram reaches outside.

A service task names one in spiff-arena's form, `spiffworkflow:serviceTaskOperator id="http"`
with `spiffworkflow:parameter id/value` children whose values are expressions evaluated on the
task data under the restricted environment. The registry is small and fixed:

- `notify(to, text)`: asks the service layer to notify a department (`to`: its key) with the
  text; the engine only records the request (`collect_notices`), the app sends it after the
  step, like every other notification.
- `http(endpoint, method="GET", body=None)`: calls an endpoint *by name* from the allow-list the
  app configures (`configure_http`, config `ORDERGATE_HTTP_ENDPOINTS`), never a URL the diagram
  writes, with a timeout and a response size limit; the task's result is
  `{"status": ..., "body": ...}` (body parsed as JSON when it is JSON).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import EngineError

MAX_RESPONSE_BYTES = 1_000_000
METHODS = ("GET", "POST", "PUT")


@dataclass(frozen=True)
class Connector:
    """A connector: its parameters (name -> required) and what it does with their values."""

    name: str
    params: dict[str, bool]
    run: Callable[[dict], dict]


@dataclass(frozen=True)
class Notice:
    """A notification a service task asked for: the department and the text."""

    to: str
    text: str
    element_id: str | None = None


_http = {"endpoints": {}, "timeout": 5.0}
_notices = threading.local()


def configure_http(endpoints: dict[str, str] | None, timeout: float = 5.0) -> None:
    """The endpoints `http` may call (name -> URL) and its timeout in seconds."""
    _http["endpoints"] = dict(endpoints or {})
    _http["timeout"] = float(timeout)


def http_endpoints() -> set[str]:
    """The names of the configured endpoints."""
    return set(_http["endpoints"])


@contextmanager
def collect_notices() -> Iterator[list[Notice]]:
    """Collect the notices service tasks ask for inside the block (per thread)."""
    previous = getattr(_notices, "items", None)
    _notices.items = items = []
    try:
        yield items
    finally:
        _notices.items = previous


def _fail(message: str) -> EngineError:
    return EngineError("expression", message)


def _notify(values: dict) -> dict:
    to, text = values.get("to"), values.get("text")
    if not isinstance(to, str) or not to or not isinstance(text, str) or not text:
        raise _fail("notify needs a department key 'to' and a 'text', both non-empty text.")
    if len(text) > 2000:
        raise _fail("notify: the text is longer than 2,000 characters.")
    items = getattr(_notices, "items", None)
    if items is not None:
        items.append(Notice(to, text, values.get("_element")))
    return {"notified": to}


def _body(raw: bytes, content_type: str) -> object:
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _http_call(values: dict) -> dict:
    name, method = values.get("endpoint"), str(values.get("method") or "GET").upper()
    url = _http["endpoints"].get(name) if isinstance(name, str) else None
    if url is None:
        known = ", ".join(sorted(_http["endpoints"])) or "none configured"
        raise _fail(f"http: '{name}' is not a configured endpoint ({known}).")
    if method not in METHODS:
        raise _fail(f"http: the method must be one of {', '.join(METHODS)}.")
    data = None
    if values.get("body") is not None:
        data = json.dumps(values["body"], default=str).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=_http["timeout"]) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE_BYTES + 1)
            status, content_type = response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raw, status, content_type = exc.read(MAX_RESPONSE_BYTES + 1), exc.code, ""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise _fail(f"http: '{name}' did not answer ({exc}).") from exc
    if len(raw) > MAX_RESPONSE_BYTES:
        raise _fail(f"http: '{name}' answered more than {MAX_RESPONSE_BYTES} bytes.")
    return {"status": status, "body": _body(raw, content_type)}


REGISTRY = {
    "notify": Connector("notify", {"to": True, "text": True}, _notify),
    "http": Connector("http", {"endpoint": True, "method": False, "body": False}, _http_call),
}


def call(name: str, values: dict, element_id: str | None = None) -> dict:
    """Run the connector `name` with its evaluated parameter values."""
    connector = REGISTRY.get(name)
    if connector is None:
        raise EngineError("forbidden", f"'{name}' is not a connector ({', '.join(REGISTRY)}).")
    unknown = set(values) - set(connector.params)
    if unknown:
        raise _fail(f"{name}: unknown parameters {', '.join(sorted(unknown))}.")
    return connector.run({**values, "_element": element_id})

"""Service tasks bound to the registry of named connectors (issue 15): `http` calls only an
allow-listed endpoint, with a timeout (a local server here, never the internet); `notify` asks
the app to notify a department. Validation refuses service tasks the registry cannot run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from builders import diagram, linear

from app.engine import connectors, runner
from app.engine.specs import load_definition
from app.engine.validation import Catalog, validate_bpmn


def service(connector: str, params: dict[str, str], result: str = "answer") -> str:
    """A service task calling `connector` with parameter expressions."""
    values = "".join(
        f'<spiffworkflow:parameter id="{k}" type="any" value="{v}" />' for k, v in params.items()
    )
    return (
        '<bpmn:serviceTask id="call" name="Call"><bpmn:extensionElements>'
        f'<spiffworkflow:serviceTaskOperator id="{connector}" resultVariable="{result}">'
        f"<spiffworkflow:parameters>{values}</spiffworkflow:parameters>"
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"
    )


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server interface
        length = int(self.headers.get("Content-Length") or 0)
        sent = json.loads(self.rfile.read(length) or b"null")
        if self.path == "/slow":
            self.server.release.wait(5)
        body = json.dumps({"got": sent, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def local_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1; the connectors' allow-list names two of its paths."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.block_on_close = True  # server_close waits for the handler threads
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    connectors.configure_http({"erp": f"{base}/erp", "slow": f"{base}/slow"}, timeout=0.5)
    try:
        yield base
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
        connectors.configure_http({})


def test_http_calls_an_allow_listed_endpoint(local_server: str, catalog: Catalog) -> None:
    task = service("http", {"endpoint": "'erp'", "method": "'POST'", "body": "{'n': amount}"})
    data = diagram(linear(task, ids=["call"]))
    assert validate_bpmn(data, catalog) == []
    result = runner.start(load_definition(data), {"amount": 3})
    assert result.error is None and result.completed
    assert result.data["answer"] == {"status": 200, "body": {"got": {"n": 3}, "path": "/erp"}}


def test_http_gives_up_after_its_timeout(local_server: str, catalog: Catalog) -> None:
    data = diagram(
        linear(service("http", {"endpoint": "'slow'", "method": "'POST'"}), ids=["call"])
    )
    result = runner.start(load_definition(data), {})
    assert result.error is not None and result.error.element_id == "call"
    assert "did not answer" in result.error.message
    assert not result.completed


def test_an_endpoint_that_is_not_configured_is_refused(local_server: str, catalog: Catalog) -> None:
    data = diagram(linear(service("http", {"endpoint": "'https://example.com'"}), ids=["call"]))
    problems = validate_bpmn(data, catalog)
    assert [(p.message.key, p.element_id) for p in problems] == [("endpoint_unknown", "call")]
    # Named at run time from task data: refused then, before any request is made.
    data = diagram(linear(service("http", {"endpoint": "target"}), ids=["call"]))
    assert validate_bpmn(data, catalog) == []
    result = runner.start(load_definition(data), {"target": "http://127.0.0.1:9/"})
    assert result.error is not None and "not a configured endpoint" in result.error.message


def test_notify_hands_a_notice_to_the_app(catalog: Catalog) -> None:
    task = service("notify", {"to": "'quality'", "text": "'Order ' + str(order_id) + ' approved'"})
    data = diagram(linear(task, ids=["call"]))
    assert validate_bpmn(data, catalog) == []
    result = runner.start(load_definition(data), {"order_id": 7})
    assert result.error is None and result.completed
    assert [(n.to, n.text, n.element_id) for n in result.notices] == [
        ("quality", "Order 7 approved", "call")
    ]


@pytest.mark.parametrize(
    ("task", "key"),
    [
        ('<bpmn:serviceTask id="call" />', "connector_missing"),
        (service("ftp", {"host": "'x'"}), "connector_unknown"),
        (
            service("notify", {"to": "'sales'", "text": "'x'", "cc": "'pmc'"}),
            "connector_param_unknown",
        ),
        (service("notify", {"to": "'sales'"}), "connector_param_missing"),
        (service("notify", {"to": "__import__('os')", "text": "'x'"}), "expr_rejected"),
    ],
)
def test_service_tasks_the_registry_cannot_run_are_refused(
    catalog: Catalog, task: str, key: str
) -> None:
    problems = validate_bpmn(diagram(linear(task, ids=["call"])), catalog)
    assert [p.message.key for p in problems] == [key], problems
    assert problems[0].element_id == "call"

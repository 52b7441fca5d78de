"""The command line: `workflows validate` as a real process, deploy/export/seed-demo in-process."""

import os
import subprocess
from pathlib import Path

import pytest

from app.core.audit.models import AuditEvent
from app.core.processes import versions as processes
from app.core.processes.models import FormVersion, ProcessVersion
from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Customer, Order

ROOT = Path(__file__).resolve().parents[2]
ORDER_REVIEW = (ROOT / "workflows" / "order_review.bpmn").read_text(encoding="utf-8")


def flask(*args: str, instance: Path) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi ...` with a clean environment: no secret, no database URL."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(instance.parent),
        "LANG": "C.UTF-8",
        "ORDERGATE_INSTANCE_DIR": str(instance),
    }
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of needle."""
    return text[: text.index(needle)].count("\n") + 1


def broken(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, str]:
    """A copy of order_review.bpmn with one change; returns its path and text."""
    assert ORDER_REVIEW.count(old) == 1, old
    text = ORDER_REVIEW.replace(old, new)
    path = tmp_path / f"{name}.bpmn"
    path.write_text(text, encoding="utf-8")
    return path, text


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """An instance folder without a database."""
    path = tmp_path / "instance"
    path.mkdir()
    return path


def assert_no_database(instance: Path) -> None:
    # The app writes its generated secret there; validating must not create a SQLite file.
    assert {p.name for p in instance.iterdir()} <= {"secret_key"}


def test_validate_accepts_the_shipped_process(instance):
    result = flask("workflows", "validate", "workflows/order_review.bpmn", instance=instance)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "workflows/order_review.bpmn: valid"
    assert "Traceback" not in result.stderr
    assert_no_database(instance)


def test_validate_reports_each_problem_as_file_line_message(instance, tmp_path):
    lane, lane_text = broken(
        tmp_path,
        "lane",
        '<bpmn:lane id="Lane_quality" name="quality">',
        '<bpmn:lane id="Lane_quality" name="marketing">',
    )
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n'
    doctype, _ = broken(tmp_path, "doctype", prolog, prolog + '<!DOCTYPE d [<!ENTITY x "boom">]>\n')
    malformed, malformed_text = broken(tmp_path, "malformed", "</bpmn:process>", "</bpmn:proces>")
    imports, imports_text = broken(
        tmp_path,
        "imports",
        "sales_revise['action'] == 'resubmit'",
        "__import__('os').system('id') == 0",
    )
    result = flask(
        "workflows",
        "validate",
        str(lane),
        str(doctype),
        str(malformed),
        str(imports),
        "workflows/order_review.bpmn",
        instance=instance,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output and "uid=" not in output
    lines = result.stdout.splitlines()
    task_line = line_of(lane_text, 'id="review_quality"')
    prefix = (
        f"{lane}:{task_line}: User task 'review_quality' is in the lane 'marketing', "
        "which is not a department; rename the lane to one of: "
    )
    assert any(line.startswith(prefix) and ", quality, sales, " in line for line in lines), lines
    assert (
        f"{doctype}:2: The BPMN file contains a DOCTYPE or ENTITY declaration; remove it "
        "(diagrams never need one)." in lines
    )
    bad_tag = line_of(malformed_text, "</bpmn:proces>")
    assert any(
        line.startswith(f"{malformed}:{bad_tag}: The BPMN file is not well-formed XML: ")
        and "Opening and ending tag mismatch" in line
        for line in lines
    ), lines
    condition = line_of(imports_text, "__import__")
    assert any(
        line.startswith(
            f"{imports}:{condition}: The condition of sequence flow 'flow_resubmit' was refused: "
        )
        and "__import__" in line
        for line in lines
    ), lines
    assert "workflows/order_review.bpmn: valid" in lines
    assert not any(f"{p}: valid" in lines for p in (lane, doctype, malformed, imports))
    assert_no_database(instance)


def test_validate_without_a_file_is_a_usage_error(instance):
    result = flask("workflows", "validate", instance=instance)
    assert result.returncode == 2
    assert "Missing argument 'FILES...'" in result.stderr
    assert "Traceback" not in result.stderr
    assert_no_database(instance)


def test_deploy_twice_creates_then_reports_unchanged(app, tmp_path, monkeypatch):
    workflows, forms = tmp_path / "workflows", tmp_path / "forms"
    workflows.mkdir()
    forms.mkdir()
    (workflows / "order_review.bpmn").write_text(
        ORDER_REVIEW.replace('name="Confirm order details"', 'name="Confirm the order (CLI)"'),
        encoding="utf-8",
    )
    intake = (ROOT / "forms" / "order_intake.json").read_text(encoding="utf-8")
    (forms / "order_intake.json").write_text(
        intake.replace('"Confirm the order with the customer"', '"Confirm the order (CLI)"', 1)
    )
    monkeypatch.setitem(app.config, "WORKFLOWS_DIR", workflows)
    monkeypatch.setitem(app.config, "FORMS_DIR", forms)
    before = processes.latest_version("order_review").number
    form_before = processes.latest_form("order_intake").number
    runner = app.test_cli_runner()

    first = runner.invoke(args=["workflows", "deploy"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        f"created   form order_intake v{form_before + 1}",
        f"created   process order_review v{before + 1}",
    ]
    second = runner.invoke(args=["workflows", "deploy"])
    assert second.exit_code == 0, second.output
    assert second.output.splitlines() == [
        f"unchanged form order_intake v{form_before + 1}",
        f"unchanged process order_review v{before + 1}",
    ]
    db.session.expire_all()
    assert processes.latest_version("order_review").number == before + 1
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["process.deploy", "form.deploy"]))
        )
        == 2
    )


def test_deploy_with_a_broken_file_exits_1_and_stores_nothing(app, tmp_path, monkeypatch):
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    (workflows / "order_review.bpmn").write_text(ORDER_REVIEW.replace("</bpmn:process>", ""))
    monkeypatch.setitem(app.config, "WORKFLOWS_DIR", workflows)
    count = db.session.scalar(db.select(db.func.count()).select_from(ProcessVersion))
    result = app.test_cli_runner().invoke(args=["workflows", "deploy"])
    assert result.exit_code == 1
    assert "order_review.bpmn:" in result.output and "not well-formed XML" in result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(ProcessVersion)) == count


def test_export_writes_the_newest_versions_to_the_folders(app, tmp_path, monkeypatch):
    newer = ORDER_REVIEW.replace('name="Confirm order details"', 'name="Confirm (exported)"')
    deployed = processes.deploy_process("order_review.bpmn", newer.encode(), None)
    assert deployed.created and not deployed.problems
    db.session.commit()
    workflows, forms = tmp_path / "workflows", tmp_path / "forms"
    workflows.mkdir()
    forms.mkdir()
    monkeypatch.setitem(app.config, "WORKFLOWS_DIR", workflows)
    monkeypatch.setitem(app.config, "FORMS_DIR", forms)
    result = app.test_cli_runner().invoke(args=["workflows", "export"])
    assert result.exit_code == 0, result.output
    assert f"wrote {workflows / 'order_review.bpmn'}" in result.output.splitlines()
    assert (workflows / "order_review.bpmn").read_text(encoding="utf-8") == newer
    names = set(db.session.scalars(db.select(FormVersion.name).distinct()))
    assert {p.stem for p in forms.glob("*.json")} == names >= {"order_intake", "pmc_dispatch"}
    for name in names:
        written = (forms / f"{name}.json").read_text(encoding="utf-8")
        assert written == processes.latest_form(name).content
        assert f"wrote {forms / (name + '.json')}" in result.output


def counts() -> dict[str, int]:
    """How many users, orders and customers exist."""
    return {
        model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (User, Order, Customer)
    }


def test_seed_demo_twice_adds_nothing_the_second_time(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    db.session.expire_all()
    seeded = counts()
    assert seeded["User"] >= 20 and seeded["Order"] >= 3 and seeded["Customer"] >= 3, seeded
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "0 user(s) added" in second.output
    db.session.expire_all()
    assert counts() == seeded


def test_seed_demo_has_orders_in_production_with_progress(app):
    from app.modules.fulfilment.models import ProgressReport
    from app.modules.fulfilment.services import process

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    statuses = db.session.scalars(db.select(Order.status)).all()
    assert statuses.count("in_production") == 2 and statuses.count("production_complete") == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgressReport)) == 7
    complete = db.session.scalar(db.select(Order).where(Order.status == "production_complete"))
    assert process.fulfilment_of(complete.id).status == "running"  # the warehouse receives it


def test_seed_demo_has_a_partly_shipped_a_delivered_and_a_closed_order(app):
    from app.modules.fulfilment.services import process
    from app.modules.shipping.models import Shipment

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    delivered = db.session.scalar(db.select(Order).where(Order.status == "delivered"))
    partly = db.session.scalar(db.select(Order).where(Order.status == "partly_shipped"))
    closed = db.session.scalar(db.select(Order).where(Order.status == "closed"))
    shipments = db.session.scalars(db.select(Shipment).order_by(Shipment.id)).all()
    assert [(s.order_id, s.is_received) for s in shipments] == [
        (delivered.id, True),
        (delivered.id, True),
        (partly.id, False),
        (closed.id, True),
    ]
    assert process.fulfilment_of(delivered.id).status == "completed"
    assert process.fulfilment_of(partly.id).status == "running"
    assert process.fulfilment_of(closed.id).status == "completed"


def test_seed_demo_costs_both_delivered_orders_and_closes_the_newest(app):
    from app.modules.closeout.models import Closeout, CostRate
    from app.modules.orders.models import ProductionLine

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "2 close-out(s) costed" in result.output
    assert "1 order(s) closed" in result.output
    lines = db.session.scalar(db.select(db.func.count()).select_from(ProductionLine))
    assert db.session.scalar(db.select(db.func.count()).select_from(CostRate)) == lines
    delivered = db.session.scalar(db.select(Order).where(Order.status == "delivered"))
    closeout = db.session.scalar(db.select(Closeout).where(Closeout.order_id == delivered.id))
    assert closeout.status == "costed" and closeout.actual_cost > 0
    closed = db.session.scalar(db.select(Order).where(Order.status == "closed"))
    assert closed.id > delivered.id
    done = db.session.scalar(db.select(Closeout).where(Closeout.order_id == closed.id))
    assert done.actual_cost > 0 and done.status == "closed"
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "0 order(s) closed" in again.output


def test_seed_demo_has_a_complaint_and_a_return_waiting_for_quality(app):
    from app.core.tasks.models import HumanTask
    from app.modules.returns.models import Complaint, ReturnRequest

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "1 order(s) with a demo complaint and return" in result.output
    delivered = db.session.scalar(db.select(Order).where(Order.status == "delivered"))
    assert delivered.has_returns
    found = db.session.scalar(
        db.select(ReturnRequest).where(ReturnRequest.order_id == delivered.id)
    )
    assert (found.status, found.requested_outcome) == ("open", "exchange")
    step = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == found.instance_id, HumanTask.state == "ready"
        )
    )
    assert step.spec_name == "return_inspection"
    complained = db.session.scalar(db.select(Complaint.order_id))
    assert complained == delivered.id
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "0 order(s) with a demo complaint and return" in again.output


def test_seed_demo_has_a_sent_quotation_and_one_waiting_for_approval(app):
    from app.modules.quotations.models import Quotation

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "2 demo quotation(s) added" in result.output
    found = db.session.scalars(db.select(Quotation).order_by(Quotation.id)).all()
    assert [(q.status, q.flagged) for q in found] == [("sent", False), ("in_approval", True)]
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "0 demo quotation(s) added" in again.output

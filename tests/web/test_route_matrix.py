"""Every route of the app x every role -> the outcome one table below says (issue 9).

A route missing from ROUTES fails the test: new routes fail until they are listed. Handlers run
on real rows (orders, tasks, a change and a rush request, processes, files); POST routes are
probed with harmless bodies (invalid input, a finished task, a missing id) so that allowed roles
reach the handler's own checks and refused ones get 403 — and no data changes either way.
Price-bearing pages must show a known order's price to price readers only, and no page shows a
price or a cost to any other role.
"""

import hashlib
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from app.core import clock
from app.core.clock import utcnow
from app.core.notifications.models import Notification
from app.core.processes import migrations
from app.core.processes.models import ProcessVersion
from app.core.processes.versions import DEMO_DEPARTMENTS
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.core.users.permissions import PRICE_DEPARTMENTS
from app.extensions import db
from app.modules.changes.services import changes
from app.modules.confirmations.services import confirmations
from app.modules.orders.models import Attachment, Product, ProductionLine
from app.modules.orders.services import attachments
from app.modules.orders.services import subject as order_subject
from app.modules.orders.services.order_input import LineInput, OrderInput
from app.modules.purchasing.models import (
    Component,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    StockBalance,
    Supplier,
)
from app.modules.quotations.services import quotations
from app.modules.returns.services import requests
from app.modules.rush.services import rush
from app.modules.shipping.services import shipping
from tests.answers import SPECS
from tests.conftest import REVIEW_STEPS, open_task
from tests.reliability import record
from tests.returns_helpers import deliver

pytestmark = pytest.mark.reliability

ANON = "anonymous"
DEPARTMENT_ROLES = tuple(f"{d}.{r}" for d in DEMO_DEPARTMENTS for r in ("member", "head"))
GENERAL_MANAGER = "management.head"  # the general manager heads the management department
ROLES = (ANON, *DEPARTMENT_ROLES, "owner", "admin")
STAFF = frozenset(ROLES) - {ANON}
EVERYONE = frozenset(ROLES)
PRICE_READERS = frozenset(
    {r for r in DEPARTMENT_ROLES if r.split(".")[0] in PRICE_DEPARTMENTS} | {"admin"}
)
OWNERS = frozenset({"owner", "admin"})
ADMIN = frozenset({"admin"})
NO_DEPARTMENT = frozenset({"owner", "admin"})
MEMBERS_OR_ADMIN = frozenset(DEPARTMENT_ROLES) | ADMIN


def dept(*keys: str, heads_only: bool = False) -> frozenset[str]:
    """The roles of these departments (only their heads with heads_only)."""
    kinds = ("head",) if heads_only else ("member", "head")
    return frozenset(f"{k}.{kind}" for k in keys for kind in kinds)


BOM_KEEPERS = dept("engineering", "purchasing") | ADMIN


# Known money of the world's orders and products: only price readers may ever see these.
PRICE = "7654.32"
NEW_PRICE = "8765.43"
COST = "4321.09"
MONEY = (PRICE, NEW_PRICE, COST)
MISSING = 999_999


@dataclass(frozen=True)
class Case:
    """One request and who gets what.

    `allowed` roles get `ok`; anonymous (unless allowed) is sent to the login page; any other
    role gets `denied`. `others` overrides single roles. `prices`: the page shows PRICE (or
    COST) to price readers. `missing`: the status an allowed role gets when every id in the URL
    is replaced by a missing one (GET routes with ids).
    """

    url: str
    allowed: frozenset[str] = STAFF
    ok: int = 200
    denied: int = 403
    data: dict | None = None
    others: dict[str, int] = field(default_factory=dict)
    prices: str | None = None
    prices_for: frozenset[str] = PRICE_READERS  # who must see `prices` (all may not see it)
    missing: int | None = None
    last: bool = False  # logout: run after everything else of the role
    # Probe only these roles when the answer cannot depend on the role and one request is
    # costly (a password hash, a PDF): anonymous and one staff role stand for all.
    roles: frozenset[str] | None = None

    def expected(self, role: str) -> int:
        """The status this role must get."""
        if role in self.others:
            return self.others[role]
        if role in self.allowed:
            return self.ok
        return 302 if role == ANON else self.denied


# "METHOD endpoint" -> the cases of that route. Placeholders come from World.ids.
ROUTES: dict[str, tuple[Case, ...]] = {
    "GET static": (Case("/static/app.css", EVERYONE),),
    "GET auth.root": (Case("/", EVERYONE, ok=302),),
    "GET auth.login": (Case("/login", EVERYONE, ok=302, others={ANON: 200}),),
    "POST auth.login": (
        Case("/login", EVERYONE, ok=302, data={"username": "", "password": ""}, others={ANON: 401}),
    ),
    "POST auth.logout": (Case("/logout", STAFF, ok=302, last=True),),
    "POST auth.language": (Case("/language", EVERYONE, ok=302, data={"lang": "en"}),),
    "GET account.password": (Case("/account/password"),),
    "POST account.password": (
        Case("/account/password", ok=400, data={}, roles=frozenset({ANON, "quality.member"})),
    ),
    "GET account.session_list": (Case("/account/sessions"),),
    "POST account.sign_out_others": (Case("/account/sessions/others", ok=302, data={}),),
    "POST account.sign_out_one": (Case(f"/account/sessions/{MISSING}/end", ok=404, data={}),),
    # Administration
    "POST admin.user_unlock": (Case(f"/admin/users/{MISSING}/unlock", ADMIN, ok=404, data={}),),
    "GET admin.user_list": (Case("/admin/users", ADMIN),),
    "GET admin.user_new": (Case("/admin/users/new", ADMIN),),
    "POST admin.user_new": (Case("/admin/users/new", ADMIN, ok=400, data={}),),
    "GET admin.user_edit": (Case("/admin/users/{user}", ADMIN, missing=404),),
    "POST admin.user_edit": (Case("/admin/users/{user}", ADMIN, ok=400, data={}),),
    "POST admin.user_active": (Case(f"/admin/users/{MISSING}/active", ADMIN, ok=404, data={}),),
    "POST admin.user_reset": (Case(f"/admin/users/{MISSING}/reset-password", ADMIN, ok=404),),
    "GET admin.departments": (Case("/admin/departments", ADMIN),),
    "POST admin.departments": (Case("/admin/departments", ADMIN, ok=400, data={}),),
    "GET admin.instance_errors": (Case("/admin/instances", ADMIN),),
    "GET audit.index": (Case("/admin/audit", ADMIN),),
    "GET audit.export": (Case("/admin/audit/export.csv", ADMIN),),
    "POST admin.instance_retry": (Case("/admin/instances/{instance}/retry", ADMIN, ok=409),),
    "POST admin.instance_cancel": (
        Case("/admin/instances/{instance}/cancel", ADMIN, ok=302, data={}),
    ),
    # Inbox, tasks, notifications
    "GET inbox.index": (Case("/inbox"),),
    # Nothing selected / an empty name: refused with a message, back to the inbox.
    "POST inbox.bulk_action": (Case("/inbox/bulk", ok=302, data={"action": "approve"}),),
    "POST inbox.save_view": (Case("/inbox/views", ok=302, data={"name": ""}),),
    "POST inbox.rename_view": (Case(f"/inbox/views/{MISSING}/rename", ok=404, data={"name": "x"}),),
    "POST inbox.delete_view": (Case(f"/inbox/views/{MISSING}/delete", ok=302, data={}),),
    "GET tasks.detail": (Case("/tasks/{task}", prices=PRICE, missing=404),),
    "POST tasks.claim": (Case("/tasks/{done_task}/claim", dept("engineering"), ok=409),),
    "POST tasks.unclaim": (Case("/tasks/{done_task}/unclaim", dept("engineering"), ok=409),),
    "POST tasks.assign": (
        Case(
            "/tasks/{done_task}/assign",
            dept("engineering", heads_only=True),
            ok=409,
            data={"assignee_id": "{user}"},
        ),
    ),
    "POST tasks.complete": (Case("/tasks/{done_task}/complete", dept("engineering"), ok=409),),
    # Approval actions (docs/TASK_ACTIONS.md) on a finished task: who may gets the task's state
    "POST task_actions.transfer": (
        Case("/tasks/{done_task}/transfer", dept("engineering", heads_only=True), ok=409, data={}),
    ),
    "POST task_actions.delegate": (Case("/tasks/{done_task}/delegate", frozenset(), data={}),),
    "POST task_actions.recall": (Case("/tasks/{done_task}/delegate/recall", ok=409, data={}),),
    "POST task_actions.add_cosigner": (Case("/tasks/{done_task}/cosign", frozenset(), data={}),),
    "POST task_actions.cancel_cosigner": (
        Case(f"/tasks/{{done_task}}/cosign/{MISSING}/cancel", ok=404, data={}),
    ),
    "POST task_actions.answer": (Case("/tasks/{done_task}/answer", ok=404, data={}),),
    "POST task_actions.copy": (
        Case("/tasks/{done_task}/copy", dept("engineering"), ok=302, data={}),
    ),
    "GET task_actions.shared": (Case("/tasks/shared"),),
    "GET away.index": (Case("/account/away"),),
    "POST away.index": (Case("/account/away", ok=400, data={}),),
    "POST away.delete": (Case(f"/account/away/{MISSING}/delete", ok=404, data={}),),
    # Send back (退回): the holder or the head; a finished task is a conflict (nothing changes).
    "POST task_sendback.send_back": (
        Case(
            "/tasks/{done_task}/send-back",
            dept("engineering", heads_only=True),
            ok=409,
            data={"target_id": "{task}", "reason": "x"},
        ),
    ),
    # Withdraw (撤回): the order's own lifecycle carries no request, so nobody may withdraw it.
    "POST task_sendback.withdraw": (
        Case("/tasks/{done_task}/withdraw", frozenset(), data={"reason": ""}),
    ),
    # Comments: the departments the order's process involves (and admins); an empty comment is
    # refused (back to the task page with the message) so nothing is stored. A missing file is a
    # 404 for anyone signed in.
    "POST comments.add": (
        Case(
            "/tasks/{done_task}/comments",
            dept("sales", "pmc", "engineering", "production", "quality", "warehouse") | ADMIN,
            ok=302,
            data={"body": ""},
        ),
    ),
    "GET comments.file": (Case(f"/comments/files/{MISSING}", ok=404),),
    "GET notifications.index": (Case("/notifications"),),
    "POST notifications.read_all": (Case("/notifications/read", ok=302),),
    "POST notifications.read_one": (Case(f"/notifications/{MISSING}/read", ok=404, data={}),),
    # The bell refreshes itself: signed out, it answers "no content" rather than the login page.
    "GET notifications.bell": (Case("/notifications/bell", EVERYONE, others={ANON: 204}),),
    "GET notifications.settings": (Case("/notifications/settings"),),
    "POST notifications.settings": (
        Case("/notifications/settings", ok=400, data={"email": "not an address"}),
    ),
    # Orders
    "GET orders.index": (Case("/orders"),),
    "GET orders.customer_suggestions": (Case("/orders/customer-suggestions?customer=a"),),
    "GET orders.new": (Case("/orders/new", dept("sales")),),
    "POST orders.new": (Case("/orders/new", dept("sales"), ok=400, data={}),),
    "GET orders.detail": (Case("/orders/{order}", prices=PRICE, missing=404),),
    "GET orders.edit": (Case("/orders/{order}/edit", dept("sales"), missing=404),),
    "POST orders.edit": (Case("/orders/{order}/edit", dept("sales"), ok=409, data={}),),
    "GET orders.diagram": (Case("/orders/{order}/diagram.bpmn", missing=404),),
    "POST orders.upload": (Case("/orders/{order}/files", dept("sales"), ok=302, data={}),),
    "GET orders.file": (
        Case("/orders/{order}/files/{drawing}", missing=404),
        Case("/orders/{waiting}/files/{scan}", PRICE_READERS),
    ),
    # Customer confirmation
    "GET confirmations.staff_pdf": (
        Case("/orders/{order}/confirmation.pdf", PRICE_READERS, missing=404),
    ),
    "POST confirmations.make_link": (
        Case("/orders/{order}/confirmation/link", dept("sales"), ok=409),
    ),
    "POST confirmations.upload_scan": (
        Case("/orders/{order}/confirmation/scan", dept("sales"), ok=409, data={}),
    ),
    "GET confirmations.public": (Case("/confirm/{token}", EVERYONE),),
    "POST confirmations.public": (Case("/confirm/{token}", EVERYONE, ok=400, data={}),),
    "GET confirmations.public_pdf": (
        Case("/confirm/{token}/sheet.pdf", EVERYONE, roles=frozenset({ANON, "quality.member"})),
    ),
    # Change requests and approvals
    "GET changes.new": (Case("/orders/{order}/changes/new", missing=404),),
    "POST changes.new": (
        Case("/orders/{order}/changes/new", STAFF - NO_DEPARTMENT, ok=409, data={}),
    ),
    "GET changes.detail": (Case("/changes/{change}", prices=PRICE, missing=404),),
    # The change waits for the sales head: the one approval page that shows its price diff.
    "GET changes.approvals": (
        Case("/approvals", prices=PRICE, prices_for=dept("sales", heads_only=True)),
    ),
    # Catalogue
    "GET catalogue.customers": (Case("/catalogue/customers"),),
    "POST catalogue.customers": (
        Case("/catalogue/customers", dept("sales") | ADMIN, ok=400, data={}),
    ),
    "GET catalogue.products": (Case("/catalogue/products", prices=COST),),
    "POST catalogue.products": (
        Case("/catalogue/products", dept("engineering", "production") | ADMIN, ok=400, data={}),
    ),
    "GET catalogue.product": (Case("/catalogue/products/{product}", prices=COST, missing=404),),
    "POST catalogue.product": (
        Case(
            "/catalogue/products/{product}",
            dept("engineering", "production") | ADMIN,
            ok=400,
            data={},
        ),
    ),
    "POST catalogue.add_line": (
        Case("/catalogue/lines", dept("engineering", "production") | ADMIN, ok=303, data={}),
    ),
    "POST catalogue.line_capacity": (
        Case(
            "/catalogue/lines/{line}/capacity",
            dept("engineering", "production") | ADMIN,
            ok=303,
            data={},
        ),
    ),
    # Production plan and rush requests
    "GET schedule.index": (Case("/schedule"),),
    "POST schedule.index": (Case("/schedule", dept("pmc") | ADMIN, ok=409, data={}),),
    "POST schedule.calendar_set": (
        Case("/schedule/calendar", dept("pmc") | ADMIN, ok=400, data={}),
    ),
    # Invalid input (no date, no reason) or nothing to remove: a message, back to the order.
    "POST schedule.material_set": (
        Case("/orders/{order}/materials", dept("pmc") | ADMIN, ok=303, data={}),
    ),
    "POST schedule.material_clear": (
        Case("/orders/{order}/materials/clear", dept("pmc") | ADMIN, ok=303, data={}),
    ),
    "POST schedule.calendar_clear": (
        Case("/schedule/calendar/2027-01-04/clear", dept("pmc") | ADMIN, ok=302),
    ),
    "GET closeout.index": (Case("/closeout/", PRICE_READERS),),
    "GET closeout.rates_page": (Case("/closeout/rates", PRICE_READERS),),
    "POST closeout.rates_page": (
        Case("/closeout/rates", dept("finance") | ADMIN, ok=400, data={}),
    ),
    "GET closeout.product_costs": (Case("/products/{product}/costs", PRICE_READERS, missing=404),),
    "GET rush.index": (Case("/rush"),),
    # Quotations: prices, so price readers only; sales writes them
    "GET quotations.index": (Case("/quotations/", PRICE_READERS),),
    "GET quotations.new": (Case("/quotations/new", dept("sales")),),
    "POST quotations.new": (Case("/quotations/new", dept("sales"), ok=400, data={}),),
    "GET quotations.detail": (
        Case("/quotations/{quotation}", PRICE_READERS, prices=PRICE, missing=404),
    ),
    "GET quotations.edit": (Case("/quotations/{quotation}/edit", dept("sales"), missing=404),),
    "POST quotations.edit": (Case("/quotations/{quotation}/edit", dept("sales"), ok=400, data={}),),
    "POST quotations.figures": (Case("/quotations/figures", dept("sales"), data={}),),
    "POST quotations.submit_for_approval": (
        Case("/quotations/{quotation}/submit", dept("sales"), ok=409, data={}),
    ),
    "POST quotations.send": (Case(f"/quotations/{MISSING}/send", ok=404, data={}),),
    "GET quotations.pdf": (Case("/quotations/{quotation}/pdf", PRICE_READERS, missing=404),),
    "POST quotations.accept": (
        Case("/quotations/{quotation}/accept", dept("sales"), ok=409, data={}),
    ),
    "GET quotations.signed": (
        Case("/quotations/{quotation}/signed", PRICE_READERS, ok=404, missing=404),
    ),
    "POST quotations.make_order": (
        Case("/quotations/{quotation}/order", dept("sales"), ok=409, data={}),
    ),
    # Shipments and the customer's receipt
    "GET shipping.new": (Case("/orders/{order}/shipments/new", missing=404),),
    "POST shipping.new": (
        Case("/orders/{order}/shipments/new", dept("warehouse"), ok=400, data={}),
    ),
    "GET shipping.detail": (Case("/shipments/{shipment}", missing=404),),
    "POST shipping.receipt": (
        Case("/shipments/{shipment}/receipt", dept("warehouse", "sales"), ok=400, data={}),
    ),
    "GET shipping.note_pdf": (
        Case(
            "/shipments/{shipment}/delivery-note.pdf",
            missing=404,
            roles=frozenset({ANON, "quality.member"}),
        ),
    ),
    "GET rush.detail": (Case("/rush/{rush}", missing=404),),
    "GET rush.new": (Case("/rush/new?order_id={order}"),),
    "POST rush.new": (
        Case("/rush/new", dept("sales", "pmc"), ok=400, data={"order_id": "{order}"}),
    ),
    # Production progress and late orders (fulfilment)
    "GET fulfilment.progress": (Case("/orders/{order}/progress", missing=404),),
    "POST fulfilment.progress": (
        Case("/orders/{order}/progress", dept("production", "pmc"), ok=400, data={}),
    ),
    "POST fulfilment.correct": (Case(f"/progress/reports/{MISSING}/correct", ok=404, data={}),),
    "GET fulfilment.late": (Case("/late-orders", dept("pmc", "management") | ADMIN),),
    "GET fulfilment.product_steps": (Case("/progress/steps"),),
    "POST fulfilment.product_steps": (Case("/progress/steps", ok=404, data={}),),
    # Returns and complaints (a delivered order's)
    "GET returns.index": (Case("/returns", frozenset(DEPARTMENT_ROLES)),),
    "GET returns.detail": (Case("/returns/{return}", missing=404),),
    "GET returns.new": (Case("/returns/orders/{delivered}/new", dept("sales"), missing=404),),
    "POST returns.new": (Case("/returns/orders/{delivered}/new", dept("sales"), ok=400, data={}),),
    "GET returns.complaint": (
        Case("/returns/orders/{delivered}/complaint", dept("sales"), missing=404),
    ),
    "POST returns.complaint": (
        Case("/returns/orders/{delivered}/complaint", dept("sales"), ok=400, data={}),
    ),
    # Purchasing: components, BOMs, stock (docs/PURCHASING.md)
    "GET purchasing.component_list": (Case("/purchasing/components", MEMBERS_OR_ADMIN),),
    "POST purchasing.component_list": (
        Case("/purchasing/components", BOM_KEEPERS, ok=400, data={}),
    ),
    "GET purchasing.component_edit": (
        Case("/purchasing/components/{component}", MEMBERS_OR_ADMIN, missing=404),
    ),
    "POST purchasing.component_edit": (
        Case("/purchasing/components/{component}", BOM_KEEPERS, ok=400, data={}),
    ),
    "GET purchasing.product_bom": (
        Case("/purchasing/products/{product}/bom", BOM_KEEPERS, missing=404),
    ),
    "POST purchasing.product_bom": (
        Case("/purchasing/products/{product}/bom", BOM_KEEPERS, ok=400, data={}),
    ),
    "GET purchasing.item_bom": (Case("/purchasing/items/{item}/bom", BOM_KEEPERS, missing=404),),
    # Nothing typed: "nothing was changed" (the waiting order is not released yet).
    "POST purchasing.item_bom": (
        Case("/purchasing/items/{item}/bom", BOM_KEEPERS, ok=400, data={}),
    ),
    "GET purchasing.stock_index": (Case("/purchasing/stock", MEMBERS_OR_ADMIN),),
    "GET purchasing.stock_ledger": (
        Case("/purchasing/stock/{component}", MEMBERS_OR_ADMIN, missing=404),
    ),
    "POST purchasing.stock_ledger": (
        Case("/purchasing/stock/{component}", dept("warehouse"), ok=400, data={}),
    ),
    "GET purchasing.supplier_list": (Case("/purchasing/suppliers", MEMBERS_OR_ADMIN),),
    "POST purchasing.supplier_list": (
        Case("/purchasing/suppliers", dept("purchasing"), ok=400, data={}),
    ),
    "GET purchasing.supplier_edit": (
        Case("/purchasing/suppliers/{supplier}", MEMBERS_OR_ADMIN, missing=404),
    ),
    "POST purchasing.supplier_edit": (
        Case("/purchasing/suppliers/{supplier}", dept("purchasing"), ok=400, data={}),
    ),
    "GET purchasing.request_list": (Case("/purchasing/requests", MEMBERS_OR_ADMIN),),
    "POST purchasing.request_list": (
        Case("/purchasing/requests", dept("purchasing"), ok=400, data={}),
    ),
    "POST purchasing.request_cancel": (
        Case("/purchasing/requests/cancel", dept("purchasing"), ok=400, data={}),
    ),
    "GET purchasing.po_list": (Case("/purchasing/orders", MEMBERS_OR_ADMIN),),
    "GET purchasing.po_detail": (Case("/purchasing/orders/{po}", MEMBERS_OR_ADMIN, missing=404),),
    "POST purchasing.receive": (
        Case("/purchasing/orders/{po}/lines/{po_line}/receive", dept("warehouse"), ok=400, data={}),
    ),
    "POST purchasing.expected": (
        Case(
            "/purchasing/orders/{po}/lines/{po_line}/expected", dept("purchasing"), ok=400, data={}
        ),
    ),
    "POST purchasing.inspect": (
        Case("/purchasing/receipts/{receipt}/inspect", dept("quality"), ok=400, data={}),
    ),
    # Nothing is reserved for the order: the warehouse is told so on the order page.
    "POST purchasing.issue": (
        Case("/purchasing/sales-orders/{order}/issue", dept("warehouse"), ok=302, data={}),
    ),
    # Process owners: processes, forms, migrations
    "GET processes.index": (Case("/processes", OWNERS),),
    "GET processes.detail": (Case("/processes/{process}", OWNERS),),
    "GET processes.edit": (Case("/processes/{process}/edit", OWNERS),),
    "GET processes.modeler_xml": (Case("/processes/{process}/modeler.bpmn", OWNERS),),
    "GET processes.new": (Case("/processes/new", OWNERS),),
    "POST processes.create_from_file": (Case("/processes/new", OWNERS, ok=302, data={}),),
    "POST processes.open_file": (Case("/processes/{process}/import", OWNERS, ok=302, data={}),),
    "GET processes.report": (Case("/processes/{process}/report", OWNERS, missing=404),),
    "POST processes.answer": (Case("/processes/{process}/answer", OWNERS, ok=302, data={}),),
    "POST processes.save_draft": (Case("/processes/{process}/draft", OWNERS, ok=400, data={}),),
    "POST processes.publish": (Case("/processes/{process}/publish", OWNERS, ok=400, data={}),),
    "POST processes.start_instance": (
        Case("/processes/{process}/instances", OWNERS, ok=400, data={"form_token": "bad token!"}),
    ),
    "GET processes.instance": (Case("/processes/instances/{instance}", OWNERS, missing=404),),
    "POST processes.discard_draft": (Case("/processes/{process}/draft/discard", OWNERS, ok=302),),
    "POST processes.convert": (Case("/processes/convert", OWNERS, ok=400, data={}),),
    "GET processes.version_view": (Case("/processes/{process}/versions/1", OWNERS, missing=404),),
    "GET processes.version_xml": (
        Case("/processes/{process}/versions/1.bpmn", OWNERS, missing=404),
    ),
    "GET processes.diff": (Case("/processes/{process}/diff?a=1&b=1", OWNERS),),
    "POST processes.migrate": (
        Case("/processes/{process}/migrations", OWNERS, ok=404, data={"to_version_id": "0"}),
    ),
    "GET processes.batch": (Case("/processes/{process}/migrations/{batch}", OWNERS, missing=404),),
    "POST processes.revert": (Case(f"/processes/migrations/{MISSING}/revert", OWNERS, ok=404),),
    "GET forms_admin.index": (Case("/forms", OWNERS),),
    "GET forms_admin.new": (Case("/forms/new?name=new_form", OWNERS, ok=302),),
    "GET forms_admin.edit": (Case("/forms/{form}", OWNERS),),
    "POST forms_admin.edit": (Case("/forms/{form}", OWNERS, ok=400, data={}),),
}
# Tables a refused or probing request may write: the audit trail records refusals by design.
# The audit trail, and the sessions and log-in counters the probes' own log-ins write.
# plan_snapshot: the computed plan a page view stores for every process (a cache, not data).
NOT_DATA = frozenset({"audit_event", "user_session", "login_throttle", "plan_snapshot"})


def _walk_to_customer(make_order, complete):
    """An order of one priced non-standard line, through review to the customer's answer."""
    line = LineInput(description="Priced bracket", quantity="3", unit_price=PRICE, specs=SPECS)
    order = make_order(lines=[line], requested_date="2027-03-01", promised_date="2027-03-05")
    for step in ("confirm_order", "pmc_dispatch", *REVIEW_STEPS, "pmc_consolidate"):
        complete(order, step)
    db.session.refresh(order)
    assert order.status == "awaiting_customer"
    return order


def _release(order, sales, complete) -> None:
    complete(order, "send_confirmation", {"sent_via": "link"})
    token = confirmations.issue_link(order, sales)
    confirmations.confirm_with_link(token, "Ann Smith", True, "198.51.100.4", "test")
    db.session.commit()
    attendees = ["sales", "pmc", "engineering", "quality"]
    meeting = {"meeting_date": "2027-01-05", "decisions": "Go", "attendees": attendees}
    complete(order, "review_meeting", meeting)
    db.session.refresh(order)
    assert order.status == "released"


def _shipment(order, keeper):
    """A shipment of half of what production made on the released order's first line."""
    line = order.lines[0]
    line.quantity_done = line.quantity
    half = str(line.quantity / 2)
    today = clock.today().isoformat()
    found = shipping.record_shipment(keeper, order.id, {line.id: half}, "SF", "", today, "")
    db.session.commit()
    return found


def _raise_price_change(order, sales, complete):
    """A change of the line's price, reviewed, waiting for the sales head's approval."""
    line = order.lines[0]
    data = OrderInput(
        customer_id=str(order.customer_id),
        order_type=order.order_type,
        requested_date="2027-03-01",
        promised_date="2027-03-05",
        lines=[
            LineInput(description=line.description, quantity="4", unit_price=NEW_PRICE, specs=SPECS)
        ],
    )
    change = changes.raise_change(sales, order.id, data, "customer_request", "New price", "")
    db.session.commit()
    reviews = db.session.scalars(
        db.select(HumanTask.spec_name).where(
            HumanTask.instance_id == change.instance_id,
            HumanTask.state == "ready",
            HumanTask.spec_name.like("change_review_%"),
        )
    ).all()
    for step in reviews:
        complete(order, step, {"opinion": "approve", "delivery_impact_days": "0"})
    return change


def _rush(order, sales):
    required = (date.today() + timedelta(days=20)).isoformat()
    seen = rush.preview_request(sales, order.id, required, "")
    found = rush.request_rush(sales, order.id, required, "", "VIP", "", seen.preview_key)
    db.session.commit()
    return found


def _return(make_order, sales, warehouse):
    """A delivered order (made, shipped and signed for) and a return of one piece."""
    line = LineInput(description="Returned bracket", quantity="3", unit_price=PRICE, specs=SPECS)
    order = make_order(lines=[line])
    deliver(order, warehouse)
    found = requests.request_return(
        sales, order.id, {order.lines[0].id: "1"}, "defective", "Cracked", "refund"
    )
    db.session.commit()
    return order, found


def _purchase_order(component, buyer):
    """An approved purchase order of one line with a receipt waiting for inspection."""
    supplier = Supplier(code="S-MATRIX", name="Matrix supplies")
    po = PurchaseOrder(
        number="PO-MATRIX-1", supplier=supplier, status="partly_received", total=Decimal("12.00"),
        created_by_id=buyer.id,
    )  # fmt: skip
    line = PurchaseOrderLine(
        component=component, quantity=Decimal(4), unit_price=Decimal(3),
        expected_date=date.today() + timedelta(days=9), received=Decimal(0),
        rejected=Decimal(0), pending=Decimal(1),
    )  # fmt: skip
    po.lines.append(line)
    receipt = Receipt(po_line=line, quantity=Decimal(1), status="pending_inspection")
    db.session.add_all([po, receipt])
    db.session.flush()
    return po, line, receipt


def _file(order, sales, name: str, kind: str) -> Attachment:
    upload = attachments.Upload(name, "application/pdf", b"%PDF-1.4 route matrix")
    stored = attachments.store(order, upload, sales, kind=kind)
    db.session.commit()
    return stored


def _quotation(customer_id: int, product: Product, sales):
    """A draft quotation of one product at PRICE (its cost basis is the product's COST)."""
    valid = (clock.today() + timedelta(days=30)).isoformat()
    lines = [LineInput(product_id=str(product.id), quantity="1", unit_price=PRICE)]
    data = quotations.QuotationInput(str(customer_id), "CNY", "30 days net", valid, "", lines)
    return quotations.create_quotation(sales, data)


def build_world(make_user, make_order, complete) -> tuple[dict[str, str], dict]:
    """The users of every role and the rows every route works on; returns (ids, users)."""
    users = {
        role: make_user(role.split(".")[0], role=role.split(".")[1], username=role)
        for role in DEPARTMENT_ROLES
    }
    users["owner"] = make_user(None, username="owner", is_process_owner=True)
    users["admin"] = make_user(None, username="admin", is_admin=True)
    sales = users["sales.member"]
    waiting = _walk_to_customer(make_order, complete)
    token = confirmations.issue_link(waiting, sales)
    db.session.commit()
    released = _walk_to_customer(make_order, complete)
    _release(released, sales, complete)
    change = _raise_price_change(released, sales, complete)
    found = _rush(released, sales)
    shipment = _shipment(released, users["warehouse.member"])
    delivered, returned = _return(make_order, sales, users["warehouse.member"])
    latest = db.session.scalar(
        db.select(ProcessVersion.id)
        .where(ProcessVersion.process_id == "order_lifecycle")
        .order_by(ProcessVersion.number.desc())
    )
    batch = migrations.dry_run(users["owner"], "order_lifecycle", latest)
    product = Product(code="P-COST", name="Costed part", unit="pcs", standard_cost=COST)
    db.session.add(product)
    component = Component(code="C-STEEL", name="Steel sheet", unit="kg")
    db.session.add(component)
    db.session.flush()
    db.session.add(StockBalance(component_id=component.id))
    po, po_line, receipt = _purchase_order(component, users["purchasing.member"])
    db.session.flush()
    quote = _quotation(released.customer_id, product, sales)
    # Everyone's release notifications are read already, so "mark all read" changes nothing.
    db.session.execute(db.update(Notification).values(read_at=utcnow()))
    # Everyone chose English already, so the language switch (kept on the user) changes nothing.
    db.session.execute(db.update(User).values(locale="en"))
    db.session.commit()
    ids = {
        "order": released.id,
        "waiting": waiting.id,
        "token": token,
        "task": open_task(released, "standardise_item").id,
        "done_task": db.session.scalar(
            db.select(HumanTask.id).where(
                order_subject.about_order(HumanTask, released.id),
                HumanTask.spec_name == "review_engineering",
            )
        ),
        "change": change.id,
        "rush": found.id,
        "shipment": shipment.id,
        "delivered": delivered.id,
        "return": returned.id,
        "batch": batch.id,
        "instance": released.instances[0].id,
        "drawing": _file(released, sales, "drawing.pdf", "document").id,
        "scan": _file(waiting, sales, "signed.pdf", "signed_confirmation").id,
        "line": db.session.scalar(db.select(ProductionLine.id).where(ProductionLine.code == "L1")),
        "product": product.id,
        "component": component.id,
        "quotation": quote.id,
        "item": waiting.lines[0].id,
        "supplier": po.supplier_id,
        "po": po.id,
        "po_line": po_line.id,
        "receipt": receipt.id,
        "user": users["engineering.member"].id,
        "process": "order_lifecycle",
        "form": "order_intake",
    }
    return {k: str(v) for k, v in ids.items()}, users


def fingerprint() -> str:
    """A hash of every row of every table except NOT_DATA: equal means no data changed."""
    db.session.rollback()  # read what requests committed
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in NOT_DATA:
            continue
        rows = db.session.execute(table.select().order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


def _fill(text: str, ids: dict[str, str]) -> str:
    return text.format(**ids)


def _request(client, method: str, case: Case, ids: dict[str, str]):
    url = _fill(case.url, ids)
    if method == "GET":
        return client.get(url)
    data = MultiDict({k: _fill(v, ids) for k, v in (case.data or {}).items()})
    return client.post(url, data=data)


def _sweep(client, role: str, ids: dict[str, str], failures: list, money_seen: dict) -> int:
    """Every case as one role; returns how many requests were checked."""
    checked = 0
    ordered = sorted(ROUTES.items(), key=lambda item: any(c.last for c in item[1]))
    before = fingerprint()
    for key, cases in ordered:
        method = key.split(" ")[0]
        for case in cases:
            if case.roles is not None and role not in case.roles:
                continue
            if case.last and fingerprint() != before:
                failures.append((role, "a probe changed data"))
            response = _request(client, method, case, ids)
            checked += 1
            want = case.expected(role)
            if response.status_code != want:
                failures.append((key, case.url, role, want, response.status_code))
                response.close()
                continue
            if want == 302 and role == ANON and role not in case.allowed:
                assert "/login" in response.headers["Location"], (key, role)
            _check_money(key, case, role, response, failures, money_seen)
            response.close()
    return checked


def _check_money(key, case, role, response, failures, money_seen) -> None:
    if response.status_code != 200 or not response.mimetype.startswith("text/"):
        return
    page = response.get_data(as_text=True)
    shown = [m for m in MONEY if m in page]
    if role in PRICE_READERS or case.url.startswith("/confirm/"):
        if case.prices and role in case.prices_for and case.prices not in page:
            failures.append((key, case.url, role, f"shows {case.prices}", "missing"))
        money_seen[key] = money_seen.get(key, 0) + bool(shown)
    elif shown:
        failures.append((key, case.url, role, "no price", f"shows {shown}"))


def _missing_ids(client, ids: dict[str, str], failures: list) -> int:
    """GET routes with ids, as an allowed role (admin if allowed), with every id missing."""
    gone = {k: str(MISSING) for k in ids}
    checked = 0
    for key, cases in ROUTES.items():
        for case in cases:
            if case.missing is None:
                continue
            response = _request(client, key.split(" ")[0], case, gone)
            checked += 1
            response.close()
            if response.status_code != case.missing:
                failures.append((key, case.url, "missing ids", case.missing, response.status_code))
    return checked


def test_every_route_is_in_the_table(app):
    """New routes fail until listed; listed routes that no longer exist fail too."""
    served = {
        f"{method} {rule.endpoint}"
        for rule in app.url_map.iter_rules()
        for method in ("GET", "POST")
        if method in rule.methods
    }
    assert served - ROUTES.keys() == set(), "routes missing from ROUTES"
    assert ROUTES.keys() - served == set(), "ROUTES lists routes the app no longer has"


def test_route_matrix(app, client, login, make_user, make_order, complete):
    """Every route x every role gets the status of the table; prices only for price readers."""
    started = time.perf_counter()
    ids, users = build_world(make_user, make_order, complete)
    built = time.perf_counter()
    failures: list = []
    money_seen: dict = {}
    checked = 0
    for role in ROLES:
        if role == ANON:
            client.post("/logout")
        else:
            login(users[role])
        checked += _sweep(client, role, ids, failures, money_seen)
    login(users["admin"])
    checked += _missing_ids(client, ids, failures)
    record(
        "route_matrix",
        "routes x roles",
        routes=len(ROUTES),
        cases=sum(len(c) for c in ROUTES.values()),
        roles=len(ROLES),
        requests=checked,
        failures=len(failures),
        build_seconds=round(built - started, 1),
        sweep_seconds=round(time.perf_counter() - built, 1),
    )
    assert failures == [], "\n".join(map(str, failures))
    priced = [k for k, cases in ROUTES.items() if any(c.prices for c in cases)]
    assert all(money_seen.get(k) for k in priced), money_seen

"""Who may: every rule about what a user may do or read, in one place.

The core knows users and departments only; a rule about a domain's record takes the ids it
needs (e.g. the owner's user id), never the record, so this module imports no domain. Services
enforce these rules (a view may ask them too, to hide a button or refuse a page early).

The rules (department keys are what BPMN lanes name):
- membership: `in_department(user, *keys)`: the user's department is one of the keys;
  `has_department(user)`: the user belongs to any department.
- head: `is_head(user)`: role "head" in a department; `heads(user, department_id)`: the head of
  that department (assigns and gives back its tasks, approves its head-only steps).
- manager: `is_manager(user)`: a member of management (its head is the general manager).
- owner: `is_owner(user, owner_id)`: the user is the one who owns a record (by id).
- admin: `is_admin(user)`.
- the audit trail: `may_read_audit(user)`: admins only (its page and CSV export).
- process owners: `may_model(user)` (processes and forms) and `may_migrate(user)` (instances
  between versions): process owners and admins.
- sales enters, revises and attaches files to orders and sends the confirmation:
  `may_handle_orders(user)` (sales members and heads, not admins).
- a change request: `may_raise_change(user)`: any member of a department.
- a rush request: `may_raise_rush(user)`: sales or PMC (`RUSH_RAISERS`).
- the production plan and the factory calendar: `may_plan(user)`: PMC (`PLANNERS`) or admin.
- production progress (docs/FULFILMENT.md): `may_report_progress(user)`: production or PMC
  (`PROGRESS_REPORTERS`); a report is corrected by the head of its reporter's department
  (`may_correct_report(user, reporter_department_id)`).
- shipments (docs/SHIPPING.md): `may_ship(user)`: the warehouse (`SHIPPERS`) records them;
  `may_record_receipt(user)`: the warehouse or sales (`RECEIPT_RECORDERS`) records the
  customer's signed delivery note.
- customers: `may_edit_customers(user)`: sales or admin; products and production lines:
  `may_edit_products(user)`: engineering, production or admin.
- purchasing (docs/PURCHASING.md): components and bills of materials: `may_edit_boms(user)`:
  engineering or purchasing (`BOM_KEEPERS`) or admin; the stock ledger (receipts, issues,
  adjustments): `may_move_stock(user)`: the warehouse (`STOCK_KEEPERS`); suppliers, purchase
  requests and orders: `may_purchase(user)`: purchasing (`BUYERS`); incoming inspection:
  `may_inspect_material(user)`: quality (`INSPECTORS`); purchase prices and stock values:
  `may_see_purchase_prices(user)`: price readers and purchasing.
- money: `can_see_prices(user)`: sales, PMC, finance, management (`PRICE_DEPARTMENTS`) or admin.
  Prices, amounts, margins and costs are commercial data; every other department (engineering,
  production, quality, warehouse, purchasing, …) works from quantities, specifications, dates and
  drawings. Services that assemble a page ask this module (never a template on its own);
  docs/ACCESS.md lists every place.
- tasks (`may_act_on_task`, used by app/core/tasks/inbox.py): a member of the task's
  department acts on it; a task for the "head" role needs that department's head, who alone
  assigns it or takes it back from another member (`heads`). A head-only task the user may
  not act on `waits_for_head`: inboxes list it apart ("waiting for the head"), never among the
  tasks the user can act on. Bulk assigning is the head's (`may_bulk_assign`).
- approval actions (issue 11): `may_send_back` (the task's holder or its department head),
  `may_withdraw` (the requester, who started the process), `may_comment` (the departments the
  process involves, the requester, admins).
- transfer, delegate, co-sign, copy, out-of-office (docs/TASK_ACTIONS.md): the holder
  (`holds_task`) delegates and adds co-signers; the holder or the head transfers, to someone who
  `may_receive_task`; `may_copy`; a co-sign or delegation task is its assignee's
  (`may_answer_child`); who asked takes it back (`may_withdraw_request`); `may_stand_in`.
"""

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

SALES = "sales"
PMC = "pmc"
MANAGEMENT = "management"
PRICE_DEPARTMENTS = frozenset({SALES, PMC, "finance", MANAGEMENT})
PLANNERS = frozenset({PMC})
RUSH_RAISERS = frozenset({SALES, PMC})
CUSTOMER_KEEPERS = frozenset({SALES})
PRODUCT_KEEPERS = frozenset({"engineering", "production"})
PROGRESS_REPORTERS = frozenset({"production", PMC})
SHIPPERS = frozenset({"warehouse"})
RECEIPT_RECORDERS = frozenset({"warehouse", SALES})
BOM_KEEPERS = frozenset({"engineering", "purchasing"})
STOCK_KEEPERS = frozenset({"warehouse"})
BUYERS = frozenset({"purchasing"})
INSPECTORS = frozenset({"quality"})
# A form field, diff row or stored value whose name matches carries money (unit_price,
# standard_cost, amount, total, margin, value_delta …); process owners' new forms are covered
# by their field names.
PRICE_NAME = re.compile(r"price|cost|amount|total|margin|value_delta", re.IGNORECASE)
# Attachments that carry the order's prices (the sheet the customer signed).
PRICED_ATTACHMENT_KINDS = frozenset({"signed_confirmation"})


def department_key(user: Any) -> str | None:
    """The key of the user's department, or None for a user outside every department."""
    department = getattr(user, "department", None)
    return department.key if department is not None else None


def in_department(user: Any, *keys: str) -> bool:
    """Whether the user is a member (or head) of one of these departments."""
    return department_key(user) in keys


def has_department(user: Any) -> bool:
    """Whether the user belongs to any department."""
    return department_key(user) is not None


def is_admin(user: Any) -> bool:
    """Whether the user administers the application."""
    return bool(getattr(user, "is_admin", False))


def may_read_audit(user: Any) -> bool:
    """Admins read (and export) the audit trail; nobody else does."""
    return is_admin(user)


def is_head(user: Any) -> bool:
    """Whether the user heads their department."""
    return bool(getattr(user, "is_head", False))


def member_of(user: Any, department_id: int | None) -> bool:
    """Whether the user belongs to this department (as a member or its head)."""
    return department_id is not None and getattr(user, "department_id", None) == department_id


def heads(user: Any, department_id: int | None) -> bool:
    """Whether the user is the head of this department."""
    return is_head(user) and member_of(user, department_id)


def may_act_on_task(user: Any, department_id: int | None, role: str | None) -> bool:
    """A member of the task's department acts on it; a head-only task needs that head."""
    return member_of(user, department_id) and (role != "head" or is_head(user))


def waits_for_head(user: Any, department_id: int | None, role: str | None) -> bool:
    """A head-only task this user cannot act on: shown apart, as waiting for the head."""
    return role == "head" and not heads(user, department_id)


def may_bulk_assign(user: Any, department_id: int | None) -> bool:
    """Only the department's head hands several of its tasks to a member at once."""
    return heads(user, department_id)


def is_manager(user: Any) -> bool:
    """Whether the user is in management (the general manager heads it)."""
    return in_department(user, MANAGEMENT)


def is_owner(user: Any, owner_id: int | None) -> bool:
    """Whether the user owns a record whose owner is `owner_id` (the core takes ids only)."""
    return owner_id is not None and getattr(user, "id", None) == owner_id


def may_model(user: Any) -> bool:
    """Process owners (and admins) edit processes and forms."""
    return is_admin(user) or bool(getattr(user, "is_process_owner", False))


def may_migrate(user: Any) -> bool:
    """Process owners and admins move instances between versions."""
    return may_model(user)


def may_handle_orders(user: Any) -> bool:
    """Sales enters and revises orders, attaches their files and sends confirmations."""
    return in_department(user, SALES)


def may_raise_change(user: Any) -> bool:
    """Every department raises change requests; a user outside all of them does not."""
    return has_department(user)


def may_raise_rush(user: Any) -> bool:
    """Sales or PMC request a rush."""
    return in_department(user, *RUSH_RAISERS)


def may_report_progress(user: Any) -> bool:
    """Production or PMC reports what is made on an order line."""
    return in_department(user, *PROGRESS_REPORTERS)


def may_correct_report(user: Any, reporter_department_id: int | None) -> bool:
    """The head of the reporter's department corrects a progress report (with a reason)."""
    return heads(user, reporter_department_id)


def may_ship(user: Any) -> bool:
    """The warehouse records shipments (what left, carrier, tracking number)."""
    return in_department(user, *SHIPPERS)


def may_record_receipt(user: Any) -> bool:
    """The warehouse or sales records the customer's signed delivery note."""
    return in_department(user, *RECEIPT_RECORDERS)


def may_plan(user: Any) -> bool:
    """PMC arranges the plan and keeps the factory calendar (an admin may too)."""
    return is_admin(user) or in_department(user, *PLANNERS)


def may_edit_customers(user: Any) -> bool:
    """Sales keeps its customers; admins may too."""
    return is_admin(user) or in_department(user, *CUSTOMER_KEEPERS)


def may_edit_products(user: Any) -> bool:
    """Engineering (and production) keep the catalogue and the lines; admins may too."""
    return is_admin(user) or in_department(user, *PRODUCT_KEEPERS)


def may_edit_boms(user: Any) -> bool:
    """Engineering or purchasing keeps components and bills of materials; admins may too."""
    return is_admin(user) or in_department(user, *BOM_KEEPERS)


def may_move_stock(user: Any) -> bool:
    """The warehouse records receipts, issues to orders and stock adjustments."""
    return in_department(user, *STOCK_KEEPERS)


def may_purchase(user: Any) -> bool:
    """Purchasing keeps suppliers and turns purchase requests into purchase orders."""
    return in_department(user, *BUYERS)


def may_inspect_material(user: Any) -> bool:
    """Quality inspects incoming material (accepts or rejects what arrived)."""
    return in_department(user, *INSPECTORS)


def may_see_purchase_prices(user: Any) -> bool:
    """Purchase prices and stock values: the price readers and purchasing, who buys at them."""
    return can_see_prices(user) or (
        getattr(user, "is_authenticated", False) and in_department(user, *BUYERS)
    )


def can_see_prices(user: Any) -> bool:
    """Whether the user may read prices, amounts, margins and costs (the one rule)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return is_admin(user) or in_department(user, *PRICE_DEPARTMENTS)


def is_price_field(name: str) -> bool:
    """Whether a field (form field, diff row, snapshot key) carries money."""
    return bool(PRICE_NAME.search(name or ""))


def product_costs(viewer: Any, products: Iterable[Any]) -> dict[int, Decimal] | None:
    """Standard cost per product id for readers allowed to see costs, else None."""
    if not can_see_prices(viewer):
        return None
    return {product.id: product.standard_cost for product in products}


def visible_fields(viewer: Any, fields: Iterable[Any]) -> list[Any]:
    """Form field views (anything with a `name`) without the money fields for other readers."""
    if can_see_prices(viewer):
        return list(fields)
    return [f for f in fields if not is_price_field(f.name)]


def visible_rows(viewer: Any, rows: Iterable[Mapping]) -> list[Mapping]:
    """Diff rows (`field`, `old`, `new`) without the money rows for other readers."""
    if can_see_prices(viewer):
        return list(rows)
    return [row for row in rows if not is_price_field(str(row.get("field", "")))]


def visible_values(viewer: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values (e.g. an order prefilled for a change) without money for other readers."""
    if can_see_prices(viewer):
        return dict(values)
    return {k: v for k, v in values.items() if not is_price_field(k)}


# --- Approval actions: send back (退回), withdraw (撤回), comments (issue 11) ---------------------


def may_send_back(user: Any, department_id: int | None, role: str | None, assignee_id) -> bool:
    """Who holds a task sends it back: whoever may act on it while it is unclaimed or claimed by
    them, and the department's head at any time."""
    if heads(user, department_id):
        return True
    return may_act_on_task(user, department_id, role) and assignee_id in (None, user.id)


def may_withdraw(user: Any, requester_id: int | None) -> bool:
    """Only the requester (who started the process) withdraws their request."""
    return is_owner(user, requester_id)


def may_comment(
    user: Any, involved_department_ids: Iterable[int], requester_id: int | None, mentioned: bool
) -> bool:
    """Who comments on a task and reads its notes and files: admins, members of a department
    that holds or held a task of the same process, the requester (who started it), and anyone
    @mentioned in its notes."""
    if is_admin(user) or mentioned or is_owner(user, requester_id):
        return True
    mine = getattr(user, "department_id", None)
    return mine is not None and mine in set(involved_department_ids)


# --- Approval actions (app/core/tasks/actions.py, cosign.py; docs/TASK_ACTIONS.md) ----------
# The holder of a task is one who may act on it and has it (or it is nobody's yet): the one who
# would complete it. A co-sign or delegation task (made by the tasks core) is its assignee's.


def holds_task(user: Any, department_id: int | None, role: str | None, assignee_id) -> bool:
    """Whether the user holds the task: may act on it, and it is theirs or nobody's."""
    return may_act_on_task(user, department_id, role) and assignee_id in (
        None,
        getattr(user, "id", None),
    )


def may_receive_task(user: Any, department_id: int | None, role: str | None) -> bool:
    """Whom a department task may be assigned or transferred to: an active user who may act."""
    return bool(getattr(user, "active", False)) and may_act_on_task(user, department_id, role)


def may_transfer(user: Any, department_id: int | None, role: str | None, assignee_id) -> bool:
    """转办: the holder hands the task on; the department head may too (as with assigning)."""
    return holds_task(user, department_id, role, assignee_id) or heads(user, department_id)


def may_delegate(user: Any, department_id: int | None, role: str | None, assignee_id) -> bool:
    """委派: only the holder, who gets the task back to complete it."""
    return holds_task(user, department_id, role, assignee_id)


def may_add_cosigner(user: Any, department_id: int | None, role: str | None, assignee_id) -> bool:
    """加签: only the holder adds a co-signer before or after themselves."""
    return holds_task(user, department_id, role, assignee_id)


def may_copy(user: Any, department_id: int | None, role: str | None) -> bool:
    """抄送: whoever may act on the task, and the department head."""
    return may_act_on_task(user, department_id, role) or heads(user, department_id)


def may_answer_child(user: Any, assignee_id: int | None) -> bool:
    """A co-sign or delegation task is answered by its assignee alone."""
    return is_owner(user, assignee_id)


def may_withdraw_request(user: Any, requested_by_id: int | None) -> bool:
    """A delegation or a co-sign is taken back by whoever asked for it."""
    return is_owner(user, requested_by_id)


def may_stand_in(user: Any, substitute: Any) -> bool:
    """An out-of-office substitute: another active user."""
    return (
        substitute is not None
        and bool(getattr(substitute, "active", False))
        and getattr(substitute, "id", None) != getattr(user, "id", None)
    )

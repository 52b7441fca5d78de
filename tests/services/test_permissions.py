"""Who may: the rules of app/core/users/permissions.py, and the services that enforce them."""

import ast
from pathlib import Path

import pytest

from app.core.audit.models import AuditEvent
from app.core.users import accounts, permissions
from app.errors import PermissionDenied
from app.extensions import db
from app.modules.orders.models import Attachment, Customer, Order
from app.modules.orders.services import attachments, orders
from app.modules.orders.services.attachments import Upload
from app.modules.orders.services.order_input import LineInput, OrderInput


def _denials(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def _order_input() -> OrderInput:
    customer = Customer(name="ACME", contact="Ann", address="1 Road", tier="standard")
    db.session.add(customer)
    db.session.flush()
    line = LineInput(description="Custom bracket", quantity="10", unit_price="2.5")
    return OrderInput(customer_id=str(customer.id), order_type="new", lines=[line])


def test_the_core_permissions_import_no_domain():
    source = Path(permissions.__file__).read_text()
    imported = [
        node.module or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("app.modules")]


def test_membership_head_manager_owner_admin(app, make_user):
    sales, pmc_head = make_user("sales"), make_user("pmc", role="head")
    gm, outsider = make_user("management", role="head"), make_user(None)
    admin = make_user(None, is_admin=True)
    assert permissions.in_department(sales, "sales")
    assert permissions.in_department(pmc_head, "sales", "pmc")
    assert not permissions.in_department(outsider, "sales")
    assert permissions.has_department(sales) and not permissions.has_department(admin)
    assert permissions.is_head(pmc_head) and not permissions.is_head(sales)
    assert permissions.heads(pmc_head, pmc_head.department_id)
    assert not permissions.heads(pmc_head, sales.department_id)
    assert not permissions.heads(sales, sales.department_id)
    assert permissions.is_manager(gm) and not permissions.is_manager(pmc_head)
    assert permissions.is_owner(sales, sales.id) and not permissions.is_owner(pmc_head, sales.id)
    assert not permissions.is_owner(sales, None)
    assert permissions.is_admin(admin) and not permissions.is_admin(sales)


def test_the_rules_built_on_them(app, make_user):
    sales, pmc, quality = make_user("sales"), make_user("pmc"), make_user("quality")
    engineering, outsider = make_user("engineering"), make_user(None)
    admin, owner = make_user(None, is_admin=True), make_user(None, is_process_owner=True)
    assert [permissions.may_plan(u) for u in (pmc, admin, sales)] == [True, True, False]
    assert [permissions.may_raise_rush(u) for u in (sales, pmc, quality, admin)] == [
        True,
        True,
        False,
        False,
    ]
    assert permissions.may_raise_change(quality) and not permissions.may_raise_change(outsider)
    assert permissions.may_handle_orders(sales) and not permissions.may_handle_orders(admin)
    assert permissions.may_edit_customers(sales) and permissions.may_edit_customers(admin)
    assert not permissions.may_edit_customers(engineering)
    assert permissions.may_edit_products(engineering) and not permissions.may_edit_products(sales)
    assert permissions.may_model(owner) and permissions.may_model(admin)
    assert not permissions.may_model(pmc) and not permissions.may_migrate(None)


def test_only_sales_creates_an_order_even_without_the_page(app, make_user):
    data = _order_input()
    for user in (
        make_user("quality"),
        make_user("pmc", role="head"),
        make_user(None, is_admin=True),
    ):
        with pytest.raises(PermissionDenied):
            orders.create_order(user, data, ip="10.0.0.9")
        db.session.commit()  # as the web layer does: the denial stays, nothing else changed
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 0
    denials = _denials("denied.order_create")
    assert len(denials) == 3 and {d.ip for d in denials} == {"10.0.0.9"}


def test_only_sales_attaches_files(app, make_user, make_order):
    order = make_order()
    upload = Upload(file_name="drawing.pdf", content_type="application/pdf", content=b"%PDF-1.4")
    with pytest.raises(PermissionDenied):
        attachments.attach(order, [upload], make_user("engineering"))
    db.session.commit()
    assert [d.subject_key for d in _denials("denied.attachment_add")] == [order.id]
    before = db.session.scalar(db.select(db.func.count()).select_from(Attachment))
    attachments.attach(order, [upload], make_user("sales"))
    after = db.session.scalar(db.select(db.func.count()).select_from(Attachment))
    assert after == before + 1


def test_only_admins_manage_users_and_departments(app, make_user):
    member, head = make_user("quality"), make_user("quality", role="head")
    calls = {
        "denied.user.create": lambda: accounts.create_user(
            head, "new.person", "New", "secret-pass-1", "", "member"
        ),
        "denied.user.update": lambda: accounts.update_user(
            head, member.id, "Renamed", "", "member", True, False
        ),
        "denied.user.activate": lambda: accounts.set_active(head, member.id, False),
        "denied.user.reset_password": lambda: accounts.reset_password(head, member.id),
        "denied.user.unlock": lambda: accounts.unlock_account(head, member.id),
        "denied.department.create": lambda: accounts.create_department(
            head, "newdept", "New", "新"
        ),
    }
    for action, call in calls.items():
        with pytest.raises(PermissionDenied):
            call()
        db.session.commit()
        assert len(_denials(action)) == 1, action
    db.session.refresh(member)
    assert member.active and not member.is_admin and member.display_name != "Renamed"
    admin = make_user(None, is_admin=True)
    assert accounts.create_department(admin, "newdept", "New", "新").key == "newdept"

"""Components, bills of materials and the stock ledger (docs/PURCHASING.md)."""

from decimal import Decimal

import pytest

from app import doctor
from app.core.audit.models import AuditEvent
from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from app.modules.orders.models import Product
from app.modules.purchasing.models import StockBalance, StockMove
from app.modules.purchasing.services import components, stock
from app.modules.purchasing.services.components import ComponentInput


def _component(actor, code="STEEL-1", unit="kg"):
    created = components.create_component(actor, ComponentInput(code, "Steel sheet", unit))
    db.session.commit()
    return created


def test_a_component_gets_its_balance_and_a_taken_code_is_refused(make_user):
    engineer = make_user("engineering")
    steel = _component(engineer)
    assert db.session.get(StockBalance, steel.id).on_hand == 0
    with pytest.raises(InvalidInput) as refused:
        components.create_component(engineer, ComponentInput("steel-1", "Other", "kg"))
    assert "STEEL-1" in refused.value.errors["code"]


def test_bad_component_input_is_refused_on_each_field(make_user):
    engineer = make_user("engineering")
    with pytest.raises(InvalidInput) as refused:
        components.create_component(engineer, ComponentInput("x", "", "u" * 21))
    assert sorted(refused.value.errors) == ["code", "name", "unit"]


def test_sales_may_not_add_components_and_the_refusal_is_audited(make_user):
    seller = make_user("sales")
    with pytest.raises(PermissionDenied):
        components.create_component(seller, ComponentInput("BOLT", "Bolt", "pcs"))
    assert (
        db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.user_id == seller.id))
        == "denied.component"
    )


def test_a_product_bom_is_saved_and_bad_rows_are_refused(make_user):
    engineer = make_user("engineering")
    steel, bolt = _component(engineer), _component(engineer, "BOLT-M8", "pcs")
    product = Product(code="P-1", name="Bracket")
    db.session.add(product)
    db.session.commit()
    rows = [(str(steel.id), "2.5"), (str(bolt.id), "4"), ("", "")]
    components.set_product_bom(engineer, product.id, rows)
    db.session.commit()
    saved = [(b.component.code, b.quantity) for b in components.bom_of_product(product.id)]
    assert saved == [("BOLT-M8", Decimal("4")), ("STEEL-1", Decimal("2.5"))]
    with pytest.raises(InvalidInput) as refused:
        components.set_product_bom(
            engineer, product.id, [(str(steel.id), "0"), (str(steel.id), "1"), ("999", "1")]
        )
    assert sorted(refused.value.errors) == ["bom-0-quantity", "bom-1-component", "bom-2-component"]


def test_the_unit_cannot_change_once_the_ledger_counts_in_it(make_user):
    engineer, keeper = make_user("engineering"), make_user("warehouse")
    steel = _component(engineer)
    stock.adjust(keeper, steel.id, "10", "opening count")
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        components.edit_component(engineer, steel.id, ComponentInput("STEEL-1", "Steel", "t"))
    assert "unit" in refused.value.errors


def test_adjustments_move_the_balance_with_a_ledger_row_each(make_user):
    engineer, keeper = make_user("engineering"), make_user("warehouse")
    steel = _component(engineer)
    stock.adjust(keeper, steel.id, "10", "opening count")
    stock.adjust(keeper, steel.id, "-3.5", "damaged in storage")
    db.session.commit()
    balance = db.session.get(StockBalance, steel.id)
    assert (balance.on_hand, balance.free) == (Decimal("6.5"), Decimal("6.5"))
    moves = db.session.execute(
        db.select(StockMove.kind, StockMove.quantity, StockMove.reason).order_by(StockMove.id)
    ).all()
    assert moves == [
        ("adjustment", Decimal("10"), "opening count"),
        ("adjustment", Decimal("-3.5"), "damaged in storage"),
    ]
    assert list(stock.ledger_problems()) == []


def test_an_adjustment_without_reason_or_below_free_stock_changes_nothing(make_user):
    engineer, keeper = make_user("engineering"), make_user("warehouse")
    steel = _component(engineer)
    stock.adjust(keeper, steel.id, "2", "count")
    db.session.commit()
    for quantity, reason, field in (
        ("1", "", "reason"),
        ("-3", "lost", "quantity"),
        ("0", "x", "quantity"),
        ("1e9", "x", "quantity"),
    ):
        with pytest.raises(InvalidInput) as refused:
            stock.adjust(keeper, steel.id, quantity, reason)
        db.session.rollback()
        assert field in refused.value.errors
    assert db.session.scalar(db.select(db.func.count()).select_from(StockMove)) == 1
    with pytest.raises(PermissionDenied):
        stock.adjust(make_user("purchasing"), steel.id, "1", "x")


def test_doctor_finds_a_balance_the_ledger_does_not_sum_to(make_user):
    engineer, keeper = make_user("engineering"), make_user("warehouse")
    steel = _component(engineer)
    stock.adjust(keeper, steel.id, "5", "count")
    db.session.commit()
    db.session.execute(
        db.update(StockBalance).where(StockBalance.component_id == steel.id).values(on_hand=7)
    )
    db.session.commit()
    found = [line for line in doctor.check_all() if line.startswith("component")]
    assert found == ["component STEEL-1: ledger sums to 5.000 but the balance says 7.000 on hand"]

"""The order page's panels (app/modules/orders/panels.py): what the domains above orders show
on it, registered from their hooks."""

from types import SimpleNamespace

import pytest

from app.core.tasks.registry import Panel
from app.modules.orders import panels
from app.modules.orders.panels import OrderPage


@pytest.fixture
def clean_panels(monkeypatch):
    """No builders for the test; the app's registrations come back afterwards."""
    monkeypatch.setattr(panels, "_BUILDERS", [])


PAGE = OrderPage(viewer=None, is_sales=True, may_see_prices=True)


def test_registering_a_builder_again_adds_it_once(clean_panels):
    """Every app the process builds (tests build many) registers its domains again."""
    calls = []

    def build(order, page):
        calls.append(order)
        return [Panel("summary", "x.html")]

    for _ in range(3):
        panels.register_order_panels(build)
    found = panels.order_panels(SimpleNamespace(id=1), PAGE)
    assert len(calls) == 1 and len(found["summary"]) == 1


def test_panels_are_grouped_by_slot_and_ordered_within_it(clean_panels):
    panels.register_order_panels(
        lambda order, page: [
            Panel("summary", "changes.html", order=30),
            Panel("actions", "change-button.html", order=10),
        ]
    )
    panels.register_order_panels(
        lambda order, page: [
            Panel("summary", "plan.html", order=10),
            Panel("summary", "also-30.html", order=30),  # a tie keeps registration order
            Panel("sections", "confirmation.html"),
        ]
    )
    found = panels.order_panels(SimpleNamespace(id=1), PAGE)
    assert list(found) == list(panels.SLOTS)
    assert [p.template for p in found["summary"]] == ["plan.html", "changes.html", "also-30.html"]
    assert [p.template for p in found["actions"]] == ["change-button.html"]
    assert [p.template for p in found["sections"]] == ["confirmation.html"]


def test_builders_get_the_order_and_the_page(clean_panels):
    seen = []
    panels.register_order_panels(lambda order, page: seen.append((order.id, page)) or [])
    found = panels.order_panels(SimpleNamespace(id=7), PAGE)
    assert seen == [(7, PAGE)]
    assert found == {slot: [] for slot in panels.SLOTS}


def test_a_panel_for_an_unknown_slot_is_refused(clean_panels):
    panels.register_order_panels(lambda order, page: [Panel("before_form", "x.html")])
    with pytest.raises(ValueError, match="order page slot 'before_form'"):
        panels.order_panels(SimpleNamespace(id=1), PAGE)


def test_the_app_registers_the_domains_above_orders(app):
    """Built by create_app: confirmations, changes, rush, schedule, fulfilment, shipping,
    closeout, returns, purchasing and quotations (the quotation an order came from) add
    panels; orders adds the core's comments and notes to its own timeline the same way.
    Close-out also adds the product page's cost history, and purchasing the product's bill of
    materials."""
    owners = {build.__module__ for build in panels._BUILDERS}
    assert owners == {
        "app.modules.orders.hooks",
        "app.modules.confirmations.hooks",
        "app.modules.changes.hooks",
        "app.modules.rush.hooks",
        "app.modules.schedule.hooks",
        "app.modules.fulfilment.hooks",
        "app.modules.shipping.hooks",
        "app.modules.closeout.hooks",
        "app.modules.returns.hooks",
        "app.modules.purchasing.hooks",
        "app.modules.quotations.hooks",
    }
    assert {build.__module__ for build in panels._PRODUCT_BUILDERS} == {
        "app.modules.closeout.hooks",
        "app.modules.purchasing.hooks",
    }

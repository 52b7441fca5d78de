"""Production's review asks each non-standard item's estimate once (the item table, with
engineering's beside it); the order page says which estimate the plan uses. Both languages."""

import pytest
from e2e_helpers import complete_task, log_in, open_task, place_order, t
from playwright.sync_api import expect

from app.extensions import db
from app.modules.orders.models import ProductionLine
from app.modules.orders.services.orders import LineInput
from tests.answers import SPECS


def _estimate(hours: str, line: str, lang: str) -> str:
    return t("%(h)s h/unit on %(line)s", lang, h=hours, line=line)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_production_estimates_once_and_the_order_page_names_the_plans_estimate(
    lang, live_server, new_page, make_user, password, complete
):
    l1, l2 = ProductionLine(code="L1", name="Line 1"), ProductionLine(code="L2", name="Line 2")
    db.session.add_all([l1, l2])
    db.session.commit()
    sales = make_user("sales")
    item = LineInput(description="Bracket BR-9", quantity="10", unit_price="4", specs=dict(SPECS))
    order = place_order(sales, order_type="non_standard", lines=[item])
    line_id = order.lines[0].id
    for step in ("confirm_order", "pmc_dispatch"):
        complete(order, step)
    complete(
        order,
        "review_engineering",
        {f"est-{line_id}-hours": "1.2", f"est-{line_id}-line": str(l2.id)},
    )

    page = new_page()
    log_in(page, live_server, make_user("production"), password, lang)
    page.wait_for_load_state()
    open_task(page, live_server, order.number)
    form = page.locator("form.taskform")
    expect(form.locator("[name='hours_per_unit'], [name='suggested_line']")).to_have_count(0)
    row = form.locator("table.estimates tbody tr")
    expect(row).to_have_count(1)
    expect(form.locator("table.estimates thead")).to_contain_text(t("Engineering's estimate", lang))
    expect(row.locator("td[data-other]")).to_have_text(_estimate("1.2", "L2", lang))
    hours = row.locator(f"input[name='est-{line_id}-hours']")
    expect(hours).to_have_attribute("max", "1000")
    hours.fill("0.8")
    row.locator(f"select[name='est-{line_id}-line']").select_option(label="L1 Line 1")
    complete_task(page, {"decision": "approve"})

    page.goto(f"{live_server}/orders/{order.id}")
    summary = page.locator(f"tr[data-line-id='{line_id}']")
    expect(summary.locator("[data-planned]")).to_have_text(
        t("The plan uses production's estimate: %(estimate)s.", lang,
          estimate=_estimate("0.8", "L1", lang))
    )  # fmt: skip
    expect(summary.locator("[data-estimate='engineering']")).to_have_text(
        t("Engineering's estimate, not used by the plan: %(estimate)s.", lang,
          estimate=_estimate("1.2", "L2", lang))
    )  # fmt: skip

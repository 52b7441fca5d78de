"""What decides a change: the order value before and after, the approval route and the rule of
change_rules.dmn that puts the general manager in it (issue 16).

The shared released order (tests/conftest.py) has one line of 10 units at 2.5 (CNY 25.00),
requested 2027-03-01 and promised 2027-03-05.
"""

import re
from decimal import Decimal

import flask_babel
import pytest

from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.changes.services import route
from tests.answers import SPECS


def form(order, **over):
    data = {
        "customer_id": str(order.customer_id),
        "order_type": order.order_type,
        "currency": order.currency,
        "requested_date": "2027-03-01",
        "promised_date": "2027-03-05",
        "lines-0-description": order.lines[0].description,
        "lines-0-quantity": "10",
        "lines-0-unit_price": "2.5",
        **{f"lines-0-{k}": v for k, v in SPECS.items()},
        "reason_category": "customer_request",
        "reason": "Customer asked",
    }
    data.update(over)
    return data


def switch(client, lang: str) -> None:
    client.post("/language", data={"lang": lang})
    flask_babel.refresh()


def raise_change(client, order, **over) -> ChangeRequest:
    response = client.post(f"/orders/{order.id}/changes/new", data=form(order, **over))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return db.session.scalar(db.select(ChangeRequest).order_by(ChangeRequest.id.desc()))


def text_of(html: str) -> str:
    """The page's text with tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def finish_reviews(change, complete, order) -> None:
    for step in db.session.scalars(
        db.select(HumanTask.spec_name)
        .where(
            HumanTask.instance_id == change.instance_id,
            HumanTask.state == "ready",
            HumanTask.spec_name.like("change_review_%"),
        )
        .order_by(HumanTask.id)
    ).all():
        complete(order, step, {"opinion": "approve", "delivery_impact_days": "0"})


def test_a_20_percent_rise_names_the_value_rule_and_the_general_manager(
    client, login, make_user, released_order, complete
):
    order = released_order
    gm = make_user("management", role="head", display_name="Grace GM")
    head = make_user("sales", role="head", display_name="Sam Head")
    login(make_user("sales"))
    switch(client, "en")
    # 10 -> 12 units at 2.5: CNY 25.00 -> 30.00, +5.00, +20 % (> 10 %: the GM approves).
    change = raise_change(client, order, **{"lines-0-quantity": "12"})
    value = route.value_change(change)
    assert (value.before, value.after, value.delta) == (Decimal("25"), Decimal("30"), Decimal("5"))
    assert value.pct == Decimal(20)
    page = text_of(client.get(f"/changes/{change.id}").get_data(as_text=True))
    assert "Order value: CNY 25.00 → CNY 30.00 (CNY +5.00, +20.0%)" in page
    assert (
        "The general manager must approve as well, because of the change rules: "
        "The order value changes by more than 10% (this change: 20%)." in page
    )
    html = client.get(f"/changes/{change.id}").get_data(as_text=True)
    assert 'data-rule="rule_value_over_limit"' in html and 'data-needs-gm="yes"' in html
    # The reviews are open now; the head and then the GM are still to come, each named.
    for step in ("change_review_pmc", "change_review_production", "change_review_warehouse"):
        assert f'data-step="{step}" data-state="ready"' in html
    assert 'data-step="manager_approval_sales" data-state="expected"' in html
    assert 'data-step="gm_approval" data-state="expected"' in html
    assert "Expected: Sam Head (head of Sales)" in page and "Expected: Grace GM" in page

    finish_reviews(change, complete, order)
    complete(order, "manager_approval_sales", {"decision": "approve"}, user=head)
    login(gm)
    switch(client, "en")
    approvals = text_of(client.get("/approvals").get_data(as_text=True))
    assert "Order value: CNY 25.00 → CNY 30.00 (CNY +5.00, +20.0%)" in approvals
    assert "more than 10% (this change: 20%)" in approvals
    html = client.get(f"/changes/{change.id}").get_data(as_text=True)
    assert 'data-step="manager_approval_sales" data-state="completed"' in html
    done = text_of(html)
    assert "Approved Sam Head" in done  # the head's decision and name in the route
    assert 'data-step="gm_approval" data-state="ready"' in html
    # The GM decides on the change page itself; a rejection without a reason is refused there.
    assert 'hx-post="/tasks/' in html and f'value="/changes/{change.id}"' in html
    gm_task = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == change.instance_id, HumanTask.spec_name == "gm_approval"
        )
    )
    refused = client.post(
        f"/tasks/{gm_task.id}/complete",
        data={"decision": "reject", "next": f"/changes/{change.id}"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ChangeRequest, change.id).status == "open"


def test_a_5_percent_rise_and_4_days_stay_with_the_department_head(
    client, login, make_user, released_order
):
    order = released_order
    make_user("sales", role="head", display_name="Sam Head")
    login(make_user("sales"))
    switch(client, "en")
    # 10 -> 10.5 units at 2.5: CNY 25.00 -> 26.25, +1.25, +5 %; promised 03-05 -> 03-09: 4 days.
    change = raise_change(
        client, order, **{"lines-0-quantity": "10.5", "promised_date": "2027-03-09"}
    )
    flags = route.figures(change)
    assert flags["value_delta"] == 1.25 and flags["value_delta_pct"] == 5.0
    assert flags["date_shift_days"] == 4
    html = client.get(f"/changes/{change.id}").get_data(as_text=True)
    page = text_of(html)
    assert "Order value: CNY 25.00 → CNY 26.25 (CNY +1.25, +5.0%)" in page
    assert 'data-rule="rule_within_manager_authority"' in html and 'data-needs-gm="no"' in html
    assert (
        "The department head's approval is enough under the change rules: The order value "
        "changes by at most 10% (this change: 5%); A delivery date moves by at most 7 days "
        "(this change: 4 days)." in page
    )
    assert 'data-step="manager_approval_sales" data-state="expected"' in html
    assert 'data-step="gm_approval"' not in html


def test_a_date_moved_10_days_names_the_date_rule_in_chinese(
    client, login, make_user, released_order
):
    order = released_order
    login(make_user("sales"))
    switch(client, "zh_CN")
    # Promised 03-05 -> 03-15: 10 days (> 7), value unchanged (0 %).
    change = raise_change(client, order, **{"promised_date": "2027-03-15"})
    html = client.get(f"/changes/{change.id}").get_data(as_text=True)
    page = text_of(html)
    assert 'data-rule="rule_date_over_limit"' in html
    assert "订单金额：CNY 25.00 → CNY 25.00（CNY +0.00，+0.0%）" in page
    assert "交期变动超过 7 天（本次变更：10 天）" in page
    assert "审批步骤" in page and "总经理" in page


def test_a_price_cut_is_signed_and_readers_without_prices_see_only_the_rule(
    client, login, make_user, released_order
):
    order = released_order
    login(make_user("sales"))
    switch(client, "en")
    # 12 units at 2.0: CNY 25.00 -> 24.00, -1.00, -4 %.
    change = raise_change(client, order, **{"lines-0-quantity": "12", "lines-0-unit_price": "2.0"})
    value = route.value_change(change)
    assert (value.delta, value.pct) == (Decimal("-1.0"), Decimal("-4"))
    page = text_of(client.get(f"/changes/{change.id}").get_data(as_text=True))
    assert "(CNY -1.00, -4.0%)" in page
    login(make_user("production", role="head"))
    switch(client, "en")
    page = text_of(client.get(f"/changes/{change.id}").get_data(as_text=True))
    assert "Order value" not in page and "CNY" not in page
    assert "The order value changes by at most 10%;" in page  # the rule, without the figure
    assert "(this change: 4%)" not in page


def test_management_raises_and_the_general_manager_is_the_responsible_manager(
    client, login, make_user, released_order
):
    login(make_user("management"))
    switch(client, "en")
    change = raise_change(client, released_order, **{"lines-0-quantity": "20"})
    html = client.get(f"/changes/{change.id}").get_data(as_text=True)
    assert "Raised by management: the general manager approves it" in html
    assert 'data-step="manager_approval_management" data-state="expected"' in html
    assert 'data-step="gm_approval"' not in html


@pytest.mark.parametrize(
    ("limit", "rule"), [("10", "rule_value_over_limit"), ("25", "rule_within_manager_authority")]
)
def test_the_reason_follows_the_table_of_the_version_the_change_runs_on(
    client, login, make_user, released_order, limit, rule
):
    """A process owner raising the value limit to 25 % changes what the page says."""
    from pathlib import Path

    from app.core.processes import versions

    dmn = (Path(__file__).parents[2] / "workflows" / "change_rules.dmn").read_text()
    dmn = dmn.replace("&gt; 10<", f"&gt; {limit}<").replace("&lt;= 10<", f"&lt;= {limit}<")
    bpmn = (Path(__file__).parents[2] / "workflows" / "change_request.bpmn").read_bytes()
    versions.deploy_process("change_request.bpmn", bpmn, None, {"change_rules.dmn": dmn.encode()})
    db.session.commit()
    login(make_user("sales"))
    switch(client, "en")
    change = raise_change(client, released_order, **{"lines-0-quantity": "12"})
    html = client.get(f"/changes/{change.id}").get_data(as_text=True)
    assert f'data-rule="{rule}"' in html
    assert f"changes by {'more than' if limit == '10' else 'at most'} {limit}%" in html


def test_numbers_are_read_as_the_order_form_reads_them(client, login, make_user, released_order):
    login(make_user("sales"))
    switch(client, "en")
    # "1,000" units (a thousands comma) at 2.5: CNY 25.00 -> 2,500.00, +2,475.00, +9,900 %.
    change = raise_change(client, released_order, **{"lines-0-quantity": "1,000"})
    value = route.value_change(change)
    assert (value.after, value.delta, value.pct) == (Decimal(2500), Decimal(2475), Decimal(9900))
    page = text_of(client.get(f"/changes/{change.id}").get_data(as_text=True))
    assert "Order value: CNY 25.00 → CNY 2,500.00 (CNY +2,475.00, +9,900.0%)" in page

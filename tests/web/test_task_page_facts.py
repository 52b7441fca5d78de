"""The task page shows the subject's key facts, PMC's dispatch instructions and the order's files
before the form; amounts and priced files only to price readers."""

import re

from app.extensions import db
from app.modules.orders.services import attachments
from app.modules.orders.services.attachments import Upload


def before_form(page: str) -> str:
    """The part of the task page above the form."""
    return page.split('class="taskform"')[0]


def dispatched_order(make_order, complete, make_user):
    order = make_order(promised_date="2027-03-05")
    attachments.store(order, Upload("bracket.pdf", "application/pdf", b"%PDF-1.4 x"), None)
    attachments.store(
        order, Upload("signed.pdf", "application/pdf", b"%PDF-1.4 y"), None, "signed_confirmation"
    )
    db.session.commit()
    complete(order, "confirm_order")
    complete(
        order,
        "pmc_dispatch",
        {
            "review_due": "2027-01-20",
            "priority": "urgent",
            "priority_note": "Key customer, line 2 is free",
            "instructions": "Check the IP65 seal with the new supplier",
        },
        user=make_user("pmc", display_name="Pat PMC"),
    )
    return order


def test_a_review_step_shows_facts_and_dispatch_before_the_form(
    client, login, make_user, make_order, complete, task_of
):
    order = dispatched_order(make_order, complete, make_user)
    task = task_of(order, "review_engineering")
    login(make_user("engineering"))
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    head = before_form(page)
    assert order.number in head and "ACME" in head and "2027-03-05" in head
    assert "Urgent" in head and "Dispatch instructions" in head and "Pat PMC" in head
    assert "Check the IP65 seal with the new supplier" in head and "2027-01-20" in head
    assert "Key customer, line 2 is free" in head
    assert "bracket.pdf" in head
    assert "signed.pdf" not in page  # priced: not for engineering
    assert not re.search(r"CNY\s+25\.00", head)  # no amount for engineering

    client.post("/language", data={"lang": "zh_CN"})
    zh = before_form(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert "PMC 评审安排" in zh and "紧急" in zh and "评审截止日期" in zh


def test_price_readers_see_the_amount_and_the_priced_file(
    client, login, make_user, make_order, complete, task_of
):
    order = dispatched_order(make_order, complete, make_user)
    task = task_of(order, "review_engineering")
    login(make_user("sales"))  # not the task's department: facts, no form
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r"CNY\s+25\.00", page) and "Urgent" in page
    assert "taskform" not in page


def test_the_dispatch_step_itself_shows_no_instructions(
    client, login, make_user, make_order, complete, task_of
):
    order = make_order()
    complete(order, "confirm_order")
    task = task_of(order, "pmc_dispatch")
    login(make_user("pmc"))
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Dispatch instructions" not in page and order.number in before_form(page)

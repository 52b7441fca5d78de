"""The non-standard order's key screens in the browser: entry with the full specification and a
drawing, a review rejected by engineering, the sales revision with every reviewer's answer in view,
the second round with production's estimates, the customer's confirmation link (QR code, signing
without an account, single use), the review meeting, the release notice, standardisation.
And a tampered confirmation link, which must explain itself without a stack trace."""

from e2e_helpers import complete_task, log_in, open_task, switch_language, t
from playwright.sync_api import Page, expect

from app.extensions import db
from app.modules.confirmations.services import confirmations
from app.modules.orders.models import Customer, ProductionLine

SPEC = {
    "structure_function": "Two-piece bracket, bolted",
    "dimensions_performance": "120x80x6 mm, 2 kN load",
    "technical_requirements": "Drawing BR-7 rev B",
    "process_requirements": "Laser cut, bent, zinc plated",
    "quality_requirements": "Salt spray 48 h",
    "packaging_requirements": "50 per carton",
    "packaging_materials": "Corrugated carton",
}
ITEM = "Custom bracket BR-7"
REVIEWERS = ("engineering", "production", "quality", "warehouse")
INVALID_LINK = (
    "This confirmation link is not valid. Check that it was copied completely, "
    "or ask your sales contact for a new one."
)


def review_round(pages: dict[str, Page], base: str, number: str, engineering: dict) -> None:
    """PMC dispatches, the four departments answer (production with its per-line estimate), the
    PMC head consolidates."""
    open_task(pages["pmc"], base, number)
    complete_task(pages["pmc"], {"review_due": "2027-01-10", "priority": "high"})
    open_task(pages["engineering"], base, number)
    complete_task(pages["engineering"], {"technical_risk": "medium", **engineering})

    production = pages["production"]
    open_task(production, base, number)
    estimates = production.locator("form.taskform table.grid tbody tr")
    expect(estimates).to_have_count(1)
    expect(estimates).to_contain_text(ITEM)
    estimates.locator("input[name$='-hours']").fill("0.75")
    estimates.locator("select[name$='-line']").select_option(label="L1 Line 1")
    complete_task(production, {"decision": "approve"})

    open_task(pages["quality"], base, number)
    complete_task(
        pages["quality"],
        {
            "quality_requirements": "Salt spray 48 h",
            "inspection_plan": ["final"],
            "decision": "approve_with_conditions",
            "conditions": "First article approval",
        },
    )
    open_task(pages["warehouse"], base, number)
    complete_task(pages["warehouse"], {"materials_status": "in_stock", "decision": "approve"})
    open_task(pages["pmc.head"], base, number)
    complete_task(pages["pmc.head"], {"summary": "Consolidated", "confirmed": True})


def test_non_standard_order_from_entry_to_standardisation(
    live_server, new_page, make_user, password, tmp_path
):
    db.session.add_all(
        [
            Customer(name="Nordic Pumps AB", contact="Erik", address="Västerås"),
            ProductionLine(code="L1", name="Line 1"),
        ]
    )
    db.session.commit()
    base = live_server
    people = {dept: make_user(dept) for dept in ("sales", "pmc", *REVIEWERS)}
    people["pmc.head"] = make_user("pmc", role="head")
    pages = {}
    for who, user in people.items():
        pages[who] = new_page()
        log_in(pages[who], base, user, password)
    sales = pages["sales"]

    # 1. Sales enters the non-standard order: the specification sits in the line's <details>.
    drawing = tmp_path / "BR-7.pdf"
    drawing.write_bytes(b"%PDF-1.4\n% bracket drawing\n%%EOF\n")
    sales.get_by_role("link", name="New order").click()
    sales.select_option("#customer_id", label="Nordic Pumps AB")
    sales.select_option("#order_type", "non_standard")
    sales.select_option("#currency", "EUR")
    sales.fill("#requested_date", "2027-02-01")
    line = sales.locator("fieldset.line").first
    expect(line.locator("select[name='lines-0-product_id']")).to_have_value("")
    line.locator("[name='lines-0-description']").fill(ITEM)
    line.locator("[name='lines-0-quantity']").fill("400")
    line.locator("[name='lines-0-unit_price']").fill("3.2")
    expect(line.locator("[name='lines-0-structure_function']")).to_be_hidden()  # details shut
    line.locator("details.specs > summary").click()
    for key, text in SPEC.items():
        line.locator(f"[name='lines-0-{key}']").fill(text)
    sales.set_input_files("#attachments", str(drawing))
    sales.locator("form.orderform button[type=submit]").click()
    expect(sales.locator(".flash-success")).to_be_visible()
    number = sales.locator("h2 a").first.inner_text()
    order_url = sales.url
    expect(sales.locator("#files")).to_contain_text("BR-7.pdf")
    item_row = sales.locator("tr[data-line-id]").first
    expect(item_row).to_contain_text(ITEM)
    item_row.locator("details > summary").click()
    expect(item_row).to_contain_text("120x80x6 mm, 2 kN load")

    open_task(sales, base, number)
    complete_task(
        sales,
        {
            "order_category": "non_standard",
            "packaging_confirmed": True,
            "structure_confirmed": True,
            "dimensions_confirmed": True,
            "requirements": "Salt spray 48 h",
        },
    )

    # 2. First round: engineering rejects. Sales sees every answer on the revise task's page.
    review_round(
        pages, base, number, {"decision": "reject", "comments": "Bend radius too tight for 6 mm"}
    )
    open_task(sales, base, number, step="Revise order with customer")
    answers = sales.locator("table.reviews tbody tr")
    expect(answers).to_have_count(4)
    expect(answers.filter(has_text="Engineering")).to_contain_text("Reject")
    expect(answers.filter(has_text="Engineering")).to_contain_text("Bend radius too tight for 6 mm")
    expect(answers.filter(has_text="Quality")).to_contain_text("First article approval")
    expect(answers.filter(has_text="Production")).to_contain_text("Approve")
    expect(answers.filter(has_text="Warehouse")).to_contain_text("Approve")
    revise_task = sales.url

    sales.goto(order_url)
    sales.get_by_role("link", name="Revise the order").click()
    expect(sales.locator("h1")).to_contain_text(number)
    specs = sales.locator("fieldset.line").first.locator("details.specs")
    if specs.get_attribute("open") is None:
        specs.locator("summary").click()
    dimensions = specs.locator("[name='lines-0-dimensions_performance']")
    expect(dimensions).to_have_value("120x80x6 mm, 2 kN load")
    dimensions.fill("120x80x5 mm, 2 kN load")
    sales.fill("#reason", "Thickness 5 mm as agreed with Erik")
    sales.get_by_role("button", name="Save revision").click()
    expect(sales.locator(".flash-success")).to_contain_text(f"Revision 2 of {number}")
    expect(sales.locator("ol.revisions li")).to_have_count(2)
    expect(sales.locator("ol.revisions")).to_contain_text("Thickness 5 mm as agreed with Erik")

    sales.goto(revise_task)
    complete_task(sales, {"action": "resubmit", "changes_made": "Thickness 5 mm"})

    # 3. Second round: everyone approves; the order waits for the customer.
    review_round(pages, base, number, {"decision": "approve"})
    sales.goto(order_url)
    expect(sales.locator("h2 .status")).to_have_text("Awaiting customer confirmation")
    expect(sales.locator("tr[data-line-id]").first).to_contain_text(
        "The plan uses production's estimate: 0.75 h/unit on L1."
    )

    # 4. Sales makes the link: the page shows the address and an inline QR code.
    asked: list[str] = []
    sales.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    sales.get_by_role("button", name="Create confirmation link").click()
    url = sales.locator("#confirm-url").input_value()
    assert url.startswith(f"{base}/confirm/"), url
    assert asked and "Any link sent before for this order stops working." in asked[0]
    # The copy button puts the link on the clipboard and says so.
    sales.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    copy = sales.get_by_role("button", name="Copy link")
    copy.click()
    expect(sales.get_by_role("button", name="Copied")).to_be_visible()
    assert sales.evaluate("navigator.clipboard.readText()") == url
    qr = sales.locator(".qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100
    open_task(sales, base, number, step="Send the order confirmation")
    complete_task(sales, {"sent_via": "link"})

    # 5. The customer, with no account, opens the link, reads the order and signs.
    customer = new_page()
    customer.goto(url)
    switch_language(customer, "en")  # a visitor starts in the installation default, Chinese
    expect(customer.locator("h1")).to_contain_text(number)
    expect(customer.locator("main")).to_contain_text(ITEM)
    expect(customer.locator(".mainnav")).to_have_count(0)
    customer.fill("#signer_name", "Erik Lund")
    customer.get_by_label("I confirm this order as shown").check()
    customer.get_by_role("button", name="Confirm the order").click()
    expect(customer.locator("h1")).to_have_text("Thank you")
    thanks = customer.locator(".flash-success")
    expect(thanks).to_contain_text(f"Erik Lund confirmed order {number}")
    response = customer.goto(url)
    assert response.status == 410
    expect(customer.locator(".flash-error")).to_contain_text("This link was already used on")
    expect(customer.locator("#signer_name")).to_have_count(0)

    # 6. The PMC head records the review meeting; the order is released and everyone is told.
    head = pages["pmc.head"]
    open_task(head, base, number, step="Hold the order review meeting")
    complete_task(
        head,
        {
            "meeting_date": "2027-01-12",
            "attendees": ["sales", "pmc", "engineering", "production", "quality"],
            "decisions": "Build at 5 mm; first article to quality",
            "minutes": "All present",
        },
    )
    head.goto(order_url)
    expect(head.locator("h2 .status")).to_have_text("Released")
    expect(head.locator("#confirmation")).to_contain_text("Erik Lund confirmed revision 2")

    quality = pages["quality"]
    quality.goto(f"{base}/inbox")
    # Unread: the review task arrived twice (two rounds), then the release notice.
    expect(quality.locator(".mainnav .badge")).to_have_text("3")
    quality.get_by_role("link", name="Notifications").click()
    notice = quality.locator("li[data-kind=order_released]")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(f"Order {number} for Nordic Pumps AB is released to production.")
    expect(notice).to_contain_text("Salt spray 48 h")

    # 7. Engineering turns the item into a catalogue product.
    engineering = pages["engineering"]
    open_task(engineering, base, number, step="Standardise a non-standard item")
    expect(engineering.locator(".card.inset h3")).to_contain_text(ITEM)
    complete_task(
        engineering,
        {
            "make_standard": True,
            "code": "BR-7-5",
            "name": "Bracket BR-7 5 mm",
            "standard_cost": "2.1",
        },
    )
    engineering.goto(order_url)
    expect(engineering.locator("tr[data-line-id]").first).to_contain_text("Standardised as BR-7-5")
    expect(engineering.locator("h2 .status")).to_have_text("Released")
    expect(engineering.locator("ul.open-tasks")).to_have_text("Nothing is waiting.")


def test_tampered_confirmation_link_explains_itself(
    live_server, new_page, make_order, complete, make_user
):
    order = make_order()
    for step in (
        "confirm_order",
        "pmc_dispatch",
        "review_engineering",
        "review_production",
        "review_quality",
        "review_warehouse",
        "pmc_consolidate",
    ):
        complete(order, step)
    assert order.status == "awaiting_customer"
    token = confirmations.issue_link(order, make_user("sales"))
    db.session.commit()
    signature = token.rsplit(".", 1)[1]
    assert len(signature) > 10
    i = len(token) - 6  # inside the signature; its last character may carry only padding bits
    tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]

    page = new_page(locale="zh-CN")
    response = page.goto(f"{live_server}/confirm/{tampered}")
    assert response.status == 410
    expect(page.locator(".flash-error")).to_have_text(t(INVALID_LINK, "zh_CN"))
    expect(page.locator("#signer_name")).to_have_count(0)
    html = page.content()
    for leak in ("Traceback", "BadSignature", "itsdangerous", 'File "'):
        assert leak not in html

    # The genuine link still works: a tampered copy does not use it up.
    page.goto(f"{live_server}/confirm/{token}")
    expect(page.locator("h1")).to_contain_text(order.number)
    expect(page.locator("#signer_name")).to_be_visible()

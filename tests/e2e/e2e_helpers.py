"""Shared steps for the browser tests: logging in, switching language, data the pages show.

Test data is made through the services (fast); the browser does what the user does.
"""

import re

from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from playwright.sync_api import Page, expect

from app.core.users.models import User
from app.extensions import db
from app.modules.orders.models import Customer, Order, Product
from app.modules.orders.services import orders
from app.modules.orders.services.orders import LineInput, OrderInput

LANG_BUTTON = {"en": "English", "zh_CN": "中文"}
PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def t(msgid: str, lang: str, **params) -> str:
    """The text the app shows for `msgid` in `lang`; a Chinese text must really be translated."""
    with force_locale(lang):
        text = babel_gettext(msgid, **params)
    if lang.startswith("zh"):
        assert CJK.search(text), f"no Chinese translation for {msgid!r}"
    return text


def assert_no_sideways_scroll(page: Page) -> None:
    """Nothing on the page is wider than the window. Waits for the page's load first: measured
    before app.css has applied (right after a navigation), any table is wider than a phone."""
    page.wait_for_load_state()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the window"


def switch_language(page: Page, lang: str) -> None:
    """Click the header's language button and wait for the page to come back in that language."""
    page.locator(".langswitch").get_by_role("button", name=LANG_BUTTON[lang]).click()
    expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-CN")


def log_in(
    page: Page,
    base: str,
    user: User | str,
    password: str,
    lang: str = "en",
    landing: str = "/inbox",
) -> None:
    """Log in through the form in `lang`; the user lands on `landing`."""
    username = user if isinstance(user, str) else user.username
    page.goto(f"{base}/login")
    if lang != "zh_CN":  # a new session starts in the installation default, Chinese
        switch_language(page, lang)
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(base + landing) + r"\??$"))
    # The landing page's scripts are deferred: a test that acts at once (a filter htmx sends)
    # must not act before htmx listens, or the action is lost (seen on PostgreSQL in CI).
    page.wait_for_load_state()


def customer(name: str) -> Customer:
    """The customer called `name`, created when missing."""
    found = db.session.scalar(db.select(Customer).where(Customer.name == name))
    if found is None:
        found = Customer(name=name, contact="Contact", address="1 Road", tier="standard")
        db.session.add(found)
        db.session.commit()
    return found


def product(code: str = "P-100", name: str = "Steel flange") -> Product:
    """A catalogue product, created when missing."""
    found = db.session.scalar(db.select(Product).where(Product.code == code))
    if found is None:
        found = Product(code=code, name=name, unit="pcs", standard_cost=5)
        db.session.add(found)
        db.session.commit()
    return found


def place_order(actor: User, customer_name: str = "ACME", **fields) -> Order:
    """An order for `customer_name` entered by `actor` (sales); its review process is started.

    By default one line of 10 catalogue products P-100 at 2.50 (a standard product needs no
    specification)."""
    lines = fields.pop("lines", None) or [
        LineInput(product_id=str(product().id), quantity="10", unit_price="2.5")
    ]
    data = OrderInput(
        customer_id=str(customer(customer_name).id),
        order_type=fields.pop("order_type", "new"),
        lines=lines,
        **fields,
    )
    order = orders.create_order(actor, data)
    db.session.commit()
    return order


VISIBLE_TEXTS_JS = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, noscript, option, [data-bpmn-viewer]')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder]')) {
    if (el.checkVisibility()) out.push(el.placeholder);
  }
  for (const select of document.querySelectorAll('select')) {
    if (!select.checkVisibility()) continue;
    for (const option of select.options) out.push(option.text.trim());
  }
  out.push(document.title);
  return out.filter(Boolean);
}
"""


def visible_texts(page: Page) -> list[str]:
    """Every string a user can see on the page: text, placeholders, choices and the title."""
    return page.evaluate(VISIBLE_TEXTS_JS)


def untranslated(texts: list[str], lang: str, data: list[str]) -> list[str]:
    """The strings not in `lang`, once the user's data (`data`: names, numbers, ...) is removed."""
    wrong = []
    for text in texts:
        if re.fullmatch(r"[0-9a-f]{8,64}", text):  # a content hash
            continue
        rest = text
        for value in sorted(data, key=len, reverse=True):
            rest = rest.replace(value, " ")
        if lang == "en":
            if CJK.search(rest):
                wrong.append(text)
        elif not CJK.search(rest) and re.search(r"[A-Za-z]", rest):
            wrong.append(text)
    return wrong


def open_task(page: Page, base: str, number: str, step: str = "") -> None:
    """From the user's inbox, open the task of order `number` (the row naming `step`, if given)."""
    page.goto(f"{base}/inbox")
    row = page.locator("#inbox-rows tr", has_text=number)
    if step:
        row = row.filter(has_text=step)
    row.locator("a").first.click()
    expect(page.locator("form.taskform")).to_be_visible()


def fill_task_form(page: Page, values: dict) -> None:
    """Answer the open task's form: `values` maps a field name to its value, whatever the widget
    (text, date, textarea, select, radio; a list for checkboxes; True ticks a single checkbox)."""
    form = page.locator("form.taskform")
    for name, value in values.items():
        field = form.locator(f"[name='{name}']")
        kind = field.first.evaluate("e => e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase()")
        if kind == "radio":
            form.locator(f"input[name='{name}'][value='{value}']").check()
        elif kind == "checkbox" and value is True:
            field.check()
        elif kind == "checkbox":
            for item in [value] if isinstance(value, str) else value:
                form.locator(f"input[name='{name}'][value='{item}']").check()
        elif kind == "select":
            field.select_option(value)
        else:
            field.fill(value)


def complete_task(page: Page, values: dict) -> None:
    """Fill the open task's form, press Complete and check the step was accepted."""
    fill_task_form(page, values)
    page.locator("form.taskform button[type=submit]").click()
    expect(page.locator(".flash-success, .flash-error").first).to_be_visible()
    errors = page.locator(".field-error").all_inner_texts()
    assert page.locator(".flash-error").count() == 0, f"the form was refused: {errors}"

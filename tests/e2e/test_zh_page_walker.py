"""Every page a user can reach, in Chinese: no English word may show (issue 16).

The walker logs in as users of each kind (department members and heads, the general manager,
the process owner, the administrator; the customer's confirmation page without a log-in), opens
every GET page of the app with real rows behind it (the route matrix's world: orders waiting and
released, a task of every step that exists, a change, a rush request, a confirmation link, a
migration batch, products, process versions, forms, notifications), waits for the scripts that
draw on the client (the Gantt, the BPMN viewer, the modeler), and reads the text a user sees:
text nodes (HTML and SVG), placeholders, choices and the title — not code, not attributes.

Every run of Latin letters on a Chinese page must be a code or an id (it holds a digit, or is
snake_case), an e-mail address or a URL, a value the test's users typed or named (ZH_DATA), or
a word of ALLOWED_WORDS, the one allow-list, each entry with why it is allowed.
"""

import re
from collections.abc import Iterator

import pytest
from e2e_helpers import log_in
from lxml import etree
from playwright.sync_api import Page

from app.core.processes import migrations
from app.core.processes import versions as processes
from app.core.processes.models import FormVersion, ProcessVersion
from app.core.tasks.models import HumanTask
from app.core.users.models import Department, User
from app.extensions import db
from app.modules.changes.models import ChangeRequest
from app.modules.confirmations.models import Confirmation
from app.modules.orders.models import (
    Attachment,
    Customer,
    Order,
    OrderLine,
    Product,
    ProductionLine,
)
from app.modules.purchasing.models import Component, PurchaseOrder, Receipt, Supplier
from app.modules.quotations.models import Quotation, QuotationLine, QuotationRevision
from app.modules.returns.models import Complaint, Refund, ReturnRequest
from app.modules.rush.models import RushRequest
from app.modules.shipping.models import Shipment
from tests.answers import FORM_ANSWERS, SPECS
from tests.conftest import ROOT
from tests.web.test_route_matrix import ANON, ROUTES, build_world

# The one allow-list: Latin words a Chinese page may show, and why.
ALLOWED_WORDS = {
    "OrderGate": "the product's name, a proper name",
    "English": "the language switch names the other language in that language",
    "PMC": "the planning department's usual abbreviation in Chinese factories: 计划部(PMC)",
    "BPMN": "the name of the process notation (and its file format)",
    "PDF": "a file format",
    "CSV": "a file format (the audit export)",
    "CNY": "ISO 4217 currency code",
    "USD": "ISO 4217 currency code",
    "ID": "an identifier, as Chinese software writes it",
    "URL": "a web address, as Chinese software writes it",
    "email": "the e-mail field's label in Chinese software: 电子邮件 / email",
    "IP": "the address a confirmation came from (IP 地址)",
    "SMTP": "the mail server protocol",
    "HMAC": "the audit seal's algorithm",
    "EUR": "ISO 4217 currency code",
    "HKD": "ISO 4217 currency code",
    "JPY": "ISO 4217 currency code",
    "KB": "a file size unit",
    "MB": "a file size unit",
    "PNG": "a file format",
    "SVG": "an image file format (the modeler's diagram download)",
    "JPEG": "a file format",
    "DWG": "a drawing file format",
    "DXF": "a drawing file format",
    "STEP": "a 3-D model file format (ISO 10303)",
    "Excel": "a product name (the spreadsheet files an order may carry)",
    "Word": "a product name (the document files an order may carry)",
    "PO": "the customer's purchase order (客户 PO 号), as Chinese sales staff write it",
    "OQC": "outgoing quality control (出货检验), the quality department's own abbreviation",
    "IQC": "incoming quality control (来料检验), the quality department's own abbreviation",
    "IPQC": "in-process quality control (制程检验), the quality department's own abbreviation",
    "JSON": "the format of the form files (the forms pages, for process owners)",
    "Schema": "JSON Schema, the name of the standard the form files follow",
    "YYYY-MM-DD": "the ISO 8601 date format a date field expects, as Chinese forms write it",
    "denied": "the audit filter's example: the action code prefix of every refusal (a code)",
}
# The modeler's canvas draws the file it edits: each element's `name` (English by design; the
# Chinese name is the panel's "Chinese name" entry) and lanes named by department key. Those
# names, read from the process's newest version, are data on that canvas only; the palette,
# menus and panel around it are read like any page (docs/I18N.md).
EDITED = re.compile(r"^/processes/(?P<process>[a-z0-9_]+)/edit$")
# Codes and ids: anything with a digit (SO-2026-0001, P-1001, L1, v3, W49), snake_case ids
# (order_lifecycle, review_engineering), e-mail addresses, URLs, content hashes and the paths
# of the project's files (docs/FORMS.md, forms/*.json) that the process owner's pages name.
CODE = re.compile(
    r"\S*\d\S*|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[\w.+-]+@[\w.-]+|https?://\S+|[0-9a-f]{8,64}"
    r"|[\w/-]+\.(?:md|json|bpmn)\b"
)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_\-.@:+']*")
WALKERS = (
    "sales.member",
    "sales.head",
    "pmc.head",
    "engineering.member",
    "management.head",
    "owner",
    "admin",
)
# Pages that answer with a file or a redirect, not a page to read.
NOT_PAGES = {
    "static", "auth.root", "auth.login", "forms_admin.new", "orders.file", "comments.file",
    "orders.diagram", "confirmations.staff_pdf", "confirmations.public_pdf", "audit.export",
    "processes.modeler_xml", "processes.version_xml", "notifications.bell",
    "quotations.pdf", "quotations.signed", "orders.customer_suggestions",
}  # fmt: skip

TEXTS_JS = """
() => {
  const out = [];
  const region = (el) => el.closest('[data-bpmn-modeler] svg') ? 'canvas' : 'page';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    const el = node.parentElement;
    const skip = 'script, style, noscript, option, code, pre, kbd, samp, textarea.code';
    if (!text || !el || el.closest(skip) || el.closest('svg text')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    out.push([region(el), text]);
  }
  // A diagram label wraps over several <tspan> lines, sometimes inside a word ("PM" / "C"):
  // read each label whole.
  for (const el of document.querySelectorAll('svg text')) {
    const text = Array.from(el.childNodes, (n) => n.textContent).join('').replace(/\\s+/g, ' ');
    if (text.trim() && el.checkVisibility({visibilityProperty: true}))
      out.push([region(el), text.trim()]);
  }
  for (const el of document.querySelectorAll('[placeholder]')) {
    if (el.checkVisibility()) out.push([region(el), el.placeholder]);
  }
  for (const select of document.querySelectorAll('select')) {
    if (!select.checkVisibility()) continue;
    for (const option of select.options) out.push([region(select), option.text.trim()]);
  }
  out.push(['page', document.title]);
  return out.filter((item) => item[1]);
}
"""


def zh_data() -> list[str]:
    """What the test's users typed or named: names, addresses, free text, file names."""
    values: list[str] = []
    columns = (
        Customer.name, Customer.contact, Customer.address, Product.code, Product.name,
        Product.unit, ProductionLine.code, ProductionLine.name, User.username,
        User.display_name, Order.number, Order.customer_po, OrderLine.description,
        ChangeRequest.reason, ChangeRequest.customer_ref, RushRequest.reason,
        Confirmation.signer_name, Attachment.file_name, Department.name_en, Shipment.carrier,
        Shipment.tracking_number, Shipment.note, Shipment.receipt_signer, ReturnRequest.reason,
        ReturnRequest.decision_reason, Refund.paid_reference, Complaint.description,
        Component.code, Component.name, Component.unit, Supplier.code, Supplier.name,
        Supplier.contact, PurchaseOrder.number, Receipt.reject_reason, Receipt.note,
        Quotation.payment_terms, Quotation.notes, Quotation.decision_reason,
        Quotation.accepted_by_name, QuotationLine.description, QuotationRevision.reason,
    )  # fmt: skip
    for column in columns:
        values += [v for v in db.session.scalars(db.select(column).distinct()) if v]
    for answers in (SPECS, *FORM_ANSWERS.values()):
        values += [v for v in answers.values() if isinstance(v, str)]
    # Literal answers of the route matrix's world (tests/web/test_route_matrix.py).
    values += ["Priced bracket", "Custom bracket", "Ann Smith", "New price", "VIP", "Go"]
    return sorted({v for v in values if re.search("[A-Za-z]", v)}, key=len, reverse=True)


def leaks(texts: list[str], data: list[str]) -> list[str]:
    """The Latin words of `texts` that are neither data, a code nor an allowed word."""
    found = []
    data = sorted(data, key=len, reverse=True)  # "Engineering review" before "Engineering"
    for text in texts:
        rest = text
        for value in data:
            rest = re.sub(rf"(?<![A-Za-z_]){re.escape(value)}(?![A-Za-z_])", " ", rest)
        rest = CODE.sub(" ", rest)
        words = [w.strip(".:/-'") for w in LATIN.findall(rest)]
        bad = [w for w in words if w and w not in ALLOWED_WORDS]
        if bad:
            found.append(f"{' '.join(bad)!r} in {text[:120]!r}")
    return found


def page_urls(ids: dict[str, str]) -> list[tuple[str, frozenset[str]]]:
    """Every GET page of the route matrix with its ids filled in, and who may open it."""
    urls = []
    for key, cases in ROUTES.items():
        method, endpoint = key.split(" ")
        if method != "GET" or endpoint in NOT_PAGES:
            continue
        for case in cases:
            if case.ok != 200:
                continue
            urls.append((case.url.format(**ids), case.allowed))
    return urls


def extra_urls(ids: dict[str, str], users: dict[str, User]) -> list[tuple[str, str]]:
    """Pages beyond one per route: a task of every step, every process, form and version."""
    extra = []
    first_of_step: dict[str, HumanTask] = {}
    for task in db.session.scalars(db.select(HumanTask).order_by(HumanTask.id)):
        first_of_step.setdefault(task.spec_name, task)
    for task in first_of_step.values():
        dept = task.department.key if task.department else "pmc"
        extra.append((f"/tasks/{task.id}", users.get(f"{dept}.head", users["admin"]).username))
    for process_id, number in db.session.execute(
        db.select(ProcessVersion.process_id, ProcessVersion.number).order_by(ProcessVersion.id)
    ):
        extra.append((f"/processes/{process_id}", "owner"))
        extra.append((f"/processes/{process_id}/versions/{number}", "owner"))
    for name in db.session.scalars(db.select(FormVersion.name).distinct().order_by("name")):
        extra.append((f"/forms/{name}", "owner"))
    extra.append((f"/processes/order_lifecycle/migrations/{ids['refused_batch']}", "owner"))
    extra.append(("/processes/order_lifecycle/diff", "owner"))
    for query in ("?mine=1", "?dept=pmc", "?due=overdue", "?q=nothing-matches"):
        extra.append((f"/inbox{query}", "pmc.head"))
    extra.append(("/orders/999999", "sales.member"))  # the error page
    extra.append(("/admin/users", "sales.member"))  # the refusal page
    return extra


@pytest.fixture
def world(make_user, make_order, complete) -> Iterator[tuple[dict[str, str], dict]]:
    """The route matrix's rows, with every user reading Chinese (the default)."""
    ids, users = build_world(make_user, make_order, complete)
    # A second version whose change to a completed step keeps the orders where they are: the
    # dry run's page says why, the compare page shows the change.
    xml = (ROOT / "workflows" / "order_lifecycle.bpmn").read_text(encoding="utf-8")
    changed = xml.replace('name="due" value="PT8H"', 'name="due" value="PT6H"', 1)
    assert changed != xml
    dmn = {path.name: path.read_bytes() for path in (ROOT / "workflows").glob("*.dmn")}
    deployed = processes.deploy_process(
        "order_lifecycle.bpmn", changed.encode(), users["owner"], dmn
    )
    assert deployed.problems == [] and deployed.created, deployed.problems
    batch = migrations.dry_run(users["owner"], "order_lifecycle", deployed.version.id)
    assert batch.refused, "the dry run should refuse the orders past the changed step"
    ids["refused_batch"] = str(batch.id)
    db.session.execute(db.update(User).values(locale=None))
    db.session.commit()
    yield ids, users


# Forms sent empty (the browser's own checks off): the page that answers shows the validation
# messages. (url, the form, who sends it); `{task}` is a standardisation task of the world.
BAD_INPUT = (
    ("/orders/new", "form.orderform", "sales.member"),
    ("/orders/{order}/changes/new", "form.orderform", "sales.member"),
    ("/rush/new?order_id={order}", "main form.card", "sales.member"),
    ("/tasks/{task}", "form.taskform", "engineering.head"),
    ("/admin/users/new", "form.card.narrow", "admin"),
    ("/catalogue/products", "main form.card", "admin"),
    ("/account/password", "main form[method=post]", "sales.member"),
)
EMPTY_AND_SEND_JS = """
(form) => {
  form.noValidate = true;
  for (const el of form.querySelectorAll('input, textarea')) {
    if (['hidden', 'radio', 'checkbox', 'submit', 'button', 'file'].includes(el.type)) continue;
    el.value = '';
  }
  form.requestSubmit();
}
"""


def edited_names(url: str) -> list[str]:
    """The names the modeler at `url` draws: those of the process's newest version's file."""
    edited = EDITED.match(url)
    if edited is None:
        return []
    xml = db.session.scalar(
        db.select(ProcessVersion.xml)
        .where(ProcessVersion.process_id == edited["process"])
        .order_by(ProcessVersion.number.desc())
        .limit(1)
    )
    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"  # not spiffworkflow's properties
    elements = etree.fromstring(xml.encode()).iter(f"{bpmn}*")
    names = {el.get("name") for el in elements if el.get("name")}
    return sorted(names, key=len, reverse=True)


def read_page(page: Page, url: str, send: str | None = None) -> list[list[str]]:
    """Open `url` (and send its form `send` empty), let the scripts draw, return the visible
    texts as [region, text]."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if send is not None:
        form = page.locator(send).first
        if form.get_attribute("hx-post") is None:
            with page.expect_navigation():
                form.evaluate(EMPTY_AND_SEND_JS)
        else:
            form.evaluate(EMPTY_AND_SEND_JS)
            page.wait_for_timeout(300)
        page.wait_for_load_state("networkidle")
        assert page.locator(".field-error, .flash-error, .errors").count(), f"{url}: no refusal"
    return page.evaluate(TEXTS_JS)


def test_every_page_in_chinese_shows_no_english(live_server, new_page, world, password):
    ids, users = world
    data = zh_data()
    plan: dict[str, list[tuple[str, str | None]]] = {role: [] for role in (ANON, *WALKERS)}
    for url, allowed in page_urls(ids):
        for role in (ANON, *WALKERS):
            if role in allowed:
                plan[role].append((url, None))
                if role != ANON:
                    break
    for url, username in extra_urls(ids, users):
        plan.setdefault(username, []).append((url, None))
    for url, form, username in BAD_INPUT:
        plan.setdefault(username, []).append((url.format(**ids), form))
    problems: list[str] = []
    for role, urls in plan.items():
        if not urls:
            continue
        page = new_page(locale="zh-CN")
        if role != ANON:
            log_in(page, live_server, users[role], password, lang="zh_CN")
        # The browser's own name, which the sessions page shows.
        agent = [page.evaluate("navigator.userAgent")]
        for url, send in dict.fromkeys(urls):
            texts = read_page(page, live_server + url, send)
            for region in {region for region, _ in texts}:
                shown = [text for r, text in texts if r == region]
                if region == "canvas":  # a label wraps at a space or inside a word
                    names = {re.sub(r"\s", "", name) for name in edited_names(url)}
                    shown = [text for text in shown if re.sub(r"\s", "", text) not in names]
                found = leaks(shown, [*agent, *data])
                problems += [f"{url}{' sent empty' if send else ''} ({role}): {x}" for x in found]
    assert not problems, f"{len(problems)} English texts on Chinese pages:\n" + "\n".join(problems)


def test_the_reader_flags_words_and_passes_codes_names_and_allowed_words():
    """What counts as a leak: the walker's rules on known texts (no browser needed)."""
    data = ["Ann Smith", "pcs"]
    texts = [
        "修订版 1 · 2026-12-05 · entered",  # a stored English reason
        "line 1: 50 件/箱",  # an English frame around data
        "订单 SO-2026-0001 · v3 · L1 · order_lifecycle · 10 pcs · CNY 25.00 · PDF",
        "签字人 Ann Smith · ann@example.com · https://factory.example/confirm/x",
        "计划部(PMC) · OrderGate · English",
        "Ann Smithson",  # a longer word is not the name
    ]
    found = leaks(texts, data)
    assert found == [
        "'entered' in '修订版 1 · 2026-12-05 · entered'",
        "'line' in 'line 1: 50 件/箱'",
        "'Ann Smithson' in 'Ann Smithson'",
    ], found
    assert all(reason for reason in ALLOWED_WORDS.values())
    assert "Order received" in edited_names("/processes/order_lifecycle/edit")
    assert edited_names("/processes/order_lifecycle") == []

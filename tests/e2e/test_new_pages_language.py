"""Every string of the schedule, rush, approvals, process and form pages in both languages."""

import re

from e2e_helpers import LANG_BUTTON, log_in, switch_language, untranslated, visible_texts
from playwright.sync_api import expect

from app.core.processes import versions as processes
from app.core.tasks.models import HumanTask
from app.extensions import db
from app.modules.rush.services import rush


def test_new_pages_show_no_untranslated_text(
    live_server, new_page, make_user, plan_world, password
):
    plan_world.order("SO-A", 16, "2027-03-05")
    rushed = plan_world.order("SO-C", 24, "2027-03-31")
    requester = make_user("sales")
    seen = rush.preview_request(requester, rushed.id, "2027-03-03", "")
    request = rush.request_rush(requester, rushed.id, "2027-03-03", "", "VIP", "", seen.preview_key)
    db.session.commit()
    user = make_user(
        "pmc", role="head", username="lee", display_name="Lee", is_admin=True, is_process_owner=True
    )
    lifecycle = processes.latest_version("order_lifecycle")
    assess = db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == request.instance_id, HumanTask.state == "ready"
        )
    )
    data = [
        "lee", "Lee", requester.display_name, "ACME", "SO-A", "SO-C", "L1", "L2", "Line 1",
        "Line 2", "VIP", "CUST-77", "rush_approval", "order_lifecycle", "BPMN", "PMC",
        lifecycle.content_hash[:12], "Order lifecycle", "Part", "P-1", "pcs", "OrderGate",
    ]  # fmt: skip
    page = new_page()
    log_in(page, live_server, user, password)
    problems = []
    paths = [
        "/schedule", "/rush", f"/rush/{request.id}", f"/rush/new?order_id={rushed.id}",
        "/processes", "/processes/order_lifecycle", "/processes/order_lifecycle/diff",
        "/forms", "/catalogue/products", "/approvals", f"/tasks/{assess.id}",
    ]  # fmt: skip
    for path in paths:
        page.goto(live_server + path)
        for lang in ("zh_CN", "en"):
            switch_language(page, lang)
            expect(page).to_have_url(re.compile(re.escape(live_server + path) + r"\??$"))
            # Dates, weeks, numbers, versions and identifiers (process, form and element ids)
            # are data, the same in both languages.
            texts = [
                t
                for t in visible_texts(page)
                if not re.fullmatch(r"[\d\-W:. →/%]+|v\d+|[a-z][a-z0-9_]*", t)
            ]
            wrong = untranslated(texts, lang, [*LANG_BUTTON.values(), "CNY", *data])
            if wrong:
                problems.append(f"{path} in {lang}: {wrong}")
    assert not problems, "\n".join(problems)

"""Browser: a process owner edits a form's JSON Schema, previews it and publishes a version."""

import json

from e2e_helpers import log_in
from playwright.sync_api import expect

from app.core.processes import versions as processes


def test_form_schema_is_checked_previewed_and_published(live_server, new_page, make_user, password):
    owner = make_user(None, is_process_owner=True)
    page = new_page()
    log_in(page, live_server, owner, password)
    page.get_by_role("link", name="Forms", exact=True).click()
    page.locator("tr[data-form='rush_approval'] a").click()
    expect(page.locator(".form-preview input[name='decision']")).to_have_count(2)
    before = processes.latest_form("rush_approval").number

    page.fill("#content", '{"type": "object"')
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.locator("[data-problems]")).to_contain_text("This is not valid JSON")
    expect(page.locator(".form-preview .empty")).to_be_visible()

    doc = json.loads(processes.latest_form("rush_approval").content)
    doc["x-ui"]["fields"]["notes"]["label"]["en"] = "Remarks for the planner"
    page.fill("#content", json.dumps(doc, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Check and preview").click()
    expect(page.locator(".form-preview")).to_contain_text("Remarks for the planner")
    assert processes.latest_form("rush_approval").number == before
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.locator(".flash-success")).to_contain_text(f"version {before + 1} was published")
    assert processes.latest_form("rush_approval").number == before + 1

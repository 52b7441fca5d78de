"""The /forms editor refuses a pattern RE2 cannot run, naming the field, and publishes nothing."""

import html
import json

from app.core.processes import versions as processes


def test_the_editor_refuses_a_backreference_pattern(client, login, make_user):
    login(make_user(None, is_process_owner=True))
    client.post("/language", data={"lang": "en"})
    current = processes.latest_form("standardise_item")
    doc = json.loads(current.content)
    doc["properties"]["code"]["pattern"] = r"^(\w)\1$"

    response = client.post(
        "/forms/standardise_item", data={"content": json.dumps(doc), "action": "publish"}
    )

    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Field 'code': the pattern '^(\\\\w)\\\\1$' cannot be used" in page
    assert "backreferences" in page
    assert processes.latest_form("standardise_item").number == current.number

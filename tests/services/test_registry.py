"""The registry through which domains plug into the core (app/core/tasks/registry.py)."""

from types import SimpleNamespace

import pytest

from app.core.tasks import registry
from app.core.tasks.registry import Panel, TaskPage


@pytest.fixture
def clean_registry(monkeypatch):
    """An empty registry for the test; the app's registrations come back afterwards."""
    monkeypatch.setattr(registry, "_STEPS", {})
    monkeypatch.setattr(registry, "_TASK_PANELS", [])
    monkeypatch.setattr(registry, "_OUTCOME_LISTENERS", [])
    monkeypatch.setattr(registry, "_SUBMITTED", {})


def test_two_domains_hook_one_step_and_both_run(clean_registry):
    seen = []

    def check_a(task, data, formdata, errors):
        errors["a"] = "from a"
        return {"a": 1}

    def check_b(task, data, formdata, errors):
        return {"b": 2}

    registry.register_step("approve", check=check_a, apply=lambda *args: seen.append("a"))
    registry.register_step(("approve", "other"), check=check_b)
    task = SimpleNamespace(spec_name="approve")
    errors = {}
    assert registry.check_step(task, {}, {}, errors) == {"a": 1, "b": 2}
    assert errors == {"a": "from a"}
    registry.apply_step(task, {}, {}, None)
    assert seen == ["a"]
    assert registry.check_step(SimpleNamespace(spec_name="unhooked"), {}, {}, {}) == {}


def test_registering_again_does_not_run_a_hook_twice(clean_registry):
    """Every app the process builds (tests build many) registers its domains again."""
    calls = []

    def apply(task, data, extra, actor):
        calls.append(task.spec_name)

    for _ in range(3):
        registry.register_step("step", apply=apply)
        registry.register_outcome_listener(print)
    registry.apply_step(SimpleNamespace(spec_name="step"), {}, {}, None)
    assert calls == ["step"]
    assert registry.outcome_listeners() == [print]


def test_task_panels_are_grouped_by_slot_and_ordered(clean_registry):
    registry.register_task_panels(
        lambda task, page: [Panel("before_form", "late.html", order=40), Panel("title", text="X")]
    )
    registry.register_task_panels(lambda task, page: [Panel("before_form", "early.html", order=10)])
    page = TaskPage(viewer=None, can_act=True)
    found = registry.task_panels(SimpleNamespace(), page)
    assert [p.template for p in found["before_form"]] == ["early.html", "late.html"]
    assert [p.text for p in found["title"]] == ["X"]
    assert found["aside"] == [] and found["in_form"] == [] and found["below"] == []


def test_a_panel_for_an_unknown_slot_is_a_programming_error(clean_registry):
    registry.register_task_panels(lambda task, page: [Panel("sidebar", "x.html")])
    with pytest.raises(ValueError, match="sidebar"):
        registry.task_panels(SimpleNamespace(), TaskPage(viewer=None, can_act=False))


def test_a_panels_order_is_a_keyword_not_a_fourth_positional():
    """Panel(slot, template, context, 30) would make 30 the panel's text and leave it at 50."""
    with pytest.raises(TypeError):
        Panel("before_form", "x.html", {}, 30)
    assert Panel("before_form", "x.html", {}, order=30).order == 30


def test_step_process_data_merges_every_domain(clean_registry):
    registry.register_step("s", process_data=lambda task: {"x": 1})
    registry.register_step("s", process_data=lambda task: {"y": 2})
    assert registry.step_process_data(SimpleNamespace(spec_name="s")) == {"x": 1, "y": 2}


def test_the_app_registers_every_domain(app):
    """Built by create_app: the domains' kinds, steps, panels and create forms are known."""
    for kind in ("order_lifecycle", "change", "rush"):
        assert registry.handlers(kind) is not registry.NOTHING
    assert registry.handlers("order_lifecycle").on_error is not None
    for step in ("review_production", "standardise_item", "gm_approval", "confirm_order"):
        assert step in registry.hooked_steps(), step
    for kind, endpoint in (
        ("order", "orders.detail"),
        ("change_request", "changes.detail"),
        ("rush_request", "rush.detail"),
        ("calendar_day", "schedule.index"),
    ):
        assert registry.submitted_page(kind).endpoint == endpoint


def test_every_notification_kind_sent_today_has_its_domains_template(app):
    from app.core.notifications import services as notifications

    for kind, template in (
        ("order_released", "orders/_notice_released.html"),
        ("process_cancelled", "orders/_notice_cancelled.html"),
        ("order_delayed", "schedule/_notice_delayed.html"),
        ("order_unplannable", "changes/_notice_unplannable.html"),
    ):
        assert notifications.template_for(kind) == template
        app.jinja_env.get_template(template)  # exists where its domain keeps it
    assert notifications.template_for("nobody_sends_this") is None

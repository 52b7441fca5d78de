"""Timers on user tasks remind, then escalate to the department head and the general manager,
counting working time on the app's (moved) clock; interrupting timers close the task; ISO 8601
dates, durations and cycles as the modeler writes them (docs/DEADLINES.md)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from app import worker
from app.core.audit.models import AuditEvent
from app.core.notifications.models import Notification
from app.core.processes import versions as processes
from app.core.tasks import instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.extensions import db
from tests.clocks import SHANGHAI
from tests.engine.builders import diagram, flow, user_task


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def boundary(event_id: str, kind: str, value: str, escalate: str = "", cancel: bool = False) -> str:
    """A timer on the boundary of the task `review`, as the modeler writes it."""
    props = (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="escalate" value="{escalate}" />'
        "</spiffworkflow:properties></bpmn:extensionElements>"
        if escalate
        else ""
    )
    return (
        f'<bpmn:boundaryEvent id="{event_id}" attachedToRef="review" '
        f'cancelActivity="{"true" if cancel else "false"}">{props}'
        f'<bpmn:timerEventDefinition id="{event_id}_def">'
        f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{value}</bpmn:{kind}>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )


def review_process(process_id: str, *timers: str, after_timeout: bool = False) -> bytes:
    """start -> review (sales, due PT8H) -> end, with the given boundary timers; the first
    timer leads to `chase` (sales) when `after_timeout`."""
    body = [
        '<bpmn:startEvent id="start" />',
        user_task("review", "order_intake", due="PT8H"),
        *timers,
        '<bpmn:endEvent id="end" />',
        flow("f0", "start", "review"),
        flow("f1", "review", "end"),
    ]
    nodes = ["review"]
    if after_timeout:
        first = timers[0].split('id="', 1)[1].split('"', 1)[0]
        body += [
            user_task("chase", "order_intake", due="PT8H"),
            '<bpmn:endEvent id="chased" />',
            flow("f2", first, "chase"),
            flow("f3", "chase", "chased"),
        ]
        nodes.append("chase")
    xml = diagram("\n".join(body), lane_nodes=nodes)
    return xml.replace(b'<bpmn:process id="proc"', f'<bpmn:process id="{process_id}"'.encode())


def deploy_and_start(process_id: str, xml: bytes, make_user) -> ProcessInstance:
    deployed = processes.deploy_process(f"{process_id}.bpmn", xml, None)
    assert deployed.created and deployed.problems == [], deployed.problems
    instance = instances.start_process(process_id, make_user("sales"))
    db.session.commit()
    return instance


def notices(kind: str) -> list[tuple[int, dict]]:
    """(user id, parameters) of the notifications of `kind`, oldest first."""
    rows = db.session.scalars(
        db.select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    )
    return [(row.user_id, json.loads(row.params)) for row in rows]


def escalations() -> list[dict]:
    rows = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "task.escalate").order_by(AuditEvent.id)
    )
    return [json.loads(row.data) if isinstance(row.data, str) else row.data for row in rows]


def review_row(instance: ProcessInstance, spec: str = "review") -> HumanTask:
    return db.session.scalar(
        db.select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.spec_name == spec
        )
    )


def fire(at_time: datetime, fake_clock) -> int:
    fake_clock.set(at_time)
    fired = worker.run_once()
    db.session.expire_all()
    return fired


def test_remind_then_head_then_general_manager_in_working_time(make_user, fake_clock):
    member = make_user("sales")
    head = make_user("sales", role="head")
    manager = make_user("management", role="head")
    make_user("management")  # a management member is not the general manager
    fake_clock.set(at(3, 2, 9))  # Monday 09:00
    instance = deploy_and_start(
        "escalating_review",
        review_process(
            "escalating_review",
            boundary("review_remind", "timeDuration", "PT4H", "remind"),
            boundary("review_escalate", "timeCycle", "R2/PT8H", "head,manager"),
        ),
        make_user,
    )
    task = review_row(instance)
    assert task.due_at == at(3, 3, 8, 30)
    # Four working hours from 09:00 end at 14:00 (lunch does not count).
    assert instance.next_timer_at == at(3, 2, 14)
    assert fire(at(3, 2, 13, 59), fake_clock) == 0 and notices("task_reminder") == []

    assert fire(at(3, 2, 14), fake_clock) == 1
    reminded = sorted(uid for uid, _ in notices("task_reminder"))
    assert member.id in reminded and head.id in reminded and manager.id not in reminded
    assert notices("task_reminder")[0][1]["task_id"] == task.id
    assert notices("task_escalated") == []

    # The cycle's first firing, eight working hours after 09:00: Tuesday 08:30, to the head.
    assert fire(at(3, 3, 8, 29), fake_clock) == 0
    assert fire(at(3, 3, 8, 30), fake_clock) == 1
    assert [(uid, p["level"]) for uid, p in notices("task_escalated")] == [(head.id, "head")]
    # The second, eight working hours later (Tuesday 17:30): the general manager.
    assert db.session.get(ProcessInstance, instance.id).next_timer_at == at(3, 3, 17, 30)
    assert fire(at(3, 3, 17, 29), fake_clock) == 0
    assert fire(at(3, 3, 17, 30), fake_clock) == 1
    assert [(uid, p["level"]) for uid, p in notices("task_escalated")] == [
        (head.id, "head"),
        (manager.id, "manager"),
    ]
    assert [(e["level"], e["timer"]) for e in escalations()] == [
        ("remind", "review_remind"),
        ("head", "review_escalate"),
        ("manager", "review_escalate"),
    ]
    assert escalations()[2]["notified"] == [manager.id]
    # R2: nothing more waits; the task itself is still open for its department.
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.next_timer_at is None and instance.status == "running"
    assert review_row(instance).state == "ready"
    assert fire(at(3, 20, 9), fake_clock) == 0 and len(escalations()) == 3


def test_the_assignee_alone_is_reminded_and_a_done_task_stops_its_timers(make_user, fake_clock):
    member = make_user("sales")
    other = make_user("sales")
    fake_clock.set(at(3, 2, 9))
    instance = deploy_and_start(
        "assigned_review",
        review_process(
            "assigned_review",
            boundary("review_remind", "timeDuration", "PT1H", "remind"),
            boundary("review_escalate", "timeDuration", "PT2H", "head"),
        ),
        make_user,
    )
    task = review_row(instance)
    task.assignee_id = member.id
    db.session.commit()
    assert fire(at(3, 2, 10), fake_clock) == 1
    assert [uid for uid, _ in notices("task_reminder")] == [member.id]
    assert other.id not in [uid for uid, _ in notices("task_reminder")]
    # Completing the task cancels the timers still waiting on it.
    instances.complete_by_event(instance, "review", {"done": True}, "test")
    db.session.commit()
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.status == "completed" and instance.next_timer_at is None
    assert fire(at(3, 2, 16), fake_clock) == 0 and notices("task_escalated") == []


def test_a_department_without_head_escalates_to_the_general_manager(make_user, fake_clock):
    manager = make_user("management", role="head")
    fake_clock.set(at(3, 2, 9))
    deploy_and_start(
        "headless_review",
        review_process(
            "headless_review", boundary("review_escalate", "timeDuration", "PT1H", "head")
        ),
        make_user,
    )
    assert fire(at(3, 2, 10), fake_clock) == 1
    assert [uid for uid, _ in notices("task_escalated")] == [manager.id]


def test_an_interrupting_timer_closes_the_task_and_takes_its_path(make_user, fake_clock):
    head = make_user("sales", role="head")
    fake_clock.set(at(3, 2, 9))
    instance = deploy_and_start(
        "timed_out_review",
        review_process(
            "timed_out_review",
            boundary("review_timeout", "timeDuration", "PT8H", "head", cancel=True),
            after_timeout=True,
        ),
        make_user,
    )
    assert fire(at(3, 3, 8, 29), fake_clock) == 0
    assert fire(at(3, 3, 8, 30), fake_clock) == 1
    assert review_row(instance).state == "cancelled"
    assert review_row(instance, "chase").state == "ready"
    ((uid, params),) = notices("task_escalated")
    assert uid == head.id and params["closed"] is True


@pytest.mark.parametrize(
    ("kind", "value", "fires_at"),
    [
        # A date without an offset is the factory's local time; with one, that offset.
        ("timeDate", "2026-03-02T15:00:00", at(3, 2, 15)),
        ("timeDate", "2026-03-02T07:00:00Z", at(3, 2, 15)),
        # A duration on a user task counts working time (Monday 17:00 + 1 hour).
        ("timeDuration", "PT1H", at(3, 3, 8, 30)),
        ("timeDuration", "P1D", at(3, 3, 17)),
        # A cycle: a start date and an interval, or just an interval.
        ("timeCycle", "R3/2026-03-02T15:00:00+08:00/PT1H", at(3, 2, 15)),
        ("timeCycle", "R/PT1H", at(3, 3, 8, 30)),
    ],
)
def test_iso_8601_timer_values_from_the_modeler_fire_on_time(
    make_user, fake_clock, kind, value, fires_at
):
    make_user("sales", role="head")
    fake_clock.set(at(3, 2, 9) if kind == "timeDate" or "2026" in value else at(3, 2, 17))
    name = f"iso_{kind.lower()}"
    instance = deploy_and_start(
        name, review_process(name, boundary("review_late", kind, value, "head")), make_user
    )
    assert instance.next_timer_at == fires_at
    assert fire(fires_at - timedelta(minutes=1), fake_clock) == 0
    assert fire(fires_at, fake_clock) == 1
    assert len(notices("task_escalated")) == 1


def test_publishing_refuses_bad_timer_values_and_escalation_settings():
    def problems(*timers: str) -> list[str]:
        xml = review_process("refused", *timers)
        return [p.message for p in processes.deploy_process("refused.bpmn", xml, None).problems]

    assert any("'soon'" in m for m in problems(boundary("t", "timeDuration", "soon", "head")))
    assert any("longer than" in m for m in problems(boundary("t", "timeDuration", "P10Y")))
    assert any("longer than" in m for m in problems(boundary("t", "timeCycle", "R2/PT9000H")))
    assert any("'boss'" in m for m in problems(boundary("t", "timeDuration", "PT1H", "boss")))
    assert any("2026-13-01" in m for m in problems(boundary("t", "timeDate", "2026-13-01T00:00")))


def test_the_reminder_and_the_escalation_read_in_the_users_language(
    client, login, make_user, fake_clock
):
    member = make_user("sales", locale="zh_CN")
    head = make_user("sales", role="head", locale="en")
    fake_clock.set(at(3, 2, 9))
    deploy_and_start(
        "worded_review",
        review_process(
            "worded_review",
            boundary("review_remind", "timeDuration", "PT1H", "remind"),
            boundary("review_escalate", "timeDuration", "PT2H", "head"),
        ),
        make_user,
    )
    assert fire(at(3, 2, 11), fake_clock) == 1
    login(member)
    page = client.get("/notifications").get_data(as_text=True)
    assert "提醒：“Review”正在等待您处理。" in page and "2026-03-03 08:30" in page
    login(head)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Escalated to you as department head: “Review” is overdue." in page


def test_the_shipped_lifecycle_reminds_and_escalates_a_late_review(
    make_order, complete, make_user, task_of, fake_clock
):
    engineer = make_user("engineering")
    head = make_user("engineering", role="head")
    manager = make_user("management", role="head")
    fake_clock.set(at(3, 2, 9))  # Monday 09:00
    order = make_order()
    for step in ("confirm_order", "pmc_dispatch"):
        complete(order, step)
    review = task_of(order, "review_engineering")
    # PT24H from Monday 09:00: 7.5 h on Monday, 8.5 h on Tuesday, 8 h on Wednesday.
    assert review.due_at == at(3, 4, 17)
    # review_engineering_remind (PT16H): the end of Tuesday.
    assert fire(at(3, 3, 17, 29), fake_clock) == 0
    assert fire(at(3, 3, 17, 30), fake_clock) == 1  # one instance, its four reviews reminded
    assert sorted(e["step"] for e in escalations()) == [
        "Engineering review",
        "Production review",
        "Quality review",
        "Warehouse review",
    ]
    engineering = [uid for uid, p in notices("task_reminder") if p["task_id"] == review.id]
    assert sorted(engineering) == sorted([engineer.id, head.id])
    # review_engineering_escalate (R2/PT24H): the head at the due time, then the GM.
    assert fire(at(3, 4, 17), fake_clock) == 1
    to_head = [uid for uid, p in notices("task_escalated") if p["task_id"] == review.id]
    assert to_head == [head.id]
    complete(order, "review_engineering")  # done: its timers stop
    # 24 working hours after Wednesday 17:00 is Monday 15:30: the other three reach the GM.
    assert fire(at(3, 9, 15, 29), fake_clock) == 0
    assert fire(at(3, 9, 15, 30), fake_clock) == 1
    late = {p["task_id"] for uid, p in notices("task_escalated") if uid == manager.id}
    assert review.id not in late and len(late) == 3
    levels = [e["level"] for e in escalations()]
    assert levels == ["remind"] * 4 + ["head"] * 4 + ["manager"] * 3


def test_a_task_waiting_on_its_co_signer_still_reminds_and_escalates(make_user, fake_clock):
    """A task held by a before-co-signer is open: its timers go on, and the reminder goes to the
    co-signer the task waits for (the holder cannot act until the opinion is in)."""
    from app.core.tasks import actions

    holder = make_user("sales")
    cosigner = make_user("sales")
    head = make_user("sales", role="head")
    fake_clock.set(at(3, 2, 9))
    instance = deploy_and_start(
        "cosigned_review",
        review_process(
            "cosigned_review",
            boundary("review_remind", "timeDuration", "PT1H", "remind"),
            boundary("review_escalate", "timeDuration", "PT2H", "head"),
        ),
        make_user,
    )
    task = review_row(instance)
    task.assignee_id = holder.id
    db.session.commit()
    actions.add_cosigner(task.id, holder, cosigner.id, "before", "please check")
    db.session.commit()
    assert db.session.get(HumanTask, task.id).state == "waiting"

    assert fire(at(3, 2, 10), fake_clock) == 1
    assert [uid for uid, _ in notices("task_reminder")] == [cosigner.id]
    assert fire(at(3, 2, 11), fake_clock) == 1
    [(told, params)] = notices("task_escalated")
    assert told == head.id and params["closed"] is False
    assert escalations()[-1]["notified"] == [head.id]

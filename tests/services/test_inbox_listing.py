"""The inbox listing with many tasks: sort by every column, paging through all of them, tab
counts with overdue counts, search in both languages, filters, head-only grouping, amounts
following the price rule, and bad query values reported, never failing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core import clock
from app.core.subjects.models import Subject
from app.core.tasks import inbox_query, listing
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import Department
from app.extensions import db

STEPS = [
    ("confirm_order", "Confirm order details", "确认订单信息"),
    ("pmc_check", "PMC check of a repeat order", "PMC 审核返单"),
    ("review_meeting", "Hold the review meeting", "召开评审会"),
]
PRIORITIES = ["", "normal", "high", "urgent"]


def dept(key: str) -> Department:
    return db.session.scalar(db.select(Department).where(Department.key == key))


@pytest.fixture
def world(make_user):
    """61 open sales tasks about 61 subjects (every 5th overdue, every 7th head-only), 3 done
    ones, 4 open quality tasks (one overdue)."""
    now = clock.utcnow()
    instance = ProcessInstance(process_version_id=1, kind="test", state=b"{}")
    db.session.add(instance)
    db.session.flush()
    sales, quality = dept("sales"), dept("quality")
    member = make_user("sales", display_name="Mia Member")
    other = make_user("sales", display_name="Al Other")
    tasks = []
    for n in range(61):
        spec, name, name_zh = STEPS[n % 3]
        db.session.add(
            Subject(
                type="thing",
                key=n,
                reference=f"SO-{n:04d}",
                customer=["ACME", "Beta Works", "晨光电子"][n % 3],
                amount=Decimal(1000 - n),
                currency="CNY",
                promised_on=date(2027, 1, 1) + timedelta(days=(n * 7) % 30),
                priority=PRIORITIES[n % 4],
            )
        )
        task = HumanTask(
            instance_id=instance.id,
            task_id=f"t{n}",
            spec_name=spec,
            name=name,
            name_zh=name_zh,
            department_id=sales.id,
            role="head" if n % 7 == 0 else None,
            state="ready",
            subject_type="thing",
            subject_key=n,
            created_at=now - timedelta(days=n % 10, minutes=n),
            due_at=now + (timedelta(hours=-1 - n) if n % 5 == 0 else timedelta(days=1 + n)),
            assignee_id=member.id if n % 4 == 1 else other.id if n % 4 == 2 else None,
        )
        db.session.add(task)
        tasks.append(task)
    for n in range(3):
        db.session.add(
            HumanTask(
                instance_id=instance.id,
                task_id=f"done{n}",
                spec_name="confirm_order",
                name="Confirm order details",
                department_id=sales.id,
                state="completed",
                due_at=now - timedelta(days=3),
            )
        )
    for n in range(4):
        db.session.add(
            HumanTask(
                instance_id=instance.id,
                task_id=f"q{n}",
                spec_name="review_quality",
                name="Quality review",
                department_id=quality.id,
                state="ready",
                due_at=now + timedelta(days=-1 if n == 0 else 2),
            )
        )
    db.session.commit()
    return {"sales": sales, "quality": quality, "member": member, "tasks": tasks}


def page_of(user, args, department_id, locale="en", prices=True):
    query = inbox_query.parse(args, may_sort_amount=prices)
    return listing.list_page(user, query, department_id, locale)


def head_only(n: int) -> bool:
    return n % 7 == 0


def test_tab_counts_count_open_and_overdue_tasks_per_department(world):
    counts = listing.tab_counts()
    sales, quality = world["sales"].id, world["quality"].id
    assert counts[sales] == listing.TabCount(open=61, overdue=13)  # 0, 5, ..., 60
    assert counts[quality] == listing.TabCount(open=4, overdue=1)
    assert sum(c.open for c in counts.values()) == 65  # the completed ones are not counted


def test_paging_walks_through_every_task_once_with_the_total(world, make_user):
    head = make_user("sales", role="head")
    seen = []
    for number in range(1, 8):
        page = page_of(head, {"page": str(number), "size": "10"}, world["sales"].id)
        assert page.total == 61 and page.pages == 7 and page.page == number
        seen += [task.id for task in page.rows]
    assert len(seen) == 61 and len(set(seen)) == 61
    last = page_of(head, {"page": "7", "size": "10"}, world["sales"].id)
    assert (last.first, last.last, len(last.rows)) == (61, 61, 1)
    beyond = page_of(head, {"page": "99", "size": "10"}, world["sales"].id)
    assert beyond.page == 7 and len(beyond.rows) == 1  # past the end shows the last page
    everything = page_of(head, {"size": "200"}, world["sales"].id)
    assert len(everything.rows) == 61  # no hidden cap


@pytest.mark.parametrize(
    ("column", "key"),
    [
        ("reference", lambda t: t.subject.reference),
        ("customer", lambda t: t.subject.customer),
        ("amount", lambda t: t.subject.amount),
        ("promised", lambda t: t.subject.promised_on),
        ("due", lambda t: t.due_at),
        ("step", lambda t: t.name),
        ("priority", lambda t: listing.PRIORITY_RANK.get(t.subject.priority, 4)),
    ],
)
def test_every_column_sorts_both_ways(world, make_user, column, key):
    head = make_user("sales", role="head")
    up = page_of(head, {"sort": column, "size": "200"}, world["sales"].id).rows
    down = page_of(head, {"sort": column, "dir": "desc", "size": "200"}, world["sales"].id).rows
    assert [key(t) for t in up] == sorted(key(t) for t in up)
    assert [key(t) for t in down] == sorted((key(t) for t in down), reverse=True)
    assert len(up) == 61


def test_waiting_and_claimed_sort(world, make_user):
    head = make_user("sales", role="head")
    longest = page_of(head, {"sort": "waiting", "dir": "desc", "size": "200"}, world["sales"].id)
    created = [t.created_at for t in longest.rows]
    assert created == sorted(created)  # waited longest first
    claimed = page_of(head, {"sort": "claimed", "size": "200"}, world["sales"].id).rows
    names = [t.assignee.display_name for t in claimed if t.assignee]
    assert names == sorted(names) and claimed[-1].assignee is None  # nobody's last


def test_step_sorts_by_the_name_in_the_readers_language(world, make_user):
    head = make_user("sales", role="head")
    rows = page_of(head, {"sort": "step", "size": "200"}, world["sales"].id, "zh_CN").rows
    names = [t.display_name("zh_CN") for t in rows]
    assert names == sorted(names)


def test_search_finds_the_chinese_step_name_customer_and_reference(world, make_user):
    head = make_user("sales", role="head")
    confirm = page_of(head, {"q": "确认", "size": "200"}, world["sales"].id, "en")
    assert confirm.total == 21 and {t.spec_name for t in confirm.rows} == {"confirm_order"}
    english = page_of(head, {"q": "confirm ORDER"}, world["sales"].id, "zh_CN")
    assert english.total == 21
    assert page_of(head, {"q": "晨光"}, world["sales"].id).total == 20
    found = page_of(head, {"q": "SO-0042"}, world["sales"].id).rows
    assert [t.subject.reference for t in found] == ["SO-0042"]
    assert page_of(head, {"q": "100%"}, world["sales"].id).total == 0  # % is a character


def test_filters_step_customer_due_claimed_and_waiting(world, make_user):
    head = make_user("sales", role="head")
    member = world["member"]
    sales = world["sales"].id
    assert page_of(head, {"step": "pmc_check"}, sales).total == 20
    assert page_of(head, {"customer": "beta"}, sales).total == 20
    overdue = page_of(head, {"due": "overdue", "size": "200"}, sales)
    assert overdue.total == 13 and all(t.due_at < clock.utcnow() for t in overdue.rows)
    week = page_of(head, {"due": "week", "size": "200"}, sales)
    assert {t.id for t in overdue.rows} <= {t.id for t in week.rows}
    assert page_of(head, {"due": "today"}, sales).total >= 13
    mine = page_of(member, {"claimed": "me", "size": "200"}, sales)
    assert mine.rows and all(t.assignee_id == member.id for t in mine.rows)
    nobody = page_of(head, {"claimed": "nobody", "size": "200"}, sales)
    assert nobody.rows and all(t.assignee_id is None for t in nobody.rows)
    waited = page_of(head, {"waiting": "5", "size": "200"}, sales)
    assert waited.total == 30  # n % 10 >= 5
    legacy = page_of(head, {"overdue": "1", "unassigned": "1"}, sales)
    assert legacy.query.due == "overdue" and legacy.query.claimed == "nobody"


def test_members_see_head_only_tasks_apart(world, make_user):
    sales = world["sales"].id
    member = world["member"]
    act = page_of(member, {"size": "200"}, sales)
    assert act.total == 52 and act.head_total == 9 and act.act_total == 52
    assert not any(t.role == "head" for t in act.rows)
    waiting = page_of(member, {"group": "head", "size": "200"}, sales)
    assert waiting.total == 9 and all(t.role == "head" for t in waiting.rows)
    head = make_user("sales", role="head")
    assert page_of(head, {"size": "200"}, sales).total == 61  # the head acts on all of them
    assert page_of(head, {}, sales).head_total == 0
    quality_head = make_user("quality", role="head")  # another department's head
    assert page_of(quality_head, {}, sales).head_total == 9


def test_amount_sort_is_refused_to_readers_who_may_not_see_prices(world, make_user):
    worker = make_user("production")
    page = page_of(worker, {"sort": "amount"}, world["sales"].id, prices=False)
    assert page.query.sort == "due"
    assert len(page.query.errors) == 1  # said why, in the reader's language


@pytest.mark.parametrize(
    "args",
    [
        {"sort": "drop table"},
        {"dir": "sideways"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "9" * 30},
        {"size": "5"},
        {"size": "201"},
        {"size": "ten"},
        {"due": "yesterday"},
        {"claimed": "bob"},
        {"waiting": "-1"},
        {"waiting": "99999"},
        {"group": "admins"},
        {"q": "x" * 101},
        {"customer": "c" * 201},
        {"step": "<script>"},
        {"dept": "Sales!"},
    ],
)
def test_bad_query_values_give_a_message_and_fall_back(world, make_user, args):
    head = make_user("sales", role="head")
    page = page_of(head, args, world["sales"].id)
    assert page.query.errors
    assert page.total == 61 and page.query.page == 1 and page.query.size == 50


def test_the_query_writes_itself_back_without_defaults():
    query = inbox_query.parse({"q": "确认", "sort": "amount", "dir": "desc", "page": "3"})
    assert query.to_args() == {"q": "确认", "sort": "amount", "dir": "desc", "page": "3"}
    assert inbox_query.parse(query.to_args()) == query
    assert query.sorted_by("amount") == {"q": "确认", "sort": "amount"}
    assert query.sorted_by("due") == {"q": "确认"}


def test_a_co_sign_task_is_listed_for_its_assignee_only(world, make_user):
    sales = world["sales"]
    member = world["member"]
    cosigner = make_user("sales", display_name="Cosi Signer")
    original = world["tasks"][1]
    db.session.add(
        HumanTask(
            instance_id=original.instance_id,
            task_id="cosign-1",
            spec_name=original.spec_name,
            name="Co-sign: " + original.name,
            department_id=sales.id,
            state="ready",
            parent_id=original.id,
            assignee_id=cosigner.id,
        )
    )
    db.session.commit()
    mine = page_of(cosigner, {"claimed": "me", "size": "200"}, sales.id)
    assert [t.task_id for t in mine.rows] == ["cosign-1"]
    theirs = page_of(member, {"size": "200"}, sales.id)
    assert "cosign-1" not in {t.task_id for t in theirs.rows} and theirs.total == 52
    head = make_user("sales", role="head")
    assert page_of(head, {"size": "200"}, sales.id).total == 61  # not the head's either
    assert listing.tab_counts()[sales.id].open == 62  # still open work of the department


def test_a_task_waiting_for_its_co_signer_is_listed_apart(world, make_user):
    """A task held by a co-signer's opinion or a delegate's answer stays in the department's
    inbox, in its own group: nobody can act on it now, but nobody loses sight of it either."""
    sales = world["sales"].id
    member = world["member"]
    held = world["tasks"][1]  # not head-only
    held.state = "waiting"
    db.session.commit()
    act = page_of(member, {"size": "200"}, sales)
    assert act.total == 51 and act.waiting_total == 1 and held not in act.rows
    waiting = page_of(member, {"group": "waiting"}, sales)
    assert waiting.total == 1 and [t.id for t in waiting.rows] == [held.id]
    # Filters and search apply to the group as to the others.
    assert page_of(member, {"group": "waiting", "q": held.name_zh}, sales).total == 1
    assert page_of(member, {"group": "waiting", "q": "no such thing"}, sales).total == 0


def test_the_waiting_group_is_reachable_from_the_page_and_offers_no_bulk_action(
    world, make_user, client, login
):
    world["tasks"][1].state = "waiting"
    db.session.commit()
    login(make_user("sales", role="head"))
    page = client.get("/inbox?dept=sales").get_data(as_text=True)
    assert 'data-group="waiting"' in page
    waiting = client.get("/inbox?dept=sales&group=waiting").get_data(as_text=True)
    assert "SO-0001" in waiting and 'id="bulk-assignee"' not in waiting


@pytest.mark.postgres
def test_open_task_queries_can_use_the_partial_index(world):
    """Counting and listing open work reads ix_human_task_open, whatever the history's size: with
    sequential scans priced out, the planner must still find an index it may use."""
    db.session.execute(db.text("SET LOCAL enable_seqscan = off"))
    for where in ("state = 'ready'", "state IN ('ready', 'waiting')"):
        plan = "\n".join(
            row[0]
            for row in db.session.execute(
                db.text(
                    "EXPLAIN SELECT department_id, count(*) FROM human_task "
                    f"WHERE {where} AND department_id IS NOT NULL GROUP BY department_id"
                )
            )
        )
        assert "ix_human_task_open" in plan, plan
    db.session.rollback()

"""The pages people open all day run the same number of SQL statements however many orders,
tasks and notifications the factory has (issue 14: no query per order). Statements are counted
with a SQLAlchemy event listener (tests/statements.py); counts are exact, unlike timings
(the milliseconds are measured by bench/pages.py)."""

from app.extensions import db
from app.modules.schedule.services import plan
from tests.statements import counted

# page -> (who opens it, URL; {order} is an open order in the plan)
PAGES = {
    "inbox": ("pmc.head", "/inbox"),
    "order_list": ("sales.member", "/orders"),
    "order_page": ("pmc.head", "/orders/{order}"),
    "approvals": ("management.head", "/approvals"),
    "notifications": ("sales.member", "/notifications"),
    "schedule": ("pmc.head", "/schedule"),
    "audit": ("admin", "/admin/audit"),
    "shared_tasks": ("production.member", "/tasks/shared"),
    "late_orders": ("pmc.head", "/late-orders"),
    "rush_list": ("sales.head", "/rush"),
    "rush_form": ("sales.head", "/rush/new?order_id={order}"),
}


def _seed(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["seed-volume", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _statements(app, order_id: int) -> dict[str, int]:
    """Statements of each page, on its second request (the first fills per-process caches)."""
    found = {}
    for name, (username, url) in PAGES.items():
        client = app.test_client()
        client.post("/logout")  # the test's app context keeps the last request's user in g
        login = client.post("/login", data={"username": username, "password": "demo1234"})
        assert login.status_code == 302, username
        address = url.format(order=order_id)
        first = client.get(address)
        assert first.status_code == 200, (address, first.get_data(as_text=True)[-1500:])
        db.session.remove()
        with counted() as seen:
            assert client.get(address).status_code == 200, address
        found[name] = seen.statements
    return found


def _first_open_order() -> int:
    state = plan.current()
    order_id = min(state.orders)
    db.session.rollback()
    return order_id


def test_no_page_runs_a_statement_per_order(app):
    _seed(app, "--orders", "40", "--seed", "7", "--lines", "3", "--to-make", "12")
    order_id = _first_open_order()
    few = _statements(app, order_id)
    orders_before = db.session.scalar(db.select(db.func.count()).select_from(plan.Order))
    # Four times the orders: more open ones in the plan, more tasks, notifications, audit rows.
    _seed(app, "--orders", "120", "--seed", "8", "--lines", "3", "--to-make", "40")
    orders_after = db.session.scalar(db.select(db.func.count()).select_from(plan.Order))
    assert orders_after >= 4 * orders_before
    assert len(plan.current().orders) > 30
    db.session.rollback()
    assert _statements(app, order_id) == few

"""Master data: customers (sales), products and production lines (engineering)."""

from app.core.audit.models import AuditEvent
from app.extensions import db
from app.modules.orders.models import Customer, Product, ProductionLine


def test_sales_adds_a_customer_and_bad_input_changes_nothing(client, login, make_user):
    login(make_user("sales"))
    client.post("/language", data={"lang": "en"})
    ok = client.post(
        "/catalogue/customers",
        data={"name": "深圳恒通电子", "contact": "李", "address": "深圳", "tier": "key"},
    )
    assert ok.status_code == 302
    again = client.post("/catalogue/customers", data={"name": "深圳恒通电子", "tier": "gold"})
    page = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "This customer already exists." in page and "Choose a tier." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Customer)) == 1


def test_engineering_adds_lines_and_a_product_with_rates(client, login, make_user):
    login(make_user("engineering"))
    client.post("/language", data={"lang": "en"})
    assert (
        client.post(
            "/catalogue/lines", data={"line_code": "smt-1", "line_name": "SMT", "daily_hours": "8"}
        ).status_code
        == 302
    )
    line = db.session.scalar(db.select(ProductionLine))
    assert line.code == "SMT-1" and line.daily_hours == 8
    bad = client.post(
        "/catalogue/products",
        data={
            "code": "P 9",
            "name": "",
            "unit": "pcs",
            "standard_cost": "-1",
            f"rate-{line.id}": "0",
        },
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    for message in (
        "Use 2-40 capital letters",
        "Enter a name.",
        "Enter a number between 0 and 100,000,000.",
        "Enter a number between 0.0001 and 1,000.",
    ):
        assert message in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0
    good = client.post(
        "/catalogue/products",
        data={
            "code": "p-9",
            "name": "Board",
            "unit": "pcs",
            "standard_cost": "12.5",
            f"rate-{line.id}": "0.25",
        },
    )
    assert good.status_code == 302
    product = db.session.scalar(db.select(Product))
    assert product.code == "P-9" and product.rates[0].hours_per_unit == 0.25
    assert "SMT-1: 0.25" in client.get("/catalogue/products").get_data(as_text=True)


def test_other_departments_may_look_but_not_change(client, login, make_user):
    user = make_user("quality")
    login(user)
    assert client.get("/catalogue/products").status_code == 200
    assert (
        client.post(
            "/catalogue/products", data={"code": "X-1", "name": "x", "unit": "pcs"}
        ).status_code
        == 403
    )
    assert (
        client.post("/catalogue/customers", data={"name": "Foo", "tier": "key"}).status_code == 403
    )
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.user_id == user.id, AuditEvent.action == "denied.catalogue")
        )
        == 2
    )


def test_a_things_name_is_not_a_persons_name_in_chinese(client, login, make_user):
    """One English "Name", two Chinese words: 名称 for a product or a customer, 姓名 for a person
    (message context "thing")."""
    login(make_user("engineering"))
    client.post("/language", data={"lang": "zh_CN"})
    for page in ("/catalogue/products", "/catalogue/customers"):
        html = client.get(page).get_data(as_text=True)
        assert "<th>名称</th>" in html and "姓名" not in html, page
    login(make_user(None, is_admin=True))
    client.post("/language", data={"lang": "zh_CN"})
    assert "<th>姓名</th>" in client.get("/admin/users").get_data(as_text=True)

"""Realistic master data and order content: customers, products with line rates, order lines."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from random import Random

from app.extensions import db
from app.modules.orders.models import Customer, Product, ProductionLine, ProductLineRate
from app.modules.orders.services.order_input import LineInput, OrderInput

CITIES = ("上海", "苏州", "宁波", "深圳", "东莞", "佛山", "青岛", "天津", "成都", "武汉", "Hamburg",
          "Lyon", "Osaka", "Chennai", "Monterrey")  # fmt: skip
TRADES = ("精密机械", "电子科技", "泵业", "自动化设备", "汽车零部件", "医疗器械", "新能源", "Pumps",
          "Controls", "Robotics")  # fmt: skip
ITEMS = (("法兰", "flange"), ("外壳", "housing"), ("控制板", "control board"), ("支架", "bracket"),
         ("阀体", "valve body"), ("端盖", "end cap"), ("散热器", "heat sink"), ("线束", "harness"),
         ("齿轮箱", "gearbox"), ("传感器座", "sensor mount"))  # fmt: skip
MATERIALS = ("不锈钢 304", "铝合金 6061", "Q235 碳钢", "ABS", "FR-4", "黄铜 H62")
LINES = (
    ("L1", "SMT 线 1 / SMT line 1", "16"),
    ("L2", "装配线 2 / Assembly line 2", "16"),
    ("L3", "机加工线 3 / Machining line 3", "20"),
    ("L4", "注塑线 4 / Moulding line 4", "22"),
)


@dataclass(frozen=True)
class Ref:
    """A customer or product as the generator needs it: no lazy loads after a commit."""

    id: int
    name: str = ""
    code: str = ""
    contact: str = ""
    lines: tuple[int, ...] = ()  # production lines that can make the product


@dataclass
class LineShape:
    """One order line to store: a catalogue product or a specified non-standard item."""

    product: Ref | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    specs: dict[str, str]
    line_id: int  # the one line that makes the whole order (planning needs one)


def line_specs(count: int) -> list[tuple[str, str, str]]:
    """(code, name, daily hours) of `count` lines: the four named ones, then L5, L6, ... (a
    factory with more lines, for the benchmarks)."""
    extra = [
        (f"L{n}", f"生产线 {n} / Line {n}", str(16 + 2 * (n % 4))) for n in range(5, count + 1)
    ]
    return [*LINES, *extra][:count]


def ensure_lines(count: int = len(LINES)) -> list[ProductionLine]:
    """The production lines the generated products and estimates use."""
    lines = []
    for code, name, hours in line_specs(count):
        line = db.session.scalar(db.select(ProductionLine).where(ProductionLine.code == code))
        if line is None:
            line = ProductionLine(code=code, name=name, daily_hours=Decimal(hours))
            db.session.add(line)
        lines.append(line)
    db.session.flush()
    return lines


def _next_index(model, column, prefix: str) -> int:
    """1 + the highest generated index so far, so a second run adds rather than collides."""
    names = db.session.scalars(db.select(column).where(column.like(prefix + "%")))
    best = 0
    for name in names:
        tail = name[len(prefix) :]
        if tail.isdigit():
            best = max(best, int(tail))
    return best + 1


def make_customers(count: int, rng: Random) -> list[Customer]:
    """New customers with contacts and addresses; names carry a running index."""
    start = _next_index(Customer, Customer.name, "客户 V-")
    made = []
    for i in range(start, start + count):
        city = rng.choice(CITIES)
        name = f"客户 V-{i:05d}"
        made.append(
            Customer(
                name=name,
                contact=f"{rng.choice('王李张刘陈杨赵黄')}经理 1{rng.randint(3, 9)}{i:09d}"[:40],
                address=f"{city} {rng.choice(TRADES)} 工业园 {rng.randint(1, 300)} 号",
                tier=rng.choice(("standard", "standard", "standard", "key")),
            )
        )
    db.session.add_all(made)
    db.session.flush()
    return made


def make_products(count: int, lines: list[ProductionLine], rng: Random) -> list[Product]:
    """Catalogue products, each made on one or two lines at a realistic rate."""
    start = _next_index(Product, Product.code, "V-")
    made = []
    for i in range(start, start + count):
        zh, en = rng.choice(ITEMS)
        material = rng.choice(MATERIALS)
        product = Product(
            code=f"V-{i:05d}",
            name=f"{material}{zh} {en} {i:05d}",
            unit="pcs",
            standard_cost=Decimal(rng.randint(200, 90000)) / 100,
        )
        for line in rng.sample(lines, rng.choice((1, 1, 2))):
            hours = Decimal(rng.randint(5, 400)) / 1000
            product.rates.append(ProductLineRate(line=line, hours_per_unit=hours))
        made.append(product)
    db.session.add_all(made)
    db.session.flush()
    return made


def specs(rng: Random, description: str) -> dict[str, str]:
    """A complete specification of a non-standard item."""
    return {
        "structure_function": f"{description}, 按图纸 DWG-{rng.randint(1000, 9999)}",
        "dimensions_performance": f"{rng.randint(20, 900)}x{rng.randint(10, 400)} mm, ±0.05",
        "technical_requirements": f"材料 {rng.choice(MATERIALS)}, 表面处理 阳极氧化",
        "process_requirements": rng.choice(("CNC 加工", "冲压 + 折弯", "SMT + 三防漆", "注塑")),
        "quality_requirements": rng.choice(("AQL 1.0", "100% 功能测试", "首件检验 + 抽检")),
        "packaging_requirements": f"{rng.choice((10, 20, 50))} 件/箱, 防潮",
        "packaging_materials": rng.choice(("瓦楞纸箱", "防静电袋、纸箱", "木箱")),
    }  # fmt: skip


def line_shapes(rng: Random, products: list[Ref], nonstandard: bool) -> list[LineShape]:
    """1-30 lines, mostly 1-5, all makeable on one line; a non-standard order has at least one
    specified item."""
    count = min(30, max(1, int(rng.paretovariate(1.3))))
    line_id = rng.choice(rng.choice(products).lines)
    products = [p for p in products if line_id in p.lines]
    shapes = []
    for position in range(count):
        custom = nonstandard and (position == 0 or rng.random() < 0.3)
        quantity = Decimal(rng.choice((10, 20, 50, 100, 200, 500, 1000, 2000)))
        if custom:
            zh, en = rng.choice(ITEMS)
            description = f"定制{zh} custom {en} #{rng.randint(100, 999)}"
            shapes.append(
                LineShape(
                    None,
                    description,
                    quantity,
                    _price(rng, 50, 2000),
                    specs(rng, description),
                    line_id,
                )
            )
        else:
            shapes.append(
                LineShape(rng.choice(products), "", quantity, _price(rng, 5, 800), {}, line_id)
            )
    return shapes


def _price(rng: Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def order_input(customer: Ref, order_type: str, shapes: list[LineShape], when: date) -> OrderInput:
    """The order form as sales would type it (for orders made through the services)."""
    requested = when + timedelta(days=30 + (customer.id % 40))
    return OrderInput(
        customer_id=str(customer.id),
        customer_po=f"PO-{customer.id}-{when:%y%m%d}",
        order_type=order_type,
        requested_date=requested.isoformat(),
        promised_date=(requested + timedelta(days=3)).isoformat(),
        notes="",
        lines=[
            LineInput(
                product_id=str(s.product.id) if s.product else "",
                description=s.description,
                quantity=f"{s.quantity:f}",
                unit_price=f"{s.unit_price:f}",
                specs=dict(s.specs),
            )
            for s in shapes
        ],
    )


def past_moment(rng: Random, now: datetime, days: int) -> datetime:
    """A working-hours moment within the last `days` days."""
    moment = now - timedelta(days=rng.uniform(1, days))
    return moment.replace(hour=rng.randint(1, 9), minute=rng.randint(0, 59))

"""The approval processes of the foreign-diagram corpus, independent of any tool.

Each scenario is a process as a process owner draws it: lanes, steps, gateways with conditions
(a small neutral form every style writes in its own expression language), timers, messages and
errors. `generate.py` writes each scenario the way six tools export it.

Conditions and script values are nested tuples:
    ("cmp", variable, op, literal)   op: > >= < <= == !=
    ("var", variable)                a true/false variable
    ("and", a, b) ("or", a, b) ("not", a)
    ("raw", text)                    something only its tool understands (kept as written)
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cond = tuple


@dataclass
class Node:
    """One flow node. `lane` is a lane key of the scenario; boundary events name `attached`."""

    id: str
    kind: str  # start, start_msg, start_timer, user, manual, task, script, service, send,
    # receive, xor, and, or, end, end_error, end_terminate, end_msg, catch_msg, catch_timer,
    # throw_msg, b_timer, b_error, b_msg
    name: str
    lane: str = ""
    name_zh: str = ""
    form: str = ""  # the form the tool names (a Camunda form key, a JSON schema file, ...)
    due: str = ""  # ISO 8601 duration the tool sets as the task's due date
    script: list[tuple[str, object]] = field(default_factory=list)  # (variable, value)
    message: str = ""
    timer: str = ""  # ISO 8601 duration (or date) of a timer
    attached: str = ""
    interrupting: bool = True
    error: str = ""  # error code
    group: str = ""  # candidate group a Camunda-like tool assigns the task to
    assignee: str = ""  # an assignee expression or user name


@dataclass
class Flow:
    source: str
    target: str
    cond: Cond | None = None
    label: str = ""
    default: bool = False


@dataclass
class Scenario:
    key: str
    name: str
    name_zh: str
    lanes: list[str]  # lane keys, top to bottom (names per style: LANE_NAMES)
    nodes: list[Node]
    flows: list[Flow]
    partner: str = ""  # a second, black-box pool the process exchanges messages with
    data: dict = field(default_factory=dict)  # start data for a run to the end


# Lane key -> (English name, Chinese name, Camunda candidate group). Some match OrderGate's
# departments by key or name, some only loosely (a group "finance-team"), some not at all.
LANE_NAMES = {
    "sales": ("Sales", "销售部", "sales"),
    "finance": ("Finance", "财务部", "finance-team"),
    "management": ("Management", "管理层", "managers"),
    "purchasing": ("Purchasing", "采购部", "purchasing"),
    "quality": ("Quality", "品质部", "qa"),
    "warehouse": ("Warehouse", "仓储部", "warehouse-staff"),
    "engineering": ("Engineering", "技术部", "engineering"),
    "production": ("Production", "生产部", "production"),
    "employee": ("Employee", "员工", "employees"),
    "teamlead": ("Team lead", "主管", "team-leads"),
    "hr": ("HR", "人事部", "hr"),
}

# What every run starts with: the happy path of every scenario.
RUN_DATA = {
    "amount": 12000,
    "total": 800,
    "days": 3,
    "discount": 10,
    "decision": "approve",
    "approved": True,
    "customer_tier": "existing",
    "blocked": False,
    "matched": True,
    "urgent": False,
    "passed": True,
    "in_stock": True,
    "po": {"total": 800},  # the invoice's purchase order, as the process that starts it sends
    "invoice": {"total": 800},
}


def n(id_: str, kind: str, name: str, lane: str = "", zh: str = "", **kw: object) -> Node:
    return Node(id_, kind, name, lane, zh, **kw)  # type: ignore[arg-type]


def f(source: str, target: str, cond: Cond | None = None, label: str = "",
      default: bool = False) -> Flow:  # fmt: skip
    return Flow(source, target, cond, label, default)


SCENARIOS = [
    Scenario(
        "order_approval", "Order approval", "订单审批", ["sales", "management"],
        [
            n("start", "start", "Order received", "sales", "收到订单"),
            n("check", "user", "Check the order", "sales", "检查订单", form="order-check",
              due="P1D"),
            n("amount", "xor", "Amount over 10 000?", "sales", "金额超过一万？"),
            n("approve", "user", "Approve the order", "management", "审批订单",
              form="order-approval", due="P2D", assignee="gm"),
            n("remind", "b_timer", "2 days", "management", "两天", attached="approve",
              timer="P2D", interrupting=False),
            n("note_late", "script", "Note the delay", "management", "记录延误",
              script=[("late", True)]),
            n("late_end", "end", "Delay noted", "management", "已记录"),
            n("approved", "xor", "Approved?", "management", "批准？"),
            n("record", "script", "Record the approval", "sales", "记录审批",
              script=[("status", "approved")]),
            n("done", "end", "Order approved", "sales", "订单已批准"),
            n("rejected", "end", "Order rejected", "management", "订单被拒"),
        ],
        [
            f("start", "check"), f("check", "amount"),
            f("amount", "approve", ("cmp", "amount", ">", 10000), "yes"),
            f("amount", "record", label="no", default=True),
            f("approve", "approved"), f("remind", "note_late"), f("note_late", "late_end"),
            f("approved", "record", ("cmp", "decision", "==", "approve"), "yes"),
            f("approved", "rejected", ("cmp", "decision", "!=", "approve"), "no"),
            f("record", "done"),
        ],
    ),
    Scenario(
        "purchase_approval", "Purchase approval", "采购审批",
        ["employee", "purchasing", "finance"],
        [
            n("start", "start", "Need identified", "employee", "提出需求"),
            n("request", "user", "Submit the purchase request", "employee", "提交采购申请",
              form="purchase-request", due="PT8H"),
            n("review", "user", "Review the request", "purchasing", "审核申请",
              form="purchase-review", due="P1D"),
            n("big", "xor", "Over budget limit?", "purchasing", "超出预算？"),
            n("finance_ok", "user", "Approve the budget", "finance", "预算审批",
              form="budget-approval", due="P3D"),
            n("expire", "b_timer", "3 days", "finance", "三天", attached="finance_ok",
              timer="P3D"),
            n("expired", "end", "Request expired", "finance", "申请过期"),
            n("merge", "xor", "", "purchasing"),
            n("order", "send", "Send the purchase order", "purchasing", "发送采购单",
              message="purchase_order"),
            n("confirm", "catch_msg", "Supplier confirms", "purchasing", "供应商确认",
              message="supplier_confirmation"),
            n("done", "end", "Goods ordered", "purchasing", "已下单"),
        ],
        [
            f("start", "request"), f("request", "review"), f("review", "big"),
            f("big", "finance_ok", ("or", ("cmp", "amount", ">", 5000), ("var", "urgent")),
              "yes"),
            f("big", "merge", label="no", default=True), f("finance_ok", "merge"),
            f("expire", "expired"), f("merge", "order"), f("order", "confirm"),
            f("confirm", "done"),
        ],
        partner="Supplier",
    ),
    Scenario(
        "leave_request", "Leave request", "请假申请", ["employee", "teamlead", "hr"],
        [
            n("start", "start", "Leave wanted", "employee", "需要请假"),
            n("ask", "user", "Request leave", "employee", "填写请假单", form="leave-request",
              due="PT4H", assignee="${initiator}"),
            n("lead", "user", "Approve the leave", "teamlead", "主管审批",
              form="leave-approval", due="P1D"),
            n("ok", "xor", "Approved?", "teamlead", "批准？"),
            n("long", "xor", "More than 5 days?", "teamlead", "超过五天？"),
            n("hr_ok", "user", "HR approval", "hr", "人事审批", form="leave-hr", due="P2D"),
            n("register", "user", "Register the leave", "hr", "登记假期", form="leave-register",
              due="P1D"),
            n("done", "end", "Leave granted", "hr", "已准假"),
            n("refused", "end", "Leave refused", "teamlead", "未准假"),
        ],
        [
            f("start", "ask"), f("ask", "lead"), f("lead", "ok"),
            f("ok", "long", ("var", "approved"), "yes"),
            f("ok", "refused", ("not", ("var", "approved")), "no"),
            f("long", "hr_ok", ("cmp", "days", ">", 5), "yes"),
            f("long", "register", ("cmp", "days", "<=", 5), "no"),
            f("hr_ok", "register"), f("register", "done"),
        ],
    ),
    Scenario(
        "expense_claim", "Expense claim", "费用报销", ["employee", "management", "finance"],
        [
            n("start", "start", "Expense made", "employee", "产生费用"),
            n("claim", "user", "Submit the claim", "employee", "提交报销单",
              form="expense-claim", due="P1D"),
            n("sum", "script", "Compute the total", "employee", "计算总额",
              script=[("total", ("arith", "amount", "*", 1.13))]),
            n("high", "xor", "Total over 500?", "employee", "总额超过500？"),
            n("manager", "user", "Manager approval", "management", "经理审批",
              form="expense-approval", due="P2D"),
            n("pay", "service", "Pay out", "finance", "付款"),
            n("failed", "b_error", "Payment failed", "finance", "付款失败", attached="pay",
              error="PAYMENT_FAILED"),
            n("fix", "user", "Fix the bank details", "finance", "修正银行信息",
              form="bank-details", due="P1D"),
            n("failed_end", "end_error", "Claim on hold", "finance", "报销暂停",
              error="CLAIM_ON_HOLD"),
            n("done", "end", "Claim paid", "finance", "已付款"),
        ],
        [
            f("start", "claim"), f("claim", "sum"), f("sum", "high"),
            f("high", "manager", ("cmp", "total", ">", 500), "yes"),
            f("high", "pay", ("cmp", "total", "<=", 500), "no"),
            f("manager", "pay"), f("pay", "done"), f("failed", "fix"),
            f("fix", "failed_end"),
        ],
    ),
    Scenario(
        "discount_approval", "Discount approval", "折扣审批", ["sales", "management"],
        [
            n("start", "start_msg", "Discount asked", "sales", "客户要求折扣",
              message="discount_request"),
            n("prepare", "user", "Prepare the offer", "sales", "准备报价", form="offer",
              due="PT8H"),
            n("which", "xor", "Discount above policy?", "sales", "超出折扣政策？"),
            n("gm", "user", "Approve the discount", "management", "审批折扣",
              form="discount-approval", due="P1D"),
            n("chase", "b_timer", "8 hours", "management", "8小时", attached="gm",
              timer="PT8H", interrupting=False),
            n("chased", "end", "Reminder sent", "management", "已提醒"),
            n("join", "xor", "", "sales"),
            n("send", "throw_msg", "Send the offer", "sales", "发送报价", message="offer_sent"),
            n("done", "end", "Offer sent", "sales", "报价已发"),
        ],
        [
            f("start", "prepare"), f("prepare", "which"),
            f("which", "gm", ("or", ("cmp", "discount", ">", 15),
                              ("cmp", "customer_tier", "==", "new")), "yes"),
            f("which", "join", label="no", default=True), f("gm", "join"),
            f("chase", "chased"), f("join", "send"), f("send", "done"),
        ],
        partner="Customer",
    ),
    Scenario(
        "supplier_onboarding", "Supplier onboarding", "供应商准入",
        ["purchasing", "quality", "finance"],
        [
            n("start", "start", "Supplier applies", "purchasing", "供应商申请"),
            n("collect", "user", "Collect the documents", "purchasing", "收集资料",
              form="supplier-documents", due="P2D"),
            n("split", "and", "", "purchasing"),
            n("audit", "user", "Audit the supplier", "quality", "供应商审核",
              form="supplier-audit", due="P5D"),
            n("credit", "user", "Check the credit", "finance", "信用检查",
              form="credit-check", due="P2D"),
            n("join", "and", "", "purchasing"),
            n("passed", "xor", "Passed both?", "purchasing", "两项都通过？"),
            n("listed", "end", "Supplier listed", "purchasing", "已准入"),
            n("declined", "end_terminate", "Supplier declined", "purchasing", "未准入"),
        ],
        [
            f("start", "collect"), f("collect", "split"), f("split", "audit"),
            f("split", "credit"), f("audit", "join"), f("credit", "join"), f("join", "passed"),
            f("passed", "listed", ("and", ("var", "passed"), ("not", ("var", "blocked"))),
              "yes"),
            f("passed", "declined", label="no", default=True),
        ],
    ),
    Scenario(
        "return_authorization", "Return authorization", "退货授权",
        ["sales", "warehouse", "quality"],
        [
            n("start", "start", "Return requested", "sales", "客户申请退货"),
            n("authorize", "user", "Authorize the return", "sales", "授权退货",
              form="return-authorization", due="P1D"),
            n("arrive", "catch_msg", "Goods arrive", "warehouse", "货物到达",
              message="goods_arrived"),
            n("inspect", "user", "Inspect the goods", "quality", "检验退货",
              form="return-inspection", due="P2D"),
            n("ok", "xor", "Goods fine?", "quality", "货物完好？"),
            n("restock", "manual", "Put back in stock", "warehouse", "重新入库"),
            n("scrap", "manual", "Scrap the goods", "warehouse", "报废"),
            n("wait", "catch_timer", "Wait one day", "warehouse", "等待一天", timer="PT24H"),
            n("done", "end", "Return closed", "warehouse", "退货完成"),
            n("scrapped", "end", "Goods scrapped", "warehouse", "已报废"),
        ],
        [
            f("start", "authorize"), f("authorize", "arrive"), f("arrive", "inspect"),
            f("inspect", "ok"), f("ok", "restock", ("cmp", "decision", "==", "approve"), "yes"),
            f("ok", "scrap", label="no", default=True), f("restock", "wait"),
            f("wait", "done"), f("scrap", "scrapped"),
        ],
        partner="Customer",
    ),
    Scenario(
        "credit_limit", "Credit limit change", "信用额度调整",
        ["sales", "finance", "management"],
        [
            n("start", "start", "Limit change asked", "sales", "申请调整额度"),
            n("ask", "user", "Describe the change", "sales", "填写调整申请",
              form="credit-request", due="PT8H"),
            n("band", "xor", "Which band?", "finance", "哪个额度档？"),
            n("auto", "script", "Approve automatically", "finance", "自动批准",
              script=[("approved", True)]),
            n("fin", "user", "Finance approval", "finance", "财务审批",
              form="credit-finance", due="P1D"),
            n("gm", "user", "General manager approval", "management", "总经理审批",
              form="credit-gm", due="P2D"),
            n("join", "xor", "", "finance"),
            n("apply", "service", "Update the ERP", "finance", "更新ERP"),
            n("done", "end", "Limit changed", "finance", "额度已调整"),
        ],
        [
            f("start", "ask"), f("ask", "band"),
            f("band", "auto", ("cmp", "amount", "<=", 5000), "small"),
            f("band", "fin", ("and", ("cmp", "amount", ">", 5000),
                              ("cmp", "amount", "<=", 50000)), "medium"),
            f("band", "gm", ("cmp", "amount", ">", 50000), "large"),
            f("auto", "join"), f("fin", "join"), f("gm", "join"), f("join", "apply"),
            f("apply", "done"),
        ],
    ),
    Scenario(
        "contract_review", "Contract review", "合同评审",
        ["sales", "engineering", "management"],
        [
            n("start", "start", "Contract drafted", "sales", "合同草拟完成"),
            n("draft", "user", "Upload the draft", "sales", "上传合同草稿",
              form="contract-draft", due="PT8H"),
            n("split", "or", "Who reviews?", "sales", "谁来评审？"),
            n("tech", "user", "Technical review", "engineering", "技术评审",
              form="contract-tech", due="P2D"),
            n("terms", "user", "Commercial review", "management", "商务评审",
              form="contract-terms", due="P2D"),
            n("escalate", "b_timer", "2 days", "management", "两天", attached="terms",
              timer="P2D", interrupting=False),
            n("escalated", "end", "Escalated", "management", "已升级"),
            n("join", "or", "", "sales"),
            n("sign", "user", "Sign the contract", "management", "签署合同",
              form="contract-sign", due="P1D"),
            n("done", "end", "Contract signed", "sales", "合同已签"),
        ],
        [
            f("start", "draft"), f("draft", "split"),
            f("split", "tech", ("var", "urgent"), "technical"),
            f("split", "terms", ("cmp", "amount", ">", 0), "commercial"),
            f("tech", "join"), f("terms", "join"), f("escalate", "escalated"),
            f("join", "sign"), f("sign", "done"),
        ],
    ),
    Scenario(
        "invoice_approval", "Invoice approval", "发票审批",
        ["purchasing", "finance"],
        [
            n("start", "start_msg", "Invoice arrives", "finance", "收到发票",
              message="invoice_received"),
            n("match", "script", "Three-way match", "finance", "三单匹配",
              script=[("matched", ("raw", "po.total == invoice.total"))]),
            n("matched", "xor", "Matched?", "finance", "匹配？"),
            n("clarify", "user", "Clarify the difference", "purchasing", "澄清差异",
              form="invoice-clarify", due="P2D"),
            n("post", "user", "Approve for payment", "finance", "批准付款",
              form="invoice-approval", due="P1D"),
            n("dispute", "b_msg", "Supplier disputes", "finance", "供应商异议", attached="post",
              message="invoice_dispute"),
            n("disputed", "end", "Invoice disputed", "finance", "发票有异议"),
            n("done", "end_msg", "Payment announced", "finance", "通知付款",
              message="payment_notice"),
        ],
        [
            f("start", "match"), f("match", "matched"),
            f("matched", "post", ("var", "matched"), "yes"),
            f("matched", "clarify", ("not", ("var", "matched")), "no"),
            f("clarify", "post"), f("post", "done"), f("dispute", "disputed"),
        ],
        partner="Supplier",
    ),
    Scenario(
        "sample_release", "Sample release", "样品放行", ["engineering", "quality", "production"],
        [
            n("start", "start_timer", "Every Monday", "engineering", "每周一",
              timer="R/2026-01-05T09:00:00/P7D"),
            n("plan", "user", "Plan the samples", "engineering", "安排样品",
              form="sample-plan", due="P1D"),
            n("make", "manual", "Make the samples", "production", "制作样品"),
            n("test", "user", "Test the samples", "quality", "检测样品", form="sample-test",
              due="P2D"),
            n("pass", "xor", "Passed?", "quality", "合格？"),
            n("release", "user", "Release for production", "engineering", "放行生产",
              form="sample-release", due="PT8H"),
            n("done", "end", "Samples released", "engineering", "样品已放行"),
            n("fail", "end_error", "Samples failed", "quality", "样品不合格",
              error="SAMPLE_FAILED"),
        ],
        [
            f("start", "plan"), f("plan", "make"), f("make", "test"), f("test", "pass"),
            f("pass", "release", ("cmp", "decision", "==", "approve"), "pass"),
            f("pass", "fail", label="fail", default=True), f("release", "done"),
        ],
    ),
]  # fmt: skip

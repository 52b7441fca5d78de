"""The broken-diagram corpus: every kind of bad upload gets its own specific message on the right
line; none is accepted and none crashes. tests/web/test_cli_validate.py runs the same corpus
through `flask workflows validate`.

Raw files (malformed XML, declarations, binary data) live in fixtures/broken/; the others are
built here. Forms and departments are ones both the engine catalog and the deployed app know.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.engine.validation import Catalog, Problem, validate_bpmn
from tests.engine.builders import FIXTURES, diagram, flow, linear, make_catalog, user_task

BROKEN = FIXTURES / "broken"
FORM = "order_intake"  # a form the engine catalog and forms/ both have


@dataclass(frozen=True)
class Case:
    """One broken diagram and the specific message it must get."""

    name: str
    data: bytes
    expected: str  # a fragment of the one message that names this defect
    line: int | str  # the line reported: a number, or text on that line (first occurrence)
    decisions: tuple[bytes, ...] = ()  # DMN files validated with the diagram
    element_id: str | None = None  # the element the problem names, when there is one

    def expected_line(self) -> int:
        """The line the problem must carry."""
        if isinstance(self.line, int):
            return self.line
        text = self.data.decode("utf-8")
        return text[: text.index(self.line)].count("\n") + 1


def broken(name: str) -> bytes:
    """A raw file under fixtures/broken/."""
    return (BROKEN / name).read_bytes()


def task(task_id: str = "review", **kwargs: object) -> str:
    """A user task with a form the catalogs know (and a due time unless due=None)."""
    return user_task(task_id, str(kwargs.pop("form", FORM)), **kwargs)  # type: ignore[arg-type]


def one_task(element: str, lane: str = "sales", in_lane: bool = True) -> bytes:
    """start -> element (id "review") -> end, with the element in one lane."""
    return diagram(linear(element, ids=["review"]), lane=lane, lane_nodes=["review"] * in_lane)


def one_step(element: str, element_id: str) -> bytes:
    """start -> element -> end, without lanes (for elements that need none)."""
    return diagram(linear(element, ids=[element_id]))


def timer_event(text: str, kind: str = "timeDuration") -> str:
    """A timer catch event "wait" holding text."""
    return (
        '<bpmn:intermediateCatchEvent id="wait" name="Wait">\n'
        '<bpmn:timerEventDefinition id="wait_timer">\n'
        f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{kind}>\n'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


def timer(text: str, kind: str = "timeDuration") -> bytes:
    """start -> a timer catch event "wait" holding text -> end."""
    return one_step(timer_event(text, kind), "wait")


def choice(to_a: str | None, to_b: str | None = None, attributes: str = "",
           kind: str = "exclusiveGateway") -> bytes:  # fmt: skip
    """start -> gateway "choose" (with attributes) -> flows to_a / to_b (conditions) -> ends."""
    body = "\n".join(
        [
            '<bpmn:startEvent id="start" name="Start" />',
            f'<bpmn:{kind} id="choose" name="Choose"{attributes} />',
            '<bpmn:endEvent id="a" name="A" />',
            '<bpmn:endEvent id="b" name="B" />',
            flow("f0", "start", "choose"),
            flow("to_a", "choose", "a", to_a),
            flow("to_b", "choose", "b", to_b),
        ]
    )
    return diagram(body)


def condition(text: str) -> bytes:
    """An exclusive gateway whose flow to_a has the condition text (to_b is the default)."""
    return choice(text, attributes=' default="to_b"')


def script(text: str, attributes: str = "") -> bytes:
    """start -> script task "calc" running text -> end."""
    element = (
        f'<bpmn:scriptTask id="calc" name="Calculate"{attributes}>'
        f"<bpmn:script>{text}</bpmn:script></bpmn:scriptTask>"
    )
    return one_step(element, "calc")


def calling_decision() -> bytes:
    """start -> business rule task calling the decision pick_route -> end."""
    element = (
        '<bpmn:businessRuleTask id="choose_route" name="Choose the route">'
        "<bpmn:extensionElements><spiffworkflow:calledDecisionId>pick_route"
        "</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    return one_step(element, "choose_route")


def unsupported(element: str, element_id: str) -> bytes:
    return one_step(element, element_id)


def too_big() -> bytes:
    return diagram(linear(ids=[])) + b"<!--" + b"x" * (2 * 1024 * 1024) + b"-->"


def too_deep() -> bytes:
    deep = b"<bpmn:documentation>" * 80 + b"</bpmn:documentation>" * 80
    return diagram(linear(ids=[])).replace(b"</bpmn:process>", deep + b"</bpmn:process>")


START_END = '<bpmn:startEvent id="start" name="Start" />\n<bpmn:endEvent id="end" name="End" />\n'

CASES = [
    # --- not a diagram at all -------------------------------------------------------------
    Case("empty file", broken("empty.bpmn"), "The BPMN file is empty", 1),
    Case("only whitespace", broken("whitespace.bpmn"), "The BPMN file is empty", 1),
    Case("binary garbage", broken("binary.bpmn"), "The BPMN file holds binary data, not XML", 1),
    Case("plain text", broken("plain_text.bpmn"), "it starts with 'O' instead of '<'", 1),
    Case("a form's JSON", broken("form_json.bpmn"), "it starts with '{' instead of '<'", 1),
    Case(
        "unclosed tag",
        broken("unclosed_tag.bpmn"),
        "not well-formed XML: Opening and ending tag mismatch: startEvent",
        "</bpmn:process>",
    ),
    Case(
        "truncated file",
        broken("truncated.bpmn"),
        "The BPMN file is not well-formed XML:",
        5,
    ),
    Case("an HTML page", broken("html.bpmn"), "This is not a BPMN 2.0 file", 2),
    Case("wrong namespace", broken("wrong_namespace.bpmn"), "This is not a BPMN 2.0 file", 2),
    Case("over 2 MB", too_big(), "the limit is 2 MB", 1),
    Case("nested too deep", too_deep(), "nests elements 82 levels deep (the limit is 60)", 8),
    # --- declarations: refused before anything is expanded or fetched ----------------------
    Case("DOCTYPE", broken("doctype.bpmn"), "contains a DOCTYPE or ENTITY declaration", 2),
    Case("billion laughs", broken("billion_laughs.bpmn"), "DOCTYPE or ENTITY declaration", 2),
    Case("XXE to /etc/passwd", broken("xxe_passwd.bpmn"), "DOCTYPE or ENTITY declaration", 2),
    Case("XXE in UTF-16", broken("xxe_utf16.bpmn"), "DOCTYPE or ENTITY declaration", 2),
    # --- structure --------------------------------------------------------------------------
    Case(
        "schema order",
        diagram(START_END + '<bpmn:textAnnotation id="note" />\n' + flow("f1", "start", "end")),
        "does not follow the BPMN 2.0 schema: Element 'bpmn:sequenceFlow'",
        'id="f1"',
    ),
    Case(
        "not executable",
        diagram(linear(ids=[]), executable="false"),
        'No process is marked executable; set isExecutable="true"',
        'id="proc"',
        element_id="proc",
    ),
    Case(
        "no start event",
        diagram('<bpmn:endEvent id="end" name="End" />'),
        "Process 'proc' has no start event; add one.",
        'id="proc"',
    ),
    Case(
        "two start events",
        diagram(
            linear(ids=[]) + '\n<bpmn:startEvent id="start2" />\n' + flow("fx", "start2", "end")
        ),
        "Process 'proc' has 2 start events ('start', 'start2')",
        'id="start2"',
    ),
    Case(
        "flow to a missing id",
        diagram(linear(ids=[]) + "\n" + flow("f_bad", "start", "nowhere")),
        "Sequence flow 'f_bad' ends at 'nowhere', which is not an element of this process",
        'id="f_bad"',
        element_id="f_bad",
    ),
    Case(
        "flow from a missing id",
        diagram(linear(ids=[]) + "\n" + flow("f_bad", "ghost", "end")),
        "Sequence flow 'f_bad' starts at 'ghost', which is not an element of this process",
        'id="f_bad"',
        element_id="f_bad",
    ),
    Case(
        "flow without sourceRef",
        diagram(START_END + '<bpmn:sequenceFlow id="f_bad" targetRef="end" />'),
        "Sequence flow 'f_bad' has no start (sourceRef is missing)",
        'id="f_bad"',
    ),
    Case(
        "duplicate ids",
        diagram(linear(ids=[]) + '\n<bpmn:textAnnotation id="start" />'),
        "The id 'start' is used twice (first on line 5); give each element its own id.",
        '<bpmn:textAnnotation id="start"',
    ),
    Case(
        "gateway without outgoing flow",
        diagram(
            '<bpmn:startEvent id="start" />\n<bpmn:parallelGateway id="split" />\n'
            + flow("f0", "start", "split")
        ),
        "Parallel gateway 'split' has no outgoing flow; connect it to the next step.",
        'id="split"',
    ),
    Case(
        "exclusive gateway without conditions or default",
        choice(None, None),
        "Sequence flow 'to_a' leaves exclusive gateway 'choose' without a condition and is not "
        "its default flow",
        'id="to_a"',
        element_id="to_a",
    ),
    Case(
        "inclusive gateway without conditions or default",
        choice("amount &gt; 10", None, kind="inclusiveGateway"),
        "Sequence flow 'to_b' leaves inclusive gateway 'choose' without a condition",
        'id="to_b"',
    ),
    Case(
        "default flow that does not leave the gateway",
        choice("amount &gt; 10", "amount &lt;= 10", ' default="f0"'),
        "The default flow 'f0' of exclusive gateway 'choose' does not leave it",
        'id="choose"',
    ),
    Case(
        "unreachable task",
        diagram(linear(ids=[]) + "\n" + task("orphan"), lane_nodes=["orphan"]),
        "User task 'orphan' cannot be reached from a start event; connect it or delete it.",
        'id="orphan"',
    ),
    # --- unsupported elements: named by type and id ----------------------------------------
    Case(
        "complex gateway",
        unsupported('<bpmn:complexGateway id="cx" />', "cx"),
        "Complex gateway 'cx' is not supported; use an exclusive, inclusive or parallel gateway.",
        'id="cx"',
    ),
    Case(
        "transaction",
        unsupported('<bpmn:transaction id="tx" />', "tx"),
        "Transaction 'tx' is not supported; use a plain subprocess.",
        'id="tx"',
    ),
    Case(
        "ad-hoc subprocess",
        unsupported(
            '<bpmn:adHocSubProcess id="adhoc"><bpmn:task id="t1" /></bpmn:adHocSubProcess>', "adhoc"
        ),  # fmt: skip
        "Ad hoc sub process 'adhoc' is not supported; use a plain subprocess.",
        'id="adhoc"',
    ),
    Case(
        "choreography",
        diagram(
            linear(ids=[]),
            top='<bpmn:choreography id="chor"><bpmn:participant id="buyer" /></bpmn:choreography>',
        ),
        "Choreography 'chor' is not supported; model the process in a pool",
        'id="chor"',
    ),
    Case(
        "service task without a connector",
        unsupported('<bpmn:serviceTask id="svc" />', "svc"),
        "Service task 'svc' calls no connector; add a spiffworkflow:serviceTaskOperator naming "
        "one of: http, notify.",
        'id="svc"',
    ),
    Case(
        "conditional event",
        unsupported(
            '<bpmn:intermediateCatchEvent id="cond"><bpmn:conditionalEventDefinition>'
            "<bpmn:condition>ready</bpmn:condition></bpmn:conditionalEventDefinition>"
            "</bpmn:intermediateCatchEvent>",
            "cond",
        ),
        "Intermediate catch event 'cond' is a conditional event, which is not supported; use a "
        "message, timer or signal event.",
        'id="cond"',
        element_id="cond",
    ),
    Case(
        "signal start event",
        diagram(
            '<bpmn:startEvent id="start"><bpmn:signalEventDefinition /></bpmn:startEvent>\n'
            '<bpmn:endEvent id="end" />\n' + flow("f0", "start", "end")
        ),
        "Start event 'start' cannot be a signal event; use a message or a timer event instead.",
        'id="start"',
        element_id="start",
    ),
    Case(
        "event subprocess",
        diagram(
            linear(ids=[]) + '\n<bpmn:subProcess id="on_cancel" triggeredByEvent="true">'
            '<bpmn:startEvent id="cancel_start" /></bpmn:subProcess>'
        ),
        "Event subprocess 'on_cancel' is not supported",
        'id="on_cancel"',
    ),
    Case(
        "data store",
        diagram(linear(ids=[]) + '\n<bpmn:dataStoreReference id="db_ref" />'),
        "Data store reference 'db_ref' is not supported",
        'id="db_ref"',
    ),
    Case(
        "standard loop",
        one_task(
            task().replace(
                "</bpmn:userTask>", "<bpmn:standardLoopCharacteristics /></bpmn:userTask>"
            )
        ),  # fmt: skip
        "The standard loop characteristics in user task 'review' is not supported",
        'id="review"',
    ),
    Case(
        "multi-instance script task",
        script("x = 1").replace(
            b"<bpmn:script>",
            b"<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3"
            b"</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics><bpmn:script>",
        ),
        "Script task 'calc' is multi-instance, which only user and manual tasks may be",
        'id="calc"',
    ),
    Case(
        "error event naming no error of the file",
        diagram(
            linear(task(), ids=["review"])
            + '\n<bpmn:boundaryEvent id="failed" attachedToRef="review">'
            '<bpmn:errorEventDefinition errorRef="E_gone" /></bpmn:boundaryEvent>\n'
            + flow("f_failed", "failed", "end"),
            lane_nodes=["review"],
        ),
        "Boundary event 'failed' refers to the error 'E_gone', which this file does not define",
        'id="failed"',
    ),
    Case(
        "boundary event that cannot be one",
        diagram(
            linear(task(), ids=["review"])
            + '\n<bpmn:boundaryEvent id="stop" attachedToRef="review">'
            "<bpmn:terminateEventDefinition /></bpmn:boundaryEvent>\n"
            + flow("f_stop", "stop", "end"),
            lane_nodes=["review"],
        ),
        "Boundary event 'stop' cannot be a terminate event; use an error or an escalation or a "
        "message or a signal or a timer event instead.",
        'id="stop"',
    ),
    Case(
        "catch event without a definition",
        one_step('<bpmn:intermediateCatchEvent id="wait" />', "wait"),
        "Intermediate catch event 'wait' waits for nothing",
        'id="wait"',
    ),
    # --- people: lanes, forms, roles, due times ------------------------------------------------
    Case(
        "user task without a lane",
        one_task(task(), in_lane=False),
        "User task 'review' is not in any lane; put it in the lane of the department that does it.",
        'id="review"',
        element_id="review",
    ),
    Case(
        "lane that is not a department",
        one_task(task(), lane="Marketing"),
        "User task 'review' is in the lane 'Marketing', which is not a department; rename the "
        "lane to one of: ",
        'id="review"',
        element_id="review",
    ),
    Case(
        "unknown form",
        one_task(task(form="no_such_form")),
        "User task 'review' uses the form 'no_such_form', which does not exist; use one of: ",
        'id="review"',
    ),
    Case(
        "missing form",
        one_task(task().replace(f'<spiffworkflow:property name="form" value="{FORM}" />', "")),
        "User task 'review' has no form; add the spiffworkflow property 'form' naming one.",
        'id="review"',
    ),
    Case(
        "unknown role",
        one_task(task(extra='<spiffworkflow:property name="role" value="emperor" />')),
        "User task 'review' requires the role 'emperor', which does not exist",
        'id="review"',
    ),
    Case(
        "missing due",
        one_task(task(due=None)),
        "User task 'review' has no due time; add the spiffworkflow property 'due' with a "
        "duration such as PT8H or P2D.",
        'id="review"',
        element_id="review",
    ),
    Case(
        "due in words",
        one_task(task(due="8 hours")),
        "User task 'review' has the due time '8 hours': '8 hours' is not an ISO 8601 duration",
        'id="review"',
    ),
    Case(
        "due mixing weeks and days",
        one_task(task(due="P1W2D")),
        "has the due time 'P1W2D': 'P1W2D' mixes weeks with other units",
        'id="review"',
    ),
    Case(
        "manual task with a due in words",
        one_task(
            '<bpmn:manualTask id="review"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="due" value="tomorrow" />'
            "</spiffworkflow:properties></bpmn:extensionElements></bpmn:manualTask>"
        ),
        "Manual task 'review' has the due time 'tomorrow': 'tomorrow' is not an ISO 8601 duration",
        'id="review"',
    ),
    # --- timers ---------------------------------------------------------------------------------
    Case(
        "timer duration 'soon'",
        timer("soon"),
        "The timer of intermediate catch event 'wait' is invalid: 'soon' is not an ISO 8601 "
        "duration (for example PT4H or P2D), and no step of this process sets task data",
        "soon<",
        element_id="wait",
    ),
    Case(
        "timer date 'yesterday'",
        timer("yesterday", "timeDate"),
        "'yesterday' is not an ISO 8601 date (for example 2025-03-01T09:00:00+08:00)",
        "yesterday<",
    ),
    Case(
        "timer cycle 'R/x'",
        timer("R/x", "timeCycle"),
        "The timer of intermediate catch event 'wait' is invalid: 'R/x' is not an ISO 8601 "
        "cycle (for example R3/PT1H): 'x' is not an ISO 8601 date and time",
        "R/x<",
    ),
    Case(
        "timer in words",
        timer("in two hours"),
        "'in two hours' is neither an ISO 8601 duration (for example PT4H or P2D) nor a Python "
        "expression",
        "in two hours<",
    ),
    Case(
        "timer in JUEL",
        timer("${reminderDuration}"),
        "'${reminderDuration}' is a Camunda 7 (JUEL) expression",
        "${reminderDuration}<",
    ),
    Case(
        "timer without a value",
        one_step(
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition />'
            "</bpmn:intermediateCatchEvent>",
            "wait",
        ),
        "The timer of intermediate catch event 'wait' needs exactly one date, duration or cycle",
        'id="wait"',
    ),
    # --- expressions and scripts ---------------------------------------------------------------
    Case(
        "import os",
        script("import os\nos.system('id')"),
        "The script of script task 'calc' was refused: ",
        "import os",
        element_id="calc",
    ),
    Case(
        "__class__ escape",
        condition("().__class__.__base__.__subclasses__()"),
        "The condition of sequence flow 'to_a' was refused: ",
        "__class__",
        element_id="to_a",
    ),
    Case(
        "open()",
        condition("open('/etc/passwd').read() != ''"),
        "'open' is not available",
        "open(",
    ),
    Case("eval()", condition("eval('1') == 1"), "'eval' is not available", "eval("),
    Case("while loop", script("while True:\n    pass"), "'while' loops are not allowed", "while"),
    Case(
        "huge exponent",
        condition("9 ** 9 ** 9 &gt; 0"),
        "9 ** 9 ** 9 would be far too large (over 64,000 bits",
        "9 ** 9",
    ),
    Case(
        "huge repetition",
        script("padding = 'x' * 10 ** 9"),
        "'x' * 10 ** 9 would be far too large",
        "padding",
    ),
    Case(
        "JUEL condition",
        condition("${amount &gt; 100}"),
        "'${amount > 100}' is a Camunda 7 (JUEL) expression; OrderGate evaluates Python",
        "${amount",
    ),
    Case(
        "FEEL condition",
        condition("=amount &gt; 100"),
        "'=amount > 100' is a FEEL expression (Camunda 8)",
        "=amount",
    ),
    Case(
        "condition in words",
        condition("amount more than 100"),
        "'amount more than 100' is not a Python expression (Line 1: SyntaxError",
        "amount more than",
    ),
    Case(
        "empty condition",
        condition(" "),
        "The condition of sequence flow 'to_a' is empty; write one or remove it.",
        'id="to_a"',
    ),
    Case(
        "groovy script",
        script("println 'hi'", ' scriptFormat="groovy"'),
        "The script of script task 'calc' is written in groovy; OrderGate runs Python only",
        'id="calc"',
    ),
    Case(
        "javascript condition",
        condition("amount &gt; 100").replace(
            b'xsi:type="bpmn:tFormalExpression">amount',
            b'xsi:type="bpmn:tFormalExpression" language="javascript">amount',
        ),
        "The condition of sequence flow 'to_a' is written in javascript",
        "javascript",
    ),
    # --- references -------------------------------------------------------------------------------
    Case(
        "message event without a message",
        one_step(
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition />'
            "</bpmn:intermediateCatchEvent>",
            "wait",
        ),
        "Intermediate catch event 'wait' does not name a message",
        'id="wait"',
    ),
    Case(
        "call to a missing process",
        one_step('<bpmn:callActivity id="call" calledElement="elsewhere" />', "call"),
        "Call activity 'call' calls the process 'elsewhere', which is neither in this file nor "
        "published",
        'id="call"',
    ),
    Case(
        "decision without its DMN file",
        calling_decision(),
        "Business rule task 'choose_route' calls the decision 'pick_route', but no DMN file",
        'id="choose_route"',
    ),
    Case(
        "DMN table without rules",
        calling_decision(),
        "The decision table 'empty_table' (DMN) has no rules, so it can never decide",
        5,  # the line in the DMN file
        decisions=(broken("no_rules.dmn"),),
    ),
]


@pytest.fixture(scope="module")
def engine_catalog() -> Catalog:
    return make_catalog()


def test_the_corpus_covers_each_kind_once() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_diagram_gets_its_specific_message(case: Case, engine_catalog: Catalog) -> None:
    problems = validate_bpmn(case.data, engine_catalog, list(case.decisions))
    assert problems, "accepted"
    assert all(isinstance(p, Problem) for p in problems)
    assert not any("could not be checked" in p.message for p in problems), problems
    matching = [p for p in problems if case.expected in p.message]
    assert len(matching) == 1, problems
    problem = matching[0]
    assert problem.line == case.expected_line(), problem
    if case.element_id:
        assert problem.element_id == case.element_id, problem
    assert all(p.line > 0 for p in problems), problems


@pytest.mark.parametrize(
    "name", ["xxe_passwd.bpmn", "xxe_utf16.bpmn", "billion_laughs.bpmn"], ids=str
)
def test_entities_are_never_expanded(name: str, engine_catalog: Catalog) -> None:
    problems = validate_bpmn(broken(name), engine_catalog)
    text = " ".join(p.message for p in problems)
    assert "root:" not in text and "lollol" not in text
    assert [p.message for p in problems] == [
        "The BPMN file contains a DOCTYPE or ENTITY declaration; remove it "
        "(diagrams never need one)."
    ]


def test_the_corpus_diagrams_are_valid_once_fixed(engine_catalog: Catalog) -> None:
    # The builders make valid diagrams; each case above differs by its one defect.
    assert validate_bpmn(one_task(task()), engine_catalog) == []
    manual = '<bpmn:manualTask id="review" name="Pack" />'  # needs no form and no due time
    assert validate_bpmn(one_task(manual), engine_catalog) == []
    assert validate_bpmn(condition("amount &gt; 100"), engine_catalog) == []
    assert validate_bpmn(timer("PT4H"), engine_catalog) == []
    assert validate_bpmn(script("total = 2 ** 10"), engine_catalog) == []
    assert validate_bpmn(calling_decision(), engine_catalog, [FIXTURES.joinpath(
        "route.dmn").read_bytes()]) == []  # fmt: skip


def test_a_bare_name_timer_is_fine_when_the_process_sets_it(engine_catalog: Catalog) -> None:
    setter = '<bpmn:scriptTask id="calc"><bpmn:script>soon = "PT1H"</bpmn:script></bpmn:scriptTask>'
    body = linear(setter, timer_event("soon"), ids=["calc", "wait"])
    assert validate_bpmn(diagram(body), engine_catalog) == []

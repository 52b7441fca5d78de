"""The foreign-diagram corpus (tests/bpmn_corpus/, see its README): at least ten diagrams in the
style of each main modeler; every one opens and is checked without a traceback. The shares that
validate and run are measured live by the harness (docs/FOREIGN_DIAGRAMS.md), not asserted here
diagram by diagram, because they change as the engine learns more elements."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from app.engine.documents import BPMN_NS
from app.engine.validation import Problem, validate_bpmn
from tests.bpmn_corpus import harness
from tests.bpmn_corpus.generate import STYLES, render
from tests.bpmn_corpus.scenarios import SCENARIOS

FILES = harness.corpus_files()


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_the_corpus_has_ten_diagrams_per_style() -> None:
    assert len(FILES) >= 60
    for style in STYLES:
        assert len([p for p in FILES if p.parent.name == style]) >= 10, style


def test_the_committed_files_are_what_the_generator_writes() -> None:
    # The corpus is reviewed as files; the generator is how it was written and stays in step.
    for style in STYLES:
        for index, scenario in enumerate(SCENARIOS):
            path = harness.CORPUS / style / f"{scenario.key}.bpmn"
            assert path.read_bytes() == render(style, index), path


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_each_diagram_opens_and_is_checked_without_a_traceback(path: Path) -> None:
    outcome = harness.check(path)
    assert outcome.traceback == "", outcome.traceback
    assert outcome.opened, outcome.open_error
    assert all(isinstance(p, Problem) for p in outcome.problems)
    assert not any("could not be checked" in p.message for p in outcome.problems)
    if outcome.validated:  # whatever validates must run to its end
        assert outcome.ran, outcome.run_error


def test_the_harness_counts_each_stage() -> None:
    outcomes = harness.check_all()
    table = harness.shares(outcomes)
    assert table["all"][0] == len(FILES)
    for style in STYLES:
        n, opened, validated, ran, answered, answered_ran = table[style]
        assert n >= opened >= validated >= ran and answered >= answered_ran
    assert table["all"][1] == len(FILES)  # every diagram opens


# --- the conversion over the corpus -----------------------------------------------------------
OURS = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.w3.org/2001/XMLSchema-instance",
    None,
}


@pytest.fixture(scope="module")
def converting():
    return harness.real_conversion()


def _vendor_things(root: etree._Element) -> set[tuple[str, str]]:
    """(owner element id, namespace-qualified name) of every other tool's attribute and
    extension element, the owner being the BPMN element carrying it."""
    found = set()
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
            continue
        owner = node.get("id") or node.getparent().get("id")
        found |= {(owner, tag) for tag in node.attrib if etree.QName(tag).namespace not in OURS}
        extensions = node.find(f"{{{BPMN_NS}}}extensionElements")
        for child in extensions if extensions is not None else ():
            if isinstance(child.tag, str) and etree.QName(child).namespace not in OURS:
                found.add((owner, child.tag))
    return found


def _local(qualified: str) -> str:
    return qualified.rsplit(":", 1)[-1]


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_the_conversion_drops_nothing_and_reports_every_vendor_element(path, converting) -> None:
    data = path.read_bytes()
    converted, items = converting(data)
    before, after = etree.fromstring(data), etree.fromstring(converted)
    # nothing dropped: every element and every attribute is still there
    tags = [
        Counter(n.tag for n in tree.iter() if isinstance(n.tag, str)) for tree in (before, after)
    ]
    assert not tags[0] - tags[1], tags[0] - tags[1]
    ids_after = {n.get("id"): n for n in after.iter() if isinstance(n.tag, str) and n.get("id")}
    for node in before.iter():
        if isinstance(node.tag, str) and node.get("id"):
            twin = ids_after[node.get("id")]
            assert twin.tag == node.tag and set(node.attrib) <= set(twin.attrib), node.get("id")
    # every other tool's attribute or extension element is listed as kept, or its element has
    # an item saying what was made of it (mapped, to check or asked)
    talked_about = {i.element_id for i in items if i.status != "kept"}
    kept = {(i.element_id, name) for i in items if i.status == "kept"
            for name in i.message.params.get("names", [])}  # fmt: skip
    for owner, tag in _vendor_things(before):
        local_name = etree.QName(tag).localname
        listed = any(o == owner and _local(n) == local_name for o, n in kept)
        assert listed or owner in talked_about, (owner, tag)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_what_the_conversion_handles_no_longer_blocks_publishing(path, converting) -> None:
    converted, items = converting(path.read_bytes())
    asked = {i.element_id for i in items if i.status == "owner"}
    for problem in validate_bpmn(converted, harness.catalog()):
        handled = ("JUEL", "FEEL", "marked executable", "has no due time", "groovy", "javascript")
        if any(word in problem.message for word in handled):
            assert problem.element_id in asked, problem


@pytest.fixture(scope="module")
def answered_outcomes(converting):
    return harness.check_all(converting, harness.first_choices)


def test_what_validates_after_conversion_and_answers_runs_to_its_end(answered_outcomes) -> None:
    for outcome in answered_outcomes:
        assert outcome.traceback == "", outcome.traceback
        if outcome.validated:
            assert outcome.ran, (outcome.path, outcome.run_error)
        if outcome.answered_validated:
            assert outcome.answered_ran, outcome.path


def test_every_executable_style_publishes_once_the_owner_answers(answered_outcomes) -> None:
    # Camunda 7 / 8, spiff-arena and Flowable diagrams carry conditions, scripts, groups, forms
    # and due dates the conversion reads: some publish with nothing but the report's answers.
    table = harness.shares(answered_outcomes)
    for style in ("camunda7", "camunda8", "spiff", "vendor"):
        assert table[style][4] >= 1, (style, table[style])


DI_NS = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC_NS = "{http://www.omg.org/spec/DD/20100524/DC}"


@pytest.mark.parametrize(
    "name", ["camunda8/order_approval", "camunda8/leave_request", "spiff/credit_limit"]
)
def test_lanes_the_conversion_makes_are_drawn_with_their_tasks_inside(name, converting) -> None:
    path = harness.CORPUS / f"{name}.bpmn"
    converted, items = converting(path.read_bytes())
    answered = harness.first_choices(converted, items)
    root = etree.fromstring(answered)
    plane = root.find(f".//{DI_NS}BPMNPlane")
    boxes = {
        s.get("bpmnElement"): [
            float(s.find(f"{DC_NS}Bounds").get(k)) for k in "x y width height".split()
        ]
        for s in plane.iter(f"{DI_NS}BPMNShape")
    }
    process = root.find(f"{{{BPMN_NS}}}process")
    (participant,) = [p for p in root.iter(f"{{{BPMN_NS}}}participant")
                      if p.get("processRef") == process.get("id")]  # fmt: skip
    assert plane.get("bpmnElement") == participant.getparent().get("id")
    lanes = list(process.iter(f"{{{BPMN_NS}}}lane"))
    assert lanes
    px, py, pw, ph = boxes[participant.get("id")]
    for lane in lanes:
        lx, ly, lw, lh = boxes[lane.get("id")]
        assert px <= lx and py <= ly and lx + lw <= px + pw and ly + lh <= py + ph, lane.get("id")
        for ref in lane.iterchildren(f"{{{BPMN_NS}}}flowNodeRef"):
            x, y, w, h = boxes[ref.text]
            assert ly <= y + h / 2 <= ly + lh, (lane.get("name"), ref.text)
    assert not [p for p in validate_bpmn(answered, harness.catalog()) if "schema" in p.message]


@pytest.mark.parametrize("path", FILES[::6], ids=_name)
def test_damaged_diagrams_are_converted_or_refused_never_crash(path, converting) -> None:
    # Every attribute and every element of the file removed in turn (a fixed sample of them):
    # the conversion either converts what is left or refuses it as not BPMN, never raises else.
    from app.engine.documents import DocumentRejected

    original = etree.fromstring(path.read_bytes())
    nodes = [n for n in original.iter() if isinstance(n.tag, str)]
    for index in range(0, len(nodes), 7):
        for damage in ("attributes", "element"):
            tree = etree.fromstring(path.read_bytes())
            node = [n for n in tree.iter() if isinstance(n.tag, str)][index]
            if damage == "attributes":
                node.attrib.clear()
            elif node.getparent() is not None:
                node.getparent().remove(node)
            try:
                converted, items = converting(etree.tostring(tree))
            except DocumentRejected:
                continue
            assert etree.fromstring(converted) is not None
            assert all(i.status in ("mapped", "check", "owner", "kept") for i in items)

"""The modeler's live lint and the server's publish validation agree (issue 15): over the foreign
corpus, the shipped workflows and variants of them, a diagram the lint calls fine (no error)
publishes, and one the server refuses shows a lint error, so the Publish button (disabled while
the lint reports errors) never blocks what the server accepts nor lets through what it refuses.

The lint runs in node with the modeler's own configuration (`scripts/lint_diagrams.mjs` bundles
assets/lint as the page does); the server side is `validate_bpmn` with the database's catalogue.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

from app.core.processes import versions as processes
from app.engine.validation import validate_bpmn

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "bpmn_corpus").glob("*/*.bpmn"))
WORKFLOWS = sorted((ROOT / "workflows").glob("*.bpmn"))
DECISIONS = [p.read_bytes() for p in sorted((ROOT / "workflows").glob("*.dmn"))]
# Names a person reads; lanes, pools and messages keep theirs (lanes name departments).
LABELLED = re.compile(
    r"(<bpmn:(?:userTask|manualTask|scriptTask|task|startEvent|endEvent|exclusiveGateway|"
    r"parallelGateway|inclusiveGateway|intermediateCatchEvent|intermediateThrowEvent|"
    r"boundaryEvent|businessRuleTask|subProcess|callActivity|sequenceFlow)\b[^>]*?) name=\"[^\"]*\""
)


def _variants(tmp_path: Path) -> list[Path]:
    """Each shipped workflow not executable, with a service task, with a repeating start timer,
    without labels, without DI."""
    made = []
    for path in WORKFLOWS:
        xml = path.read_text(encoding="utf-8")
        first = xml.index("<bpmn:userTask ")
        closing = xml.index("</bpmn:userTask>", first)
        service = (
            xml[:first]
            + xml[first:closing].replace("<bpmn:userTask ", "<bpmn:serviceTask ", 1)
            + "</bpmn:serviceTask>"
            + xml[closing + len("</bpmn:userTask>") :]
        )
        start = xml.index("</bpmn:startEvent>")
        cycle = (
            xml[:start]
            + "<bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle>"
            + "</bpmn:timerEventDefinition>"
            + xml[start:]
        )
        variants = {
            "start_cycle": cycle,
            "not_executable": xml.replace('isExecutable="true"', 'isExecutable="false"'),
            "service_task": service,
            "no_labels": LABELLED.sub(r"\1", xml),
            "no_diagram": re.sub(
                r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", xml, flags=re.S
            ),
        }
        for kind, text in variants.items():
            assert text != xml, (path.name, kind)
            target = tmp_path / f"{path.stem}.{kind}.bpmn"
            target.write_text(text, encoding="utf-8")
            made.append(target)
    return made


def _lint(files: list[Path], departments: list[str], forms: list[str]) -> dict[str, list]:
    request = {"departments": departments, "forms": forms, "files": [str(f) for f in files]}
    node = shutil.which("node")
    assert node, "node is needed for the lint (the modeler's assets are built with it too)"
    done = subprocess.run(
        [node, str(ROOT / "scripts" / "lint_diagrams.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


def test_lint_and_publish_give_the_same_verdict_on_every_diagram(app, tmp_path) -> None:
    catalog = processes.db_catalog()
    files = CORPUS + WORKFLOWS + _variants(tmp_path)
    reports = _lint(files, sorted(catalog.departments), sorted(catalog.forms))
    lint_fine, publishes = {}, {}
    for path in files:
        errors = [r for r in reports[str(path)] if r["category"] == "error"]
        lint_fine[path.name] = not errors
        problems = validate_bpmn(path.read_bytes(), catalog, DECISIONS)
        publishes[path.name] = not problems
    assert lint_fine == publishes
    # What the comparison covers: both verdicts occur, each for the reason the variants give.
    assert all(publishes[p.name] for p in WORKFLOWS)
    assert not any(publishes[p.name] for p in CORPUS)
    for path in WORKFLOWS:
        assert not publishes[f"{path.stem}.not_executable.bpmn"]
        assert not publishes[f"{path.stem}.service_task.bpmn"]
        assert not publishes[f"{path.stem}.start_cycle.bpmn"]
        assert (
            publishes[f"{path.stem}.no_labels.bpmn"] and publishes[f"{path.stem}.no_diagram.bpmn"]
        )


def _lint_and_validate(tmp_path: Path, kind: str) -> tuple[dict, list]:
    """The supported-elements report and the server's problems for one workflow's variant."""
    catalog = processes.db_catalog()
    variant = next(p for p in _variants(tmp_path) if f".{kind}." in p.name)
    reports = _lint([variant], sorted(catalog.departments), sorted(catalog.forms))
    (report,) = [r for r in reports[str(variant)] if r["rule"] == "ordergate/supported-elements"]
    return report, validate_bpmn(variant.read_bytes(), catalog, DECISIONS)


def test_lint_names_the_refused_element(app, tmp_path) -> None:
    report, problems = _lint_and_validate(tmp_path, "service_task")
    assert report["id"] in {p.element_id for p in problems}
    assert "ServiceTask" in report["message"]


def test_lint_names_a_repeating_start_timer(app, tmp_path) -> None:
    report, problems = _lint_and_validate(tmp_path, "start_cycle")
    assert [p.message.key for p in problems] == ["start_timer_repeats"]
    assert report["id"] == problems[0].element_id
    assert "repeating timer" in report["message"]

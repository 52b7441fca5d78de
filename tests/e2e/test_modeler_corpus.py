"""Browser: every diagram of the foreign-diagram corpus (tests/bpmn_corpus/) opens in the
modeler once converted, and whatever bpmn-js could not read is listed before saving."""

from e2e_helpers import log_in
from playwright.sync_api import expect

from app.core.processes import diagram_files
from app.extensions import db
from tests.conftest import ROOT

CORPUS = sorted((ROOT / "tests" / "bpmn_corpus").glob("*/*.bpmn"))

READ = """() => {
  const el = document.querySelector('[data-bpmn-modeler]');
  return {
    warnings: Number(el.dataset.importWarnings),
    dropped: Number(el.dataset.dropped),
    listed: el.querySelectorAll('.og-modeler-note-dropped li').length,
    failed: el.querySelectorAll('.og-bpmn-error').length,
    shapes: el.bpmnModeler.get('elementRegistry').getAll().length,
  };
}"""


def test_every_corpus_diagram_opens_in_the_modeler(live_server, new_page, make_user, password):
    assert len(CORPUS) >= 60
    owner = make_user(None, is_process_owner=True)
    keys = {}
    for path in CORPUS:
        opened = diagram_files.new_process(owner, path.name, path.read_bytes())
        keys[f"{path.parent.name}/{path.name}"] = opened.draft.process_id
    db.session.commit()
    page = new_page()
    log_in(page, live_server, owner, password)
    seen = {}
    for name, key in keys.items():
        page.goto(f"{live_server}/processes/{key}/edit")
        expect(page.locator("[data-bpmn-modeler]")).to_have_attribute("data-modeler-ready", "1")
        seen[name] = page.evaluate(READ)
    assert [n for n, s in seen.items() if s["failed"] or s["shapes"] < 3] == []
    assert [n for n, s in seen.items() if s["listed"] != s["dropped"]] == []

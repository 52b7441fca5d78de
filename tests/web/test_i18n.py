"""The Simplified Chinese interface: the catalogue is complete, compiles, and the pages use it.

The catalogue lives in app/translations/zh_Hans_CN/, not zh_CN/: Babel parses the configured
code `zh_CN` as Locale('zh', script='Hans', territory='CN'), and Flask-Babel looks for the folder
named str(locale), i.e. `zh_Hans_CN`. See docs/I18N.md.

The .mo files are build output (git-ignored). `make test` compiles them first; when pytest is run
directly on a tree where they are missing or older than the .po, this module compiles them at
import (collection) time, before any test of the session renders a page.
"""

import gettext
import os
import re
import tempfile
from pathlib import Path

import flask_babel
import pytest
from babel import Locale
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
ZH_PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
# The keywords `make i18n` passes to `pybabel extract` on top of Babel's defaults (_, gettext, ...).
EXTRA_KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")


def _compile_if_stale() -> None:
    """Compile every catalogue whose .mo is missing or older than its .po (what make i18n-compile
    does), atomically, so pages rendered by this test session are translated."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)


_compile_if_stale()


def _read_catalog(path: Path = ZH_PO):
    with path.open("rb") as f:
        return read_po(f)


def _source_messages() -> set[tuple[str | None, str | tuple[str, ...]]]:
    """Extract the marked strings from the sources now, exactly as `make i18n` does."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(list(EXTRA_KEYWORDS))}
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, comment_tags=("TRANSLATORS:",)
    ):
        found.add((context, message))
    return found


def test_the_extraction_keywords_match_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    extract = re.search(r"pybabel -q extract(.*?)-o ", makefile, re.S)
    assert extract, "the Makefile's i18n target no longer runs `pybabel -q extract`"
    assert tuple(re.findall(r"-k (\S+)", extract.group(1))) == EXTRA_KEYWORDS


def test_every_configured_language_has_a_catalogue_where_flask_babel_looks(app):
    default = Locale.parse(app.config["BABEL_DEFAULT_LOCALE"])
    for code in app.config["LANGUAGES"]:
        if Locale.parse(code).language == "en":
            continue  # English is the source language: the msgids themselves
        folder = TRANSLATIONS / str(Locale.parse(code)) / "LC_MESSAGES"
        assert (folder / "messages.po").exists(), f"{code}: expected the catalogue in {folder}"
    assert str(default) == "zh_Hans_CN" and ZH_PO.exists()


def test_every_source_message_has_a_chinese_translation():
    catalog = _read_catalog()
    assert not catalog.fuzzy, "the catalogue header is fuzzy: pybabel compile would skip it all"
    problems = []
    for context, message in sorted(_source_messages(), key=str):
        msgid = message if isinstance(message, str) else message[0]
        if not msgid:
            continue
        entry = catalog.get(msgid, context=context)
        if entry is None:
            problems.append(f"missing (run make i18n and translate it): {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy (check it, then drop the flag): {msgid!r}")
        elif not all(entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_has_no_leftovers_and_keeps_the_placeholders():
    catalog = _read_catalog()
    assert not catalog.obsolete, f"obsolete #~ entries: {list(catalog.obsolete)}"
    errors = [f"{message.id!r}: {errs}" for message, errs in catalog.check()]
    assert not errors, "\n".join(errors)
    for message in catalog:
        if message.id:
            wanted = sorted(re.findall(r"%\(\w+\)s", message.id))
            assert sorted(re.findall(r"%\(\w+\)s", message.string)) == wanted, message.id


def test_the_catalogue_defines_each_message_once():
    """Merges of hand-added entries left 78 messages defined twice (babel keeps the last one
    quietly; gettext's msgfmt refuses the file): each (context, message) once."""
    keys: list[tuple[str, str]] = []
    context = ""
    for block in re.split(r"\n\s*\n", ZH_PO.read_text(encoding="utf-8")):
        active = [line for line in block.splitlines() if not line.startswith("#")]
        text = "\n".join(active)
        ids = re.findall(r'^msgid "(.*)"((?:\n".*")*)', text, re.M)
        contexts = re.findall(r'^msgctxt "(.*)"', text, re.M)
        assert len(ids) <= 1, f"two entries without a blank line between them: {text[:200]!r}"
        if ids and (ids[0][0] or ids[0][1]):
            context = contexts[0] if contexts else ""
            keys.append((context, ids[0][0] + ids[0][1]))
    seen: set[tuple[str, str]] = set()
    twice = sorted({key for key in keys if key in seen or seen.add(key)})
    assert not twice, twice


def test_the_catalogue_compiles_and_translates(tmp_path):
    mo = tmp_path / "messages.mo"
    with mo.open("wb") as f:
        write_mo(f, _read_catalog())
    with mo.open("rb") as f:
        translations = gettext.GNUTranslations(f)
    assert translations.gettext("Inbox") == "待办"
    assert translations.gettext("Claim") == "认领"
    assert translations.gettext("Assigned to %(name)s.") % {"name": "王芳"} == "已指派给 王芳。"


def _switch(client, lang: str) -> None:
    """POST the header's language switch, then forget the locale Flask-Babel cached in `g`.

    In a real server every request has its own app context, so the cached locale dies with the
    request. Here conftest's autouse fixture keeps one app context open for the whole test and the
    test client's requests reuse it, so without refresh() the locale picked by the first page of a
    test would stick for every later request of that test.
    """
    response = client.post("/language", data={"lang": lang})
    assert response.status_code == 302
    flask_babel.refresh()


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match, page[:500]
    return match.group(1).strip()


def test_the_inbox_is_chinese_by_default(client, login, make_user):
    login(make_user("quality"))
    page = client.get("/inbox").get_data(as_text=True)
    assert _title(page) == "待办 · OrderGate"
    assert '<html lang="zh-CN">' in page
    assert "<h1>待办: 品质部</h1>" in page
    assert 'data-sort="customer">客户<' in page and 'data-sort="claimed">认领人<' in page
    assert ">Inbox<" not in page and "Claimed by" not in page


def test_the_language_switch_turns_the_inbox_english_and_back(client, login, make_user):
    login(make_user("quality"))
    _switch(client, "en")
    page = client.get("/inbox").get_data(as_text=True)
    assert _title(page) == "Inbox · OrderGate"
    assert '<html lang="en">' in page and 'data-sort="claimed">Claimed by<' in page
    assert "待办" not in page
    _switch(client, "zh_CN")
    assert _title(client.get("/inbox").get_data(as_text=True)) == "待办 · OrderGate"


def test_order_form_errors_are_chinese(client, login, make_user):
    login(make_user("sales"))
    response = client.post("/orders/new", data={"customer_id": "", "order_type": "regular"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请更正下列错误。" in page
    assert "请选择客户。" in page
    assert "请至少添加一行订单明细。" in page
    assert "Choose a customer." not in page


def test_task_form_validation_messages_are_chinese(client, login, make_user, make_order, task_of):
    order = make_order()
    task = task_of(order, "confirm_order")
    login(make_user("sales"))
    response = client.post(f"/tasks/{task.id}/complete", data={"order_category": "new"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请更正下列错误。" in page
    assert re.search(r'class="field-error"[^>]*>(此项为必填项。|必须勾选此项。)<', page), page
    assert "This field is required." not in page


@pytest.mark.parametrize(
    ("lang", "message"), [("zh_CN", "您已认领此任务。"), ("en", "You claimed this task.")]
)
def test_flash_messages_follow_the_language(
    client, login, make_user, make_order, task_of, lang, message
):
    order = make_order()
    task = task_of(order, "confirm_order")
    login(make_user("sales"))
    _switch(client, lang)
    response = client.post(f"/tasks/{task.id}/claim", follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)

"""Why an instance may not move to another version, stored as facts, said in the reader's
language (docs/I18N.md).

The engine explains each refusal with a `Reason`: an English sentence that also carries a key
and its facts (step, state, changed attributes, SpiffWorkflow's own technical detail). A
migration item stores the facts as JSON (`stored`); the pages say them with `sentences`. Rows
stored before that hold the English sentences joined by "; ", shown as they are.
"""

from __future__ import annotations

import json

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.engine.migration import Reason

FORMAT = "reasons/1"  # marks a stored list of facts, so plain old text is never misread

# Called when said: lazy_pgettext is not among the extraction keywords (Makefile).
STATES = {
    "completed": lambda: pgettext("step state", "completed"),
    "in progress": lambda: pgettext("step state", "in progress"),
    "failed": lambda: pgettext("step state", "failed"),
    "ready": lambda: pgettext("step state", "ready"),
    "waiting": lambda: pgettext("step state", "waiting"),
    "future": lambda: pgettext("step state", "not yet reached"),
    "likely": lambda: pgettext("step state", "not yet reached"),
    "maybe": lambda: pgettext("step state", "not yet reached"),
    "cancelled": lambda: pgettext("step state", "cancelled"),
}
ATTRIBUTES = {
    "typename": _l("its kind of element"),
    "manual": _l("its kind of element"),
    "description": _l("its kind of element"),
    "outputs": _l("its outgoing flows"),
    "inputs": _l("its incoming flows"),
    "bpmn_name": _l("its name"),
    "lane": _l("its lane"),
    "extensions": _l("its properties, such as form, due time or role"),
    "documentation": _l("its documentation"),
    "prescript": _l("its pre-script"),
    "postscript": _l("its post-script"),
    "script": _l("its script"),
    "cond_task_specs": _l("its conditions"),
    "default_task_spec": _l("its default flow"),
    "event_definition": _l("its event"),
    "cancel_activity": _l("whether its event interrupts"),
    "data_input_associations": _l("its data associations"),
    "data_output_associations": _l("its data associations"),
    "io_specification": _l("its inputs and outputs"),
    "spec": _l("the process it calls"),
    "decision_table": _l("its decision table"),
}
MULTI_INSTANCE = _l("its multi-instance settings")  # task_spec, cardinality, data_input, ...


def version_unloadable(number: int, message: str) -> Reason:
    """The instance's own version cannot be read (the core's reason, not the engine's)."""
    return Reason(
        "version_unloadable",
        f"Version {number} could not be loaded ({message})",
        version=number,
        detail=message,
    )


def stored(reasons: list[str]) -> str:
    """What a migration item keeps: the facts of every reason (plain sentences if any lacks
    them)."""
    if not all(isinstance(r, Reason) for r in reasons):
        return "; ".join(reasons)
    facts = [{"key": r.key, "text": str(r), **r.params} for r in reasons]
    return json.dumps({"format": FORMAT, "reasons": facts}, ensure_ascii=False)


def _step(facts: dict, zh: bool) -> str:
    name = (facts.get("step_name_zh") if zh else "") or facts.get("step_name") or ""
    return f"“{name}”({facts.get('step_id', '')})" if zh else f"'{name}' ({facts.get('step_id')})"


def _state(facts: dict) -> str:
    state = str(facts.get("state", ""))
    return STATES[state]() if state in STATES else state


def _attributes(names: list, zh: bool) -> str:
    words = []
    for name in names or []:
        word = str(ATTRIBUTES.get(name, MULTI_INSTANCE))
        if word not in words:
            words.append(word)
    return ("、" if zh else ", ").join(words)


def _step_sentence(key: str, facts: dict, zh: bool) -> str:
    step, state = _step(facts, zh), _state(facts)
    within = facts.get("within") or {}
    if within:
        step = _("%(step)s in subprocess %(sub)s", step=step, sub=_step(within, zh))
    if key == "step_removed":
        return _("Step %(step)s is %(state)s and does not exist in the new version.",
                 step=step, state=state)  # fmt: skip
    if key == "step_changed":
        return _(
            "Step %(step)s is %(state)s and was changed in the new version (%(what)s).",
            step=step,
            state=state,
            what=_attributes(facts.get("attributes"), zh),
        )
    return _("Step %(step)s (%(state)s) could not be moved to the new version.",
             step=step, state=state)  # fmt: skip


def _sentence(facts: dict, zh: bool) -> str:
    key, detail = facts.get("key"), str(facts.get("detail", ""))
    if key in ("step_removed", "step_changed", "step_unmapped"):
        return _step_sentence(key, facts, zh)
    if key == "subprocess_missing":
        called = _step(facts, zh) if facts.get("step_id") else _("a step")
        if facts.get("running"):
            return _("The subprocess %(name)s called by %(step)s is running and does not exist "
                     "in the new version.", name=facts.get("subprocess"), step=called)  # fmt: skip
        return _("The subprocess %(name)s called by %(step)s has run and does not exist in the "
                 "new version.", name=facts.get("subprocess"), step=called)  # fmt: skip
    if key == "fails_after_move":
        return _("After the move, the new version fails at once (step %(step)s): %(detail)s",
                 step=facts.get("element") or "-", detail=detail)  # fmt: skip
    if key == "version_unloadable":
        return _("Version %(n)s could not be loaded (%(detail)s).",
                 n=facts.get("version"), detail=detail)  # fmt: skip
    frames = {
        "compare_failed": _l("The two versions could not be compared (%(detail)s)."),
        "state_unreadable": _l("The instance's state could not be read (%(detail)s)."),
        "too_deep": _l(
            "The instance has gone around its loops too many times to be compared safely "
            "(%(detail)s)."
        ),
        "instance_compare_failed": _l(
            "The instance could not be compared with the new version (%(detail)s)."
        ),
        "move_failed": _l("SpiffWorkflow could not move the instance (%(detail)s)."),
        "store_failed": _l("The moved instance could not be stored and read back (%(detail)s)."),
    }
    if key in frames:
        return str(frames[key]) % {"detail": detail}
    return str(facts.get("text", ""))  # a key this version does not know: its English text


def sentences(text: str, locale: str) -> list[str]:
    """A stored reason as sentences in `locale`'s language; old plain text as it was written."""
    try:
        data = json.loads(text) if text.startswith("{") else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return [text] if text else []
    zh = locale.startswith("zh")
    with force_locale(locale):
        facts = [item for item in data.get("reasons", []) if isinstance(item, dict)]
        return [_sentence(item, zh) for item in facts]

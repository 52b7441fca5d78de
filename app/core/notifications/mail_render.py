"""Notification mail as the reader sees it: rendered in their language from the notice's own
template, with links to the installation and a plain-text part made from the HTML."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.notifications.models import Notification
from app.core.users.models import User


@contextmanager
def _mail_context(locale: str) -> Iterator[None]:
    """Render as a page would in `locale`, with or without a request (the worker has none)."""
    base = current_app.config.get("MAIL_BASE_URL") or "http://localhost"
    with current_app.test_request_context("/", base_url=base), force_locale(locale):
        yield


def _absolute(html: str) -> str:
    """Links in mail open the installation (MAIL_BASE_URL), not a path on the mail client."""
    base = (current_app.config.get("MAIL_BASE_URL") or "").rstrip("/")
    return re.sub(r'href="/', f'href="{base}/', html) if base else html


def _render(template: str, **context) -> str:
    # The environment's template, not render_template: no page context processors (the
    # navigation's queries) run for a mail.
    return current_app.jinja_env.get_template(template).render(**context)


def _subject_line(kind_label: str, params: dict) -> str:
    number = params.get("number") if isinstance(params, dict) else None
    if number:
        return _("OrderGate: %(what)s — %(number)s", what=kind_label, number=number)
    return _("OrderGate: %(what)s", what=kind_label)


def render_one(note: Notification, params: dict, locale: str) -> tuple[str, str, str]:
    from app.core.notifications import services

    with _mail_context(locale):
        html = _absolute(
            _render(
                "notifications/mail/notice.html",
                n=note,
                p=params,
                shown=services.template_for(note.kind),
                label=str(services.label_for(note.kind)),
            )
        )
        subject = _subject_line(str(services.label_for(note.kind)), params)
    return subject, to_text(html), html


def render_digest(user: User, notes: list[Notification], locale: str) -> tuple[str, str, str]:
    from app.core.notifications import services

    items = [
        (
            note,
            json.loads(note.params),
            services.template_for(note.kind),
            str(services.label_for(note.kind)),
        )
        for note in notes
    ]
    with _mail_context(locale):
        html = _absolute(_render("notifications/mail/digest.html", user=user, items=items))
        subject = _("OrderGate: your daily summary (%(n)s)", n=len(notes))
    return subject, to_text(html), html


class _TextOf(HTMLParser):
    """Plain text of a rendered notice: blocks on their own lines, links with their address."""

    BLOCKS = {"p", "div", "ul", "ol", "h1", "h2", "h3", "tr", "br", "hr", "section"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href and href.startswith("http"):
                self.parts.append(f" <{href}>")

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))


def to_text(html: str) -> str:
    """The text part of a mail from its HTML part."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in unescape("".join(parser.parts)).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

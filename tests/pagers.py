"""Reading a list page's numbered pager (macros/ui.html numbered_pager) in page tests."""

import re


def pager_links(html: str, marker: str | None = None) -> dict[str, str]:
    """The pager's "prev" and "next" links, unescaped; with `marker` (e.g. "data-po-pager"), those
    of the pager that carries it, on a page with more than one list."""
    if marker is not None:
        html = html.split(marker, 1)[1].split("</nav>", 1)[0]
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'href="([^"]*)" rel="(prev|next)"', html)
    }

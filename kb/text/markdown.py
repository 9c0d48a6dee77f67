"""Markdown to safe HTML, and Markdown to plain text for search.

The only module that imports `markdown` and `bleach`. Raw HTML in Markdown is escaped or stripped
by an allow-list of tags, attributes and URL schemes; links to other sites get
`rel="nofollow noopener noreferrer"`.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import bleach
import markdown as md
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "abbr",
        "sup",
        "sub",
        "del",
        "dl",
        "dt",
        "dd",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "title"],
    "abbr": ["title"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
EXTERNAL_REL = "nofollow noopener noreferrer"
# Headings in user Markdown start at h2: the page's own title is the only h1.
_HEADING_SHIFT = re.compile(r"<(/?)h1>")
# The cleaner strips disallowed tags but keeps their text; the text of these is never prose.
# (Readability only: the cleaner, not this pattern, is what makes the output safe.)
_DROP_WITH_CONTENT = re.compile(r"<(script|style|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)


class _ExternalLinks(Filter):  # type: ignore[misc]
    """Mark every http(s) link rel=nofollow noopener noreferrer; drop images not on http(s)."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = token["data"]
                href = attrs.get((None, "href"), "")
                if href.lower().startswith(("http://", "https://")):
                    attrs[(None, "rel")] = EXTERNAL_REL
                else:
                    attrs.pop((None, "rel"), None)
            yield token


@dataclass(frozen=True)
class Cleaners:
    html: bleach.Cleaner
    text: bleach.Cleaner


_local = threading.local()


def cleaners() -> Cleaners:
    """This thread's bleach cleaners: bleach documents a Cleaner as not thread-safe, and waitress
    serves from several threads. Building one costs ~25 µs (a render ~3 ms), once per thread."""
    found: Cleaners | None = getattr(_local, "cleaners", None)
    if found is None:
        found = Cleaners(
            html=bleach.Cleaner(
                tags=ALLOWED_TAGS,
                attributes=ALLOWED_ATTRIBUTES,
                protocols=ALLOWED_PROTOCOLS,
                strip=True,
                strip_comments=True,
                filters=[_ExternalLinks],
            ),
            text=bleach.Cleaner(tags=set(), attributes={}, strip=True, strip_comments=True),
        )
        _local.cleaners = found
    return found


_EXTENSIONS = ["extra", "sane_lists"]


# Renders kept, most recently used first. A practice page renders its body (and lessons, and the
# original beside a translation) on every view: ~3 ms each, a third of the page's CPU. The HTML
# depends on the text alone, so a cached render is the same bytes. 512 texts of a few KB each
# (a practice body is ~3 KB of Markdown) hold a few MB.
RENDER_CACHE_SIZE = 512


def render(text: str) -> str:
    """Render Markdown to HTML that is safe to insert in a page."""
    return _render(text or "")


@functools.lru_cache(maxsize=RENDER_CACHE_SIZE)
def _render(text: str) -> str:
    raw = md.markdown(text, extensions=_EXTENSIONS, output_format="html")
    raw = _HEADING_SHIFT.sub(r"<\1h2>", _DROP_WITH_CONTENT.sub("", raw))
    return str(cleaners().html.clean(raw))


def to_plain_text(text: str, *, headings: bool = True) -> str:
    """Render Markdown to plain text (for the search index and snippets): no markup, no tags.

    With headings=False the section headings are left out, so that a snippet never runs a
    heading ("Context") into the sentence after it.
    """
    raw = md.markdown(text or "", extensions=_EXTENSIONS, output_format="html")
    if not headings:
        raw = re.sub(r"<h([1-6])\b[^>]*>.*?</h\1>", "", raw, flags=re.S)
    # Keep block boundaries as line breaks so that snippets do not glue two paragraphs together.
    raw = re.sub(r"</(p|h[1-6]|li|tr|blockquote|pre)>", "\n", _DROP_WITH_CONTENT.sub("", raw))
    plain = html.unescape(str(cleaners().text.clean(raw)))
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", plain)).strip()

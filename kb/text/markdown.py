"""Markdown to safe HTML, and Markdown to plain text for search.

The only module that imports `markdown` and `bleach`. Raw HTML in Markdown is read one tag at a
time, inside its paragraph: a tag outside the allow-list is dropped alone (its text stays), a
script, style or template element is dropped with its content when both ends sit in one
paragraph, and a `<` that opens no complete tag is shown as text. Bleach then cleans what is
left by an allow-list of tags, attributes and URL schemes; links to other sites get
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
from xml.etree.ElementTree import Element

import bleach
import markdown as md
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, HtmlInlineProcessor, InlineProcessor

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
# The text of these is never prose: dropped with the element when both its tags are in one
# paragraph. (Readability only: bleach, not this pattern, is what makes the output safe.)
_DROP_WITH_CONTENT = r"<(script|style|template)\b[^>]*>.*?</\1\s*>"
# Raw tags kept for bleach: words-level ones only. A raw table, list or heading tag inside a
# paragraph makes the HTML parser move or drop the paragraphs around it; Markdown writes those.
RAW_TAGS = frozenset(
    {"a", "abbr", "b", "br", "code", "del", "em", "i", "img", "strong", "sub", "sup"}
)
_EMPTY_PARAGRAPH = re.compile(r"<p></p>\n?")
_TAG_NAME = re.compile(r"</?([a-zA-Z][^\s/>]*)")


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


class _OneRawTag(HtmlInlineProcessor):
    """Keep a raw words-level tag for bleach to clean; drop any other tag, comment or processing
    instruction alone.

    Python-Markdown hands a raw HTML block (a line that starts with a tag) to the page verbatim,
    up to its closing tag or the end of the text, and an HTML parser reads a `<style>` or
    `<math>` with no end as holding all that follows: one stray tag hid the rest of a practice,
    code spans and all. Read as inline HTML, one tag at a time, a stray tag costs only itself.
    """

    # Python-Markdown's own InlineProcessor overrides Pattern's signature the same way.
    def handleMatch(  # type: ignore[override]  # noqa: N802 (Python-Markdown's name)
        self, m: re.Match[str], data: str
    ) -> tuple[Element | str | None, int | None, int | None]:
        name = _TAG_NAME.match(m.group(1))
        if name is not None and name.group(1).lower() in RAW_TAGS:
            return super().handleMatch(m, data)
        return "", m.start(0), m.end(0)


class _DropNonProse(InlineProcessor):
    """A script, style or template element with both tags in one paragraph goes, content too."""

    # Python-Markdown's own InlineProcessor overrides Pattern's signature the same way.
    def handleMatch(  # type: ignore[override]  # noqa: N802 (Python-Markdown's name)
        self, m: re.Match[str], data: str
    ) -> tuple[Element | str | None, int | None, int | None]:
        return "", m.start(0), m.end(0)


class _RawHtmlByTag(Extension):
    def extendMarkdown(self, parser: md.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        parser.preprocessors.deregister("html_block")
        parser.inlinePatterns.register(_OneRawTag(HTML_RE, parser), "html", 90)
        # Above "html", so that the element is seen whole before its tags are taken one by one;
        # below "backtick", so that a code span showing such an element stays text.
        parser.inlinePatterns.register(
            _DropNonProse(r"(?is)" + _DROP_WITH_CONTENT, parser), "non_prose", 95
        )


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


_EXTENSIONS: list[str | Extension] = ["extra", "sane_lists"]


def _to_html(text: str) -> str:
    return md.markdown(text, extensions=[*_EXTENSIONS, _RawHtmlByTag()], output_format="html")


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
    raw = _HEADING_SHIFT.sub(r"<\1h2>", _EMPTY_PARAGRAPH.sub("", _to_html(text)))
    return str(cleaners().html.clean(raw))


def to_plain_text(text: str, *, headings: bool = True) -> str:
    """Render Markdown to plain text (for the search index and snippets): no markup, no tags.

    With headings=False the section headings are left out, so that a snippet never runs a
    heading ("Context") into the sentence after it.
    """
    raw = _to_html(text or "")
    if not headings:
        raw = re.sub(r"<h([1-6])\b[^>]*>.*?</h\1>", "", raw, flags=re.S)
    # Keep block boundaries as line breaks so that snippets do not glue two paragraphs together.
    raw = re.sub(r"</(p|h[1-6]|li|tr|blockquote|pre)>", "\n", raw)
    plain = html.unescape(str(cleaners().text.clean(raw)))
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", plain)).strip()

"""Editorial pages (`pages/<slug>.<language>.md`) -> PageData."""

from __future__ import annotations

from pathlib import Path

from kb.catalogue.data import LANGUAGES
from kb.catalogue.pages import PageData
from kb.catalogue.validation import EMAIL_RE, PHONE_RE
from kb.content.checker import check_sources, open_text
from kb.content.export import _source_dict
from kb.content.source import MAX_FILE_BYTES, ContentError, read_file
from kb.errors import N_
from kb.text import bilingual

PAGE_KEYS = ("slug", "language", "title", "sources")


def parse_page(path: Path, errors: list[ContentError]) -> PageData | None:
    """Read one page file; problems go to `errors` (with lines); None when unusable."""
    text = read_file(path, errors)
    if text is None:
        return None
    return _page_of(text, str(path), path.stem, errors)


def parse_page_text(text: str, stem: str) -> tuple[PageData | None, list[ContentError]]:
    """Parse one page from text; `stem` (`<slug>.<language>`) is the file name it must match."""
    errors: list[ContentError] = []
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        return None, [
            ContentError(
                stem,
                1,
                "file",
                N_("larger than %(max)s bytes"),
                max=MAX_FILE_BYTES,
            )
        ]
    page = _page_of(text, f"{stem}.md", stem, errors)
    return (page if not errors else None), errors


def _page_of(text: str, display: str, stem: str, errors: list[ContentError]) -> PageData | None:
    opened = open_text(text, display, errors, front_matter=True)
    if opened is None:
        return None
    check, body = opened
    data = check.mapping(check.located.value, "", PAGE_KEYS)
    slug = check.text(data, "slug", "slug") or ""
    language = check.text(data, "language", "language") or ""
    title = check.text(data, "title", "title") or ""
    if f"{slug}.{language}" != stem:
        check.error(
            "slug",
            N_("file name must be <slug>.<language>.md, expected %(slug)s.%(language)s.md"),
            slug=slug,
            language=language,
        )
    if language not in LANGUAGES:
        check.error(
            "language", N_("expected one of %(choices)s"), choices=", ".join(LANGUAGES)
        )
    if not title.strip():
        check.error("title", N_("required; expected the page's title"))
    sources = check.sources(data, "sources")
    check_sources(check, sources, "sources")
    for name, value in (("title", title), ("body", body)):
        if EMAIL_RE.search(value) or PHONE_RE.search(value):
            check.error(name, N_("contains an e-mail address or phone number"))
    return PageData(
        slug, language, title, bilingual.normalise(body), tuple(_source_dict(s) for s in sources)
    )

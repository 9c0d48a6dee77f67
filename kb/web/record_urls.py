"""The one place that builds absolute URLs for records, exports, feeds and webhooks."""

from __future__ import annotations

from kb.web.i18n import LANGS
from kb.web.urls import external_url


def record_url(kind: str, lang: str, slug: str) -> str:
    """The public page of a collection or a practice (kb.collection_reads.UrlFor)."""
    endpoint = "collections.show" if kind == "collection" else "public.practice"
    return external_url(endpoint, lang=lang, slug=slug)


def practice_urls(slug: str) -> dict[str, str]:
    """The public page of a practice in each language, as absolute URLs."""
    return {lang: external_url("public.practice", lang=lang, slug=slug) for lang in LANGS}

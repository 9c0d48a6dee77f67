"""The one place that builds absolute URLs for records, exports, feeds and webhooks."""

from __future__ import annotations

from kb.i18n import LANGS
from kb.urls import external_url


def practice_urls(slug: str) -> dict[str, str]:
    """The public page of a practice in each language, as absolute URLs."""
    return {
        lang: external_url("public.practice", lang=lang, slug=slug) for lang in LANGS
    }

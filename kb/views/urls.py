"""The one place that builds absolute URLs for records, exports, feeds and webhooks."""

from __future__ import annotations

from flask import url_for

from kb.i18n import LANGS


def practice_urls(slug: str) -> dict[str, str]:
    """The public page of a practice in each language, as absolute URLs."""
    return {
        lang: url_for("public.practice", lang=lang, slug=slug, _external=True) for lang in LANGS
    }

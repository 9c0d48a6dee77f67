"""How a practice's facts read on a page: periods, budgets, dates, names in the reader's language.

Template helpers for the public blueprint (web tier: they read the request's language from `g`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import dates as babel_dates
from babel.numbers import format_currency
from flask import Blueprint, g
from flask_babel import gettext as _

from kb.catalogue import sources
from kb.models import Practice
from kb.public import presenting as catalogue
from kb.search.service import vocabulary
from kb.text.markdown import render


def practice_texts(p: Practice, lang: str) -> dict[str, Any]:
    """The rendered texts of a practice page: the reader's language when a translation exists,
    else the original (the public page and the moderators' preview both use this)."""
    translated = p.language != lang and bool(p.body_translation)
    lessons = p.lessons_translation if p.language != lang and p.lessons_translation else p.lessons
    return {
        "body_html": render(p.body_translation if translated else p.body),
        "original_html": render(p.body) if translated else "",
        "lessons_html": render(lessons or ""),
        "lessons_lang": lang if lessons and lessons != p.lessons else p.language,
    }


def _period_text(p: Practice) -> str:
    """ "2016 – 2020", "depuis 2016" / "since 2016", or that the sources give no start year."""
    if not p.start_year:
        return str(_("start year not given by the sources"))
    if p.end_year:
        return f"{p.start_year} – {p.end_year}"
    if p.status == "ongoing":
        return str(_("since %(year)s", year=p.start_year))
    return str(_("started in %(year)s", year=p.start_year))


def _contact(p: Practice, lang: str) -> dict[str, Any] | None:
    """The public contact in the reader's language where kb has it (own: in that language)."""
    name = p.contact(lang)
    if not name:
        return None
    if lang == "fr" and not p.contact_organisation_fr:
        # The contact is often the lead organisation or a partner, whose French name kb holds.
        if name == p.lead_organisation and p.lead_organisation_fr:
            return {"name": p.lead_organisation_fr, "own": True}
        for en, fr in zip(p.partners, p.partners_fr, strict=False):
            if name == en:
                return {"name": fr, "own": True}
    own = p.language == lang or (lang == "fr" and bool(p.contact_organisation_fr))
    return {"name": name, "own": own}


def _budget_text(budget: dict[str, Any]) -> str:
    locale = catalogue.BABEL_LOCALES.get(g.lang, "en_GB")
    whole = float(budget["amount"]).is_integer()
    pattern = ("#,##0\u00a0¤" if g.lang == "fr" else "¤#,##0") if whole else None
    amount = format_currency(
        budget["amount"], budget["currency"], format=pattern, locale=locale, currency_digits=False
    )
    qualifier = budget.get("qualifier")
    if qualifier == "up-to":
        amount = _("up to %(amount)s", amount=amount)
    elif qualifier == "about":
        amount = _("about %(amount)s", amount=amount)
    period = (budget.get("period") or {}).get(g.lang)
    return f"{amount}, {period}" if period else amount


def _source_date(value: str) -> str:
    """A source's date (YYYY, YYYY-MM or YYYY-MM-DD) as running text in the reader's locale."""
    locale = catalogue.BABEL_LOCALES.get(g.lang, "en_GB")
    try:
        if len(value) == 7:
            return str(
                babel_dates.format_date(date.fromisoformat(value + "-01"), "MMMM y", locale=locale)
            )
        if len(value) == 10:
            return catalogue.long_date(date.fromisoformat(value), g.lang)
    except ValueError:
        pass
    return value


def _long_date(value: Any) -> str:
    if isinstance(value, str):
        return _source_date(value)
    return catalogue.long_date(value, g.lang)


def city_name(slug: str, lang: str) -> str:
    """A city id's name in `lang` (one name per city in filters, cards and titles)."""
    return vocabulary().city(slug, lang)


def url_host(url: str) -> str:
    return sources.host(url).removeprefix("www.")


def helpers() -> dict[str, Any]:
    """The helpers the practice and About templates call."""
    return {
        "period_text": _period_text,
        "contact_name": _contact,
        "budget_text": _budget_text,
        "source_date": _source_date,
        "long_date": _long_date,
        "is_unofficial_copy": sources.is_unofficial_copy,
    }


def register_filters(bp: Blueprint) -> None:
    bp.add_app_template_filter(city_name, "city_name")
    bp.add_app_template_filter(url_host, "url_host")

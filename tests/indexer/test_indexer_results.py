"""Results: exact totals, sorting, paging, facet semantics and escaped highlights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ixcorpus import CORPUS, SYNONYMS, bodies_of, make_document

from indexer import FACETS, Index, Query, SynonymGroup


def counts(results: Any, facet: str) -> dict[str, int]:
    return {fc.value: fc.count for fc in results.facets[facet]}


def test_total_is_exact_beyond_the_page(index: Any) -> None:
    results = index.search(Query(text="", per_page=2))
    assert results.total == 6
    assert len(results.hits) == 2


def test_pages_do_not_overlap(index: Any) -> None:
    first = index.search(Query(per_page=4, page=1, sort="title"))
    second = index.search(Query(per_page=4, page=2, sort="title"))
    assert {h.id for h in first.hits}.isdisjoint(h.id for h in second.hits)
    assert len(first.hits) + len(second.hits) == 6


def test_sort_newest_orders_by_publication_time(index: Any) -> None:
    results = index.search(Query(sort="newest"))
    assert [h.id for h in results.hits] == [2, 1, 5, 4, 6, 3]


@pytest.mark.parametrize(
    ("lang", "first"),
    [("fr", 2), ("en", 3)],  # "Ateliers…" vs "Exit programme…"
)
def test_sort_title_uses_the_readers_language(index: Any, lang: str, first: int) -> None:
    results = index.search(Query(sort="title", lang=lang))
    assert results.hits[0].id == first


def test_every_facet_is_present_in_results(index: Any) -> None:
    assert set(index.search(Query(text="quartiers")).facets) == set(FACETS)


def test_facet_counts_cover_all_matches_not_only_the_page(index: Any) -> None:
    results = index.search(Query(per_page=1))
    assert counts(results, "country") == {"FR": 4, "DE": 1, "BE": 1}
    assert counts(results, "language") == {"fr": 3, "en": 3}


def test_several_values_in_one_facet_are_or(index: Any) -> None:
    results = index.search(Query(filters={"city": ("Lyon", "Berlin")}))
    assert {h.id for h in results.hits} == {2, 3}


def test_values_across_facets_are_and(index: Any) -> None:
    results = index.search(Query(filters={"theme": ("polarisation",), "country": ("BE",)}))
    assert {h.id for h in results.hits} == {5}


def test_a_facets_counts_ignore_its_own_selection(index: Any) -> None:
    results = index.search(Query(filters={"country": ("DE",)}))
    assert counts(results, "country") == {"FR": 4, "DE": 1, "BE": 1}
    assert [fc.value for fc in results.facets["country"] if fc.selected] == ["DE"]


def test_a_facets_counts_apply_the_other_selections(index: Any) -> None:
    results = index.search(Query(filters={"country": ("FR",), "approach": ("mediation",)}))
    assert counts(results, "approach") == {"mediation": 2, "education": 1, "research": 1}
    assert counts(results, "country") == {"FR": 2}
    assert counts(results, "theme") == {"hate": 1, "online-harms": 1, "social-cohesion": 1}


def test_a_selected_value_without_matches_is_still_listed(index: Any) -> None:
    results = index.search(Query(text="berlin", filters={"country": ("FR",)}))
    assert results.total == 0
    assert {fc.value: (fc.count, fc.selected) for fc in results.facets["country"]} == {
        "DE": (1, False),
        "FR": (0, True),
    }


@pytest.mark.parametrize(
    "filters",
    [{}, {"country": ("FR",)}, {"country": ("FR",), "approach": ("mediation",)}],
)
def test_facet_counts_are_the_same_by_masks_and_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filters: dict[str, tuple[str, ...]]
) -> None:
    """Masks count large doc sets; past the memory budget, or for a small doc set, a searcher
    counts document by document, with the same result."""
    from indexer import facets

    def all_counts(label: str, budget: int, min_share: int) -> dict[str, dict[str, int]]:
        monkeypatch.setattr(facets, "MASK_BUDGET", budget)
        monkeypatch.setattr(facets, "MASK_MIN_SHARE", min_share)
        ix = Index.open(tmp_path / label, synonyms=SYNONYMS)
        try:
            ix.rebuild(CORPUS, last_change_id=10, procs=1)
            results = ix.search(Query(filters=filters))
            return {facet: counts(results, facet) for facet in FACETS}
        finally:
            ix.close()

    by_masks = all_counts("masks", facets.MASK_BUDGET, 1)
    assert any(by_masks.values())
    assert by_masks == all_counts("over-budget", 0, 1)
    assert by_masks == all_counts("small-set", facets.MASK_BUDGET, 1000)


def test_unknown_facets_in_filters_are_ignored(index: Any) -> None:
    assert index.search(Query(filters={"colour": ("red",)})).total == 6


def test_title_and_summary_are_highlighted_in_the_readers_language(index: Any) -> None:
    hit = index.search(Query(text="polarisation", lang="fr")).hits[0]
    assert "<mark>polarisation</mark>" in hit.title


def test_snippet_is_the_best_body_fragment(index: Any, body_text: Any) -> None:
    hit = index.search(Query(text="families"), body_text=body_text).hits[0]
    assert "<mark>Families</mark> are involved" in hit.snippet


def test_no_snippet_without_a_body_match(index: Any, body_text: Any) -> None:
    hit = index.search(Query(text="Strasbourg"), body_text=body_text).hits[0]
    assert hit.snippet == ""


def test_bodies_are_asked_for_only_for_the_shown_hits(index: Any) -> None:
    asked: list[int] = []

    def body_text(doc_ids: Any) -> dict[int, str]:
        asked.extend(doc_ids)
        return {}

    index.search(Query(text="quartiers", per_page=1), body_text=body_text)
    assert len(asked) == 1


def test_highlights_escape_html_from_documents(tmp_path: Path) -> None:
    doc = make_document(
        id=7,
        title_en="Hate <b>bold</b> & co",
        summary_en='Summary with "quotes" <img src=x onerror=alert(1)> hate',
        body="Before <script>alert('hate')</script> after hate",
    )
    ix = Index.open(tmp_path / "ix", synonyms=SYNONYMS)
    try:
        ix.rebuild([doc], last_change_id=1, procs=1)
        hit = ix.search(Query(text="hate", lang="en"), body_text=bodies_of([doc])).hits[0]
    finally:
        ix.close()
    assert hit.title == "<mark>Hate</mark> &lt;b&gt;bold&lt;/b&gt; &amp; co"
    assert "<img" not in hit.summary and "&lt;img" in hit.summary
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;alert('<mark>hate</mark>')&lt;/script&gt;" in hit.snippet


def test_highlight_in_query_text_is_not_injected(index: Any, body_text: Any) -> None:
    results = index.search(Query(text="<mark>haine</mark>"), body_text=body_text)
    for hit in results.hits:
        assert "&lt;mark" not in hit.title
        assert hit.title.count("<mark>") == hit.title.count("</mark>")


def test_relevance_ranking_applies_facet_filters(index: Any) -> None:
    results = index.search(Query(text="quartiers", filters={"country": ("FR",)}))
    assert {h.id for h in results.hits} == {1, 2, 6}
    assert results.total == 3


def test_multi_word_synonyms_are_highlighted_only_as_whole_phrases(tmp_path: Path) -> None:
    # "proposer" stems like "propos" and "actes" like "acte": on their own they must not light up
    # because the synonym group of "haine" holds "propos haineux" and "actes haineux".
    group = SynonymGroup(("haine", "hate", "propos haineux", "actes haineux"), "theme", "hate")
    synonyms = (group,)
    loose = make_document(
        id=1,
        language="fr",
        title_fr="Agir contre la haine",
        summary_fr="Les jeunes peuvent proposer des actes de solidarité face à la haine.",
        body="Proposer des actes concrets contre la haine au quotidien.",
    )
    whole = make_document(
        id=2,
        language="fr",
        title_fr="Signaler les actes haineux",
        summary_fr="Un guichet recueille les propos haineux et les actes haineux.",
        body="Des actes haineux sont signalés chaque semaine.",
        themes=("hate",),
    )
    ix = Index.open(tmp_path / "ix", synonyms=synonyms)
    try:
        ix.rebuild([loose, whole], last_change_id=2, procs=1)
        hits = {
            h.id: h
            for h in ix.search(
                Query(text="haine", lang="fr"), body_text=bodies_of([loose, whole])
            ).hits
        }
    finally:
        ix.close()
    assert hits[1].summary == (
        "Les jeunes peuvent proposer des actes de solidarité face à la <mark>haine</mark>."
    )
    assert "<mark>Proposer</mark>" not in hits[1].snippet
    assert "<mark>actes</mark>" not in hits[1].snippet
    assert "<mark>haine</mark>" in hits[1].snippet
    assert hits[2].title == "Signaler les <mark>actes</mark> <mark>haineux</mark>"
    assert "<mark>propos</mark> <mark>haineux</mark>" in hits[2].summary
    assert "<mark>actes</mark> <mark>haineux</mark> sont" in hits[2].snippet

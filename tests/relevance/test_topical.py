"""Topical relevance: practitioners' needs (not names) find the practices that answer them.

The judgment set is `topical.yaml`; the mean nDCG@10 of kb's real search over it, and over each
of its halves (tuning and held-back), must stay at or above its floor (set just below what was
measured, so a ranking regression fails here first). The
benchmark `python -m tests.bench.bench_topical` prints the same figure beside plain BM25.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from topical import CONTENT_DIR, SPLITS, K, evaluate, kb_ranker, load_needs, mean

# Measured 0.801 on 78 practices and 62 needs, rounded down (0.873 was measured on the first 37
# practices and 50 needs: the two are different sets, see tests/bench/README.md).
FLOOR = 0.80
# Each half keeps its own floor (topical.yaml says how the halves were drawn), just below what
# was measured. Part 3 of issue 24 (French stop words, place names in both languages, negated
# evaluation sentences left out, titles naming the typed words), before -> after:
# tuning 0.816 -> 0.816, held-back 0.786 -> 0.795, all 0.801 -> 0.805.
FLOORS = {"tuning": 0.81, "held-back": 0.79}

NEEDS = load_needs()


def _practice_slugs() -> set[str]:
    return {p.stem for p in Path(CONTENT_DIR, "practices").glob("*.md")}


def test_the_set_holds_at_least_forty_needs_about_three_in_five_in_french() -> None:
    french = sum(1 for n in NEEDS if n.lang == "fr")
    assert len(NEEDS) >= 40
    assert 0.55 <= french / len(NEEDS) <= 0.65


def test_every_judged_practice_exists_and_every_grade_two_says_why() -> None:
    slugs = _practice_slugs()
    for need in NEEDS:
        assert set(need.grades) | set(need.trap) <= slugs, need.query
        assert set(need.grades.values()) <= {1, 2}, need.query
        assert all(need.why.get(s) for s, g in need.grades.items() if g == 2), need.query


def test_each_need_has_a_relevant_practice_and_gaps_have_no_full_answer() -> None:
    for need in NEEDS:
        assert need.grades, need.query
        assert (2 in need.grades.values()) is not need.gap, need.query


def test_traps_are_judged_irrelevant() -> None:
    for need in NEEDS:
        assert not set(need.trap) & set(need.grades), need.query


def test_queries_are_unique() -> None:
    assert len({(n.query, n.lang) for n in NEEDS}) == len(NEEDS)


def test_the_set_is_split_in_two_halves_of_each_language() -> None:
    for lang in ("fr", "en"):
        halves = [sum(1 for n in NEEDS if n.lang == lang and n.split == s) for s in SPLITS]
        assert abs(halves[0] - halves[1]) <= 1, lang
    assert {n.split for n in NEEDS} == set(SPLITS)


@pytest.fixture(scope="module")
def scores(seeded_app: Flask) -> list[float]:
    """nDCG@10 of each need, in the order of the set."""
    return evaluate(NEEDS, kb_ranker(seeded_app))


@pytest.mark.parametrize("split", SPLITS)
def test_mean_ndcg_at_10_of_each_half_stays_above_its_floor(
    scores: list[float], split: str, capsys: pytest.CaptureFixture[str]
) -> None:
    value = mean([s for s, n in zip(scores, NEEDS, strict=True) if n.split == split])
    count = sum(1 for n in NEEDS if n.split == split)
    with capsys.disabled():
        print(f"\ntopical relevance, {split}: {count} needs, mean nDCG@{K} {value:.3f}")
    assert value >= FLOORS[split]


def test_mean_ndcg_at_10_stays_above_the_floor(
    scores: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    value = mean(scores)
    with capsys.disabled():
        print(f"\ntopical relevance: {len(scores)} needs, mean nDCG@{K} {value:.3f}")
    assert value >= FLOOR

"""The labelled evaluation set and the grouping helpers used to score backends."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from peerlearn.engine.evalset import (
    categories,
    greedy_groups,
    group_sizes,
    load_labelled_rows,
    load_labelled_statements,
    pair_precision,
    random_groups,
)
from peerlearn.engine.similarity import STOP_WORDS, normalise_text


def test_size_and_categories() -> None:
    rows = load_labelled_statements()
    assert len(rows) >= 300
    counts = Counter(c for _, c in rows)
    assert 10 <= len(counts) <= 15
    assert min(counts.values()) >= 15
    assert {"procurement", "political_principals", "new_agency"} <= set(categories())


def test_statements_are_distinct_and_short() -> None:
    statements = [s for s, _ in load_labelled_statements()]
    assert len(set(statements)) == len(statements)
    assert all(3 <= len(s.split()) <= 40 for s in statements)


def test_some_spanish_and_french() -> None:
    languages = Counter(lang for _, _, lang in load_labelled_rows())
    assert languages["es"] >= 10 and languages["fr"] >= 10
    assert languages["en"] > languages["es"] + languages["fr"]


def test_no_single_keyword_gives_a_category_away() -> None:
    words_by_category: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for statement, category in load_labelled_statements():
        sizes[category] += 1
        words = {w for w in normalise_text(statement).split() if w not in STOP_WORDS}
        words_by_category[category].update(words)
    for category, counter in words_by_category.items():
        _, top = counter.most_common(1)[0]
        assert top / sizes[category] < 0.5, category


def test_fresh_list_each_call() -> None:
    first = load_labelled_statements()
    first.clear()
    assert load_labelled_statements()


def test_group_sizes() -> None:
    for n in [5, 6, 10, 11, 12, 15, 16, 17, 18, *range(20, 200)]:
        sizes = group_sizes(n)
        assert sum(sizes) == n and all(5 <= s <= 6 for s in sizes), n
    assert group_sizes(0) == [] and group_sizes(4) == [4]


def test_greedy_groups_partition_and_cluster() -> None:
    rng = np.random.default_rng(0)
    centres = np.eye(4, dtype=np.float32)
    labels = [i % 4 for i in range(48)]
    v = centres[labels] + rng.normal(0, 0.05, size=(48, 4)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    groups = greedy_groups(v, seed=3)
    assert sorted(i for g in groups for i in g) == list(range(48))
    assert pair_precision(groups, [str(x) for x in labels]) == 1.0
    assert pair_precision(random_groups(48, seed=3), [str(x) for x in labels]) < 0.6


def test_pair_precision_counts_pairs() -> None:
    assert pair_precision([[0, 1], [2, 3, 4]], ["a", "a", "a", "b", "b"]) == 2 / 4
    assert pair_precision([[0]], ["a"]) == 0.0


def test_translations_make_a_cohort_writing_a_third_in_each_language() -> None:
    from peerlearn.engine.evalset import load_translations, mixed_language_rows

    english = {s: c for s, c, lang in load_labelled_rows() if lang == "en"}
    translations = load_translations()
    assert set(translations) <= set(english)  # every translation has its English original
    assert {lang for lang, _ in translations.values()} == {"es", "fr"}
    assert all(text.strip() for _, text in translations.values())
    rows = mixed_language_rows()
    assert [c for _, c, _ in rows] == list(english.values())  # same problems, same order
    per_category: dict[str, Counter[str]] = defaultdict(Counter)
    for _, category, lang in rows:
        per_category[category][lang] += 1
    for category, counts in per_category.items():
        assert all(counts[lang] >= 5 for lang in ("en", "es", "fr")), (category, counts)

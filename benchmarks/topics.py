"""Readable topic labels and group themes: key phrases against the old tf-idf words.

Run: ``python benchmarks/topics.py [--list]``.

On the labelled set (all 308 statements, the 281 English ones, and the 27
Spanish and French ones as a subset of their own) the topics of
:func:`peerlearn.engine.topics.propose_topics` are labelled twice: with the key
phrase the engine now uses (:func:`~peerlearn.engine.topics.key_phrases`,
YAKE candidates re-ranked by support and contrast) and with the old label
(the first top tf-idf key terms joined by commas, rebuilt here as it was).
Then groups of 5-6 (similarity-greedy, tf-idf) get themes both ways: the
new ``ranker="counts"`` key phrases against :func:`key_terms`.

Proxies printed per set and method (no one here judged the labels by hand):

``phrase``   share of labels that occur word for word in one of the topic's statements
``stop``     share of labels made only of stop words (lower is better)
``multi``    share of labels of two words or more that are not comma lists
``lang``     share of labels occurring in a statement of the topic's dominant language
``distinct`` share of distinct labels among the topics
``overlap``  mean word overlap (Jaccard) between two topics' labels (lower is better)
``shared``   (groups) share of first themes written by two members or more
``ms``       milliseconds to label all the topics of a set, or per group (themes);
             the whole proposal (vectors, clustering, labels) is printed below

With ``--list`` every label is printed next to the old one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from peerlearn.engine.evalset import greedy_groups, load_labelled_rows  # noqa: E402
from peerlearn.engine.similarity import (  # noqa: E402
    STOP_WORDS,
    get_backend,
    guess_language,
    key_terms,
    normalise_text,
)
from peerlearn.engine.topics import (  # noqa: E402
    PhraseIndex,
    Topic,
    key_phrases,
    phrase_occurs,
    propose_topics,
)


def old_label(terms: Sequence[str]) -> str:
    """The label before issue 15: two to five top key terms joined by commas."""
    words: list[str] = []
    parts: list[str] = []
    for term in terms:
        term_words = term.split()
        if words and len(words) + len(term_words) > 5:
            break
        parts.append(term)
        words.extend(term_words)
        if len(words) >= 3:
            break
    if not parts:
        return "Other challenges"
    label = ", ".join(parts)
    if len(words) == 1:
        label = f"{label} challenges"
    return label[0].upper() + label[1:]


def _words(label: str) -> set[str]:
    return set(normalise_text(label).replace(",", " ").split())


def proxies(
    labels: Sequence[str], texts: Sequence[Sequence[str]], languages: Sequence[str]
) -> dict[str, float]:
    """The proxies of one list of labels, each with the statements of its topic."""
    n = len(labels) or 1
    own = [
        [t for t in ts if guess_language(t) in (lang, "other")]
        for ts, lang in zip(texts, languages, strict=True)
    ]
    pairs = list(combinations(range(len(labels)), 2))
    overlap = (
        statistics.mean(
            len(_words(labels[a]) & _words(labels[b])) / len(_words(labels[a]) | _words(labels[b]))
            for a, b in pairs
        )
        if pairs
        else 0.0
    )
    return {
        "phrase": sum(phrase_occurs(lb, ts) for lb, ts in zip(labels, texts, strict=True)) / n,
        "stop": sum(all(w in STOP_WORDS for w in _words(lb)) for lb in labels) / n,
        "multi": sum(len(lb.split()) >= 2 and "," not in lb for lb in labels) / n,
        "lang": sum(phrase_occurs(lb, ts) for lb, ts in zip(labels, own, strict=True)) / n,
        "distinct": len({normalise_text(lb) for lb in labels}) / n,
        "overlap": overlap,
    }


def topic_rows(rows: Sequence[tuple[str, str, str]]) -> tuple[list[Topic], float, list[list[str]]]:
    """Topics of ``rows`` (each statement its own person), the seconds taken, each topic's texts."""
    pairs = [(str(i), s) for i, (s, _, _) in enumerate(rows)]
    t0 = time.perf_counter()
    topics = propose_topics(pairs)
    seconds = time.perf_counter() - t0
    texts = [[rows[int(pid)][0] for pid in t.member_ids] for t in topics]
    return topics, seconds, texts


def _row(name: str, method: str, p: dict[str, float], ms: float, shared: str = "") -> str:
    return (
        f"{name:16} {method:22} {p['phrase']:6.2f} {p['stop']:5.2f} {p['multi']:6.2f} "
        f"{p['lang']:5.2f} {p['distinct']:8.2f} {p['overlap']:7.2f} {shared:>6} {ms:9.1f}"
    )


def group_themes(
    texts: Sequence[str], groups: Sequence[Sequence[int]], themes: Callable[[list[str]], list[str]]
) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    firsts = []
    for group in groups:
        found = themes([texts[i] for i in group])
        firsts.append(found[0] if found else "")
    return firsts, (time.perf_counter() - t0) * 1000 / max(1, len(groups))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true", help="print every label next to the old one")
    args = ap.parse_args()
    every = load_labelled_rows()
    sets = {
        "all": list(every),
        "en": [r for r in every if r[2] == "en"],
        "es+fr": [r for r in every if r[2] != "en"],
    }
    print(
        f"{'set':16} {'method':22} {'phrase':>6} {'stop':>5} {'multi':>6} {'lang':>5} "
        f"{'distinct':>8} {'overlap':>7} {'shared':>6} {'ms':>9}"
    )
    listings: list[str] = []
    timings: list[str] = []
    for name, rows in sets.items():
        topics, seconds, texts = topic_rows(rows)
        languages = [t.language for t in topics]
        cohort = PhraseIndex([r[0] for r in rows])
        t0 = time.perf_counter()
        for ts in texts:
            key_phrases(ts, k=5, background=cohort)
        new_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        olds = [old_label(key_terms(ts, k=5, background=[r[0] for r in rows])) for ts in texts]
        old_ms = (time.perf_counter() - t0) * 1000
        new = proxies([t.label for t in topics], texts, languages)
        old = proxies(olds, texts, languages)
        print(_row(f"{name} ({len(topics)} topics)", "key phrase (YAKE)", new, new_ms))
        print(_row("", "tf-idf words (old)", old, old_ms))
        timings.append(f"  {name}: propose_topics {seconds:.2f} s in all")
        for topic, before in zip(topics, olds, strict=True):
            listings.append(
                f"  {name:6} {len(topic.member_ids):>3} {topic.language:3} "
                f"{topic.label[:40]:40} | {before}"
            )
    # group themes on similarity-greedy groups of 5-6
    for name, rows in sets.items():
        texts = [r[0] for r in rows]
        groups = greedy_groups(get_backend("tfidf").vectors(texts), seed=0)
        cohort = PhraseIndex(texts)
        new_first, new_ms = group_themes(
            texts,
            groups,
            lambda ts, c=cohort: key_phrases(ts, k=5, background=c, ranker="counts"),  # type: ignore[misc]
        )
        old_first, old_ms = group_themes(texts, groups, lambda ts: key_terms(ts, k=5))
        group_texts = [[texts[i] for i in g] for g in groups]
        langs = [
            max(("en", "es", "fr"), key=[guess_language(t) for t in ts].count) for ts in group_texts
        ]
        for method, firsts, ms in (
            ("themes: key phrases", new_first, new_ms),
            ("themes: key terms (old)", old_first, old_ms),
        ):
            shared = sum(
                sum(phrase_occurs(f, [t]) for t in ts) >= 2
                for f, ts in zip(firsts, group_texts, strict=True)
            ) / max(1, len(firsts))
            print(
                _row(
                    f"{name} ({len(groups)} groups)" if "old" not in method else "",
                    method,
                    proxies(firsts, group_texts, langs),
                    ms,
                    f"{shared:.2f}",
                )
            )
    print("\n".join(timings))
    if args.list:
        print("\nlabels (set, people, language, key phrase | old tf-idf words)")
        print("\n".join(listings))


if __name__ == "__main__":
    main()

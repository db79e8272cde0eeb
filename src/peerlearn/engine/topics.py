"""Topic curation: cluster a cohort's challenges into candidate priority topics.

Before anyone is matched, a facilitator reads every challenge the peers named
and distils a baseline of priority topics. :func:`propose_topics` drafts that
baseline: it clusters the challenge statements, labels each cluster with a few
readable words, counts the distinct people behind it and quotes the statements
closest to its centre. ``peerlearn topics INPUT.csv`` (:func:`cli_topics`) prints
the draft and can write it to CSV for the facilitator to edit.

Examples
--------
>>> rows = [("p1", "Our land registry is full of duplicate titles"),
...         ("p2", "Land registry and cadastre records disagree"),
...         ("p3", "The cadastre maps are decades old, titles are disputed"),
...         ("p4", "Finance ministry cut our budget for the reform"),
...         ("p5", "The budget for our reform was cut by finance again"),
...         ("p6", "We cannot get budget from the finance ministry")]
>>> topics = propose_topics(rows, n_topics=2)
>>> sorted(len(t.member_ids) for t in topics)
[3, 3]
>>> sorted(t.member_ids for t in topics)[0]
['p1', 'p2', 'p3']
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from peerlearn.engine.similarity import (
    STOP_WORDS,
    SimilarityBackend,
    available_backends,
    get_backend,
    guess_language,
    key_terms,
    normalise_text,
    registered_backends,
)

__all__ = [
    "MAX_AUTO_TOPICS",
    "MAX_PHRASE_CHARS",
    "MAX_PHRASE_WORDS",
    "PhraseIndex",
    "Topic",
    "add_topics_arguments",
    "auto_topic_count",
    "cli_topics",
    "dominant_language",
    "key_phrases",
    "phrase_occurs",
    "propose_topics",
    "topics_table",
    "write_topics_csv",
]

#: Upper bound on the number of topics chosen automatically: more than this is
#: no longer a baseline a facilitator can discuss in one calibration call.
MAX_AUTO_TOPICS = 25

#: Columns of the topics CSV.
CSV_COLUMNS = ("topic", "label", "people", "challenges", "key_terms", "excerpts")


@dataclass(frozen=True)
class Topic:
    """A candidate topic: a cluster of similar challenges.

    Attributes
    ----------
    label
        A key phrase of at most :data:`MAX_PHRASE_WORDS` words, as the peers
        wrote it in the topic's statements (:func:`key_phrases`).
    key_terms
        Terms that set this cluster apart from the rest of the cohort.
    member_ids
        Distinct people with at least one challenge in the cluster, in input order.
    challenge_count
        Number of challenge statements in the cluster.
    excerpts
        Up to three distinct statements closest to the cluster centre.
    """

    label: str
    key_terms: list[str] = field(default_factory=list)
    member_ids: list[str] = field(default_factory=list)
    challenge_count: int = 0
    excerpts: list[str] = field(default_factory=list)
    #: Language of the label (``en``, ``es``, ``fr``, ``pt`` or ``other``): the
    #: language most of the topic's statements are written in.
    language: str = ""


# ---------------------------------------------------------------------------
# Key phrases
# ---------------------------------------------------------------------------

#: Longest key phrase, in words (stop words inside a phrase count).
MAX_PHRASE_WORDS = 4

#: Longest key phrase, in characters: a 5,000-character "word" is no label.
MAX_PHRASE_CHARS = 60

#: Statements YAKE reads per call: the first ones given (callers put the most
#: central first), which bounds the cost on very large topics.
YAKE_TEXTS = 60

#: Statements whose word sequences are counted for support and contrast; larger
#: sets are sampled with a fixed stride, so the result stays deterministic.
COUNT_TEXTS = 2000

_WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_BREAK_RE = re.compile(r"[.,;:!?()\[\]{}\"“”«»¿¡…/|\n]|\s[-–—]\s")

#: YAKE's stop-word lists for the languages :func:`guess_language` tells apart.
_YAKE_LANGUAGE = {"en": "en", "es": "es", "fr": "fr", "pt": "pt"}

_yake_lock = threading.Lock()


@lru_cache(maxsize=65536)
def _normal_word(word: str) -> str:
    return normalise_text(word)


@lru_cache(maxsize=8192)
def _chunks(text: str) -> tuple[tuple[tuple[str, int, int], ...], ...]:
    """Runs of words between punctuation: ``(normalised word, start, end)`` each.

    A key phrase never spans a comma or a full stop, so phrases are looked up
    inside these runs. Cached: one call of :func:`key_phrases` reads each text
    four times.
    """
    chunks: list[list[tuple[str, int, int]]] = [[]]
    end = 0
    for match in _WORD_RE.finditer(text):
        if chunks[-1] and _BREAK_RE.search(text, end, match.start()):
            chunks.append([])
        chunks[-1].append((_normal_word(match.group()), match.start(), match.end()))
        end = match.end()
    return tuple(tuple(chunk) for chunk in chunks if chunk)


def _sequences(text: str) -> set[str]:
    """Every normalised word sequence of 1 to :data:`MAX_PHRASE_WORDS` words in ``text``."""
    out: set[str] = set()
    for chunk in _chunks(text):
        words = [w for w, _, _ in chunk]
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + MAX_PHRASE_WORDS) + 1):
                out.add(" ".join(words[i:j]))
    return out


def _whole_ends(texts: Sequence[str]) -> tuple[set[str], set[str]]:
    """Word sequences that end (first set) or start (second) somewhere at a boundary.

    A boundary is punctuation, the text's start or end, or a stop word. A
    phrase followed by a content word wherever it occurs ("quick visible" of
    "quick visible wins") is cut short, and reads so; one always preceded by
    a content word ("registry records" of "land registry records") reads
    less badly, since many languages put the noun first.
    """
    ends: set[str] = set()
    starts: set[str] = set()
    for text in texts:
        for chunk in _chunks(text):
            words = [w for w, _, _ in chunk]
            n = len(words)
            for j in range(1, n + 1):
                if j == n or words[j] in STOP_WORDS:
                    for i in range(max(0, j - MAX_PHRASE_WORDS), j):
                        ends.add(" ".join(words[i:j]))
            for i in range(n):
                if i == 0 or words[i - 1] in STOP_WORDS:
                    for j in range(i + 1, min(n, i + MAX_PHRASE_WORDS) + 1):
                        starts.add(" ".join(words[i:j]))
    return ends, starts


def _phrase_key(phrase: str) -> str:
    return " ".join(normalise_text(w) for w in _WORD_RE.findall(phrase))


def phrase_occurs(phrase: str, texts: Iterable[str]) -> bool:
    """Whether ``phrase`` occurs word for word (case and accents aside) in one of ``texts``.

    Examples
    --------
    >>> phrase_occurs("Land Registry", ["Our land registry is old."])
    True
    >>> phrase_occurs("registry is old our", ["Our land registry is old."])
    False
    """
    key = _phrase_key(phrase)
    if not key:
        return False
    n = len(key.split())
    return any(key in _sequences(text) for text in texts) if n <= MAX_PHRASE_WORDS else False


class PhraseIndex:
    """How many of a set of texts contain each word sequence (the background of a contrast).

    Built once per cohort and shared by every topic or group compared with it.
    Sets larger than :data:`COUNT_TEXTS` are sampled with a fixed stride.

    Notes
    -----
    Linear in the length of the (sampled) texts.

    Examples
    --------
    >>> index = PhraseIndex(["land registry", "the land registry", "budget cuts"])
    >>> index.n, index.count("land registry"), index.count("budget")
    (3, 2, 1)
    """

    def __init__(self, texts: Sequence[str], *, limit: int = COUNT_TEXTS) -> None:
        step = max(1, math.ceil(len(texts) / max(1, limit)))
        sample = texts[::step]
        self.n = len(sample)
        self.df: Counter[str] = Counter()
        for text in sample:
            self.df.update(_sequences(text))

    def count(self, key: str) -> int:
        """Texts containing the normalised sequence ``key``."""
        return self.df.get(key, 0)

    def share(self, key: str) -> float:
        """Share of the texts containing ``key`` (0 for an empty index)."""
        return self.df.get(key, 0) / self.n if self.n else 0.0


@lru_cache(maxsize=1)
def _bundled_index() -> PhraseIndex:
    """The labelled statements as the default background: what every official writes."""
    from peerlearn.engine.evalset import load_labelled_statements

    return PhraseIndex([s for s, _ in load_labelled_statements()])


def dominant_language(texts: Sequence[str]) -> str:
    """The language most of ``texts`` are written in (ties: the first met).

    Examples
    --------
    >>> dominant_language(["El presupuesto fue recortado", "Our budget was cut",
    ...                    "La reforma no tiene fondos"])
    'es'
    >>> dominant_language([])
    'other'
    """
    return _majority([guess_language(t) for t in texts])


def _majority(languages: Sequence[str]) -> str:
    counts: Counter[str] = Counter(languages)
    if not counts:
        return "other"
    known = [lang for lang in counts if lang != "other"] or list(counts)
    return max(known, key=lambda lang: counts[lang])


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    """YAKE's stop words of ``language`` (shipped in its wheel) plus the engine's own."""
    import yake

    with _yake_lock:
        shipped = yake.KeywordExtractor(lan=_YAKE_LANGUAGE.get(language, "noLang")).stopword_set
    return frozenset(w for w in shipped if w) | STOP_WORDS


def _yake_candidates(texts: Sequence[str], language: str, top: int) -> list[str]:
    """YAKE's best candidate phrases of ``texts`` read as one document, best first."""
    import yake

    doc = "\n".join(t if t[-1:] in ".!?" else t + "." for t in texts)
    extractor = yake.KeywordExtractor(
        lan=_YAKE_LANGUAGE.get(language, "noLang"),
        n=MAX_PHRASE_WORDS,
        top=top,
        dedup_lim=1.0,  # no fuzzy de-duplication: phrases are de-duplicated below
        stopwords=set(_stop_words(language)),
    )
    return [str(kw) for kw, _ in extractor.extract_keywords(doc)]


def _counted_candidates(texts: Sequence[str]) -> list[str]:
    """Every sequence that starts and ends with a content word, in order of first appearance.

    The cheap candidates of ``ranker="counts"``: no YAKE pass, so a phrase's
    rank is its support and contrast alone.
    """
    seen: dict[str, None] = {}
    for text in texts:
        for chunk in _chunks(text):
            words = [w for w, _, _ in chunk]
            for i, first in enumerate(words):
                if first in STOP_WORDS or len(first) < 3:
                    continue
                for j in range(i + 1, min(len(words), i + MAX_PHRASE_WORDS) + 1):
                    if words[j - 1] not in STOP_WORDS and len(words[j - 1]) >= 3:
                        seen.setdefault(" ".join(words[i:j]), None)
    return list(seen)


def _surfaces(texts: Sequence[str], keys: set[str]) -> dict[str, str]:
    """The most frequent spelling of each key as written in ``texts`` (ties: first met)."""
    seen: dict[str, Counter[str]] = {key: Counter() for key in keys}
    for text in texts:
        for chunk in _chunks(text):
            words = [w for w, _, _ in chunk]
            for i in range(len(words)):
                for j in range(i + 1, min(len(words), i + MAX_PHRASE_WORDS) + 1):
                    key = " ".join(words[i:j])
                    if key in seen:
                        seen[key][text[chunk[i][1] : chunk[j - 1][2]]] += 1
    return {key: c.most_common(1)[0][0] for key, c in seen.items() if c}


def _overlaps(key: str, chosen: Sequence[str]) -> bool:
    """``key`` repeats a chosen phrase: one holds the other, or they share every content word."""
    words = {w for w in key.split() if w not in STOP_WORDS}
    for other in chosen:
        if f" {key} " in f" {other} " or f" {other} " in f" {key} ":
            return True
        if words and words == {w for w in other.split() if w not in STOP_WORDS}:
            return True
    return False


def key_phrases(
    texts: Sequence[str],
    k: int = 3,
    *,
    background: Sequence[str] | PhraseIndex | None = None,
    ranker: Literal["yake", "counts"] = "yake",
) -> list[str]:
    """Short phrases, as the peers wrote them, that say what ``texts`` are about.

    Parameters
    ----------
    texts
        The statements of one topic or group, the most representative first.
    k
        How many phrases to return (fewer if the texts have fewer).
    background
        Texts (or their :class:`PhraseIndex`) the phrases are contrasted with,
        typically the whole cohort. Defaults to the bundled labelled statements,
        so that what every official writes ("the ministry") ranks low.
    ranker
        ``"yake"`` (topics): candidates and their first ranking from YAKE.
        ``"counts"`` (group themes, thousands of groups per run): every
        sequence of the texts is a candidate, ranked by support and contrast
        alone, about 20 times quicker.

    Returns
    -------
    list of str
        Up to ``k`` phrases of at most :data:`MAX_PHRASE_WORDS` words, best first,
        each occurring word for word in one of ``texts``, in the language most of
        them are written in, spelled as most often written. None is only stop
        words; none repeats another.

    Notes
    -----
    Candidates are YAKE's key phrases (Campos et al., 2020: statistical
    features of one document, no model, stop-word lists of 34 languages
    shipped with the package) of the first :data:`YAKE_TEXTS` statements
    written in the dominant language. They are re-ranked for a cohort of
    short statements, where YAKE alone favours one statement's turn of phrase:

    1. phrases of two words or more that two or more statements share;
    2. single words two or more statements share, and (``"yake"`` only)
       phrases built on such a word ("budget execution" where many wrote
       "budget"): a topic of forty statements reads better as a phrase of
       its central statements than as one word, a group's theme must be
       what several members wrote;
    3. (``"counts"``) phrases built on a shared word;
    4. the rest;
    5. phrases cut short: followed by a content word wherever they occur.

    Phrases with two stop words inside (a clause) are left out.
    A phrase always preceded by a content word counts half within its tier.

    Within a tier, by ``log2(1 + support) * lift**2 * (1 + 0.35 * (words - 1))
    / sqrt(1 + rank)``: *support* is how many statements contain the phrase
    (for a phrase built on a shared word: that word), *lift* its share of the statements
    against its share of the background (``here / (here + there)``, so what
    every topic says scores low), *rank* YAKE's. Deterministic. Cost: YAKE's
    pass over at most 60 statements (about 10 ms for 20 short statements,
    90 ms for 60) plus a pass linear in the texts.

    Examples
    --------
    >>> key_phrases(["Our land registry is full of gaps",
    ...              "The land registry records do not match the cadastre",
    ...              "Cadastre maps and the land registry disagree"], k=2)
    ['land registry', 'match the cadastre']
    >>> key_phrases(["El catastro municipal está desactualizado",
    ...              "Nuestro catastro municipal no tiene mapas",
    ...              "Los títulos de propiedad no coinciden con el catastro"], k=1)
    ['catastro municipal']
    >>> key_phrases(["tax audits are slow", "tax audits take years"], k=1)
    ['tax audits']
    >>> key_phrases(["tax audits are slow", "tax audits take years"], k=1, ranker="counts")
    ['tax audits']
    >>> key_phrases(["   ", ""])
    []
    """
    clean = [" ".join(t.split()) for t in texts if t and t.strip()]
    if k <= 0 or not clean:
        return []
    guessed = [guess_language(t) for t in clean]
    language = _majority(guessed)
    # a text without function words ("tax audits") tells no language: keep it
    own = [t for t, g in zip(clean, guessed, strict=True) if g in (language, "other")]
    if ranker == "yake":
        candidates = _yake_candidates(own[:YAKE_TEXTS], language, top=max(30, 8 * k))
    else:
        candidates = _counted_candidates(own[:COUNT_TEXTS])
    here = PhraseIndex(own)
    whole, opened = _whole_ends(own[:COUNT_TEXTS])
    if background is None:
        back = _bundled_index()
    elif isinstance(background, PhraseIndex):
        back = background
    else:
        back = PhraseIndex(background)

    def lift(key: str) -> float:
        share = here.share(key)
        return share / (share + back.share(key)) if share else 0.0

    weights: dict[str, float] = {}

    def weight(key: str) -> float:
        if key not in weights:
            weights[key] = math.log2(1 + here.count(key)) * lift(key) ** 2
        return weights[key]

    scored: list[tuple[int, float, int, str, str]] = []
    lonely: list[tuple[int, str, list[str]]] = []
    for rank, candidate in enumerate(candidates):
        key = _phrase_key(candidate) if ranker == "yake" else candidate
        words = key.split()
        content = [w for w in words if w not in STOP_WORDS]
        if not content or len(words) > MAX_PHRASE_WORDS or len(key) > MAX_PHRASE_CHARS:
            continue  # only stop words, or too long to read as a phrase
        if len(words) - len(content) > 1:
            continue  # two stop words inside: a clause ("es sistemática"), not a phrase
        if here.count(key) == 0:
            continue  # spans punctuation in our reading of the texts
        if ranker == "counts" and here.count(key) < 2 and all(here.count(w) < 2 for w in content):
            lonely.append((rank, key, content))  # shares nothing: scored only if needed
            continue
        head = max(content, key=lambda w: (weight(w), -content.index(w)))
        if key not in whole:
            tier, score = 4, weight(key)
        elif len(words) > 1 and here.count(key) >= 2:
            tier, score = 0, weight(key)
        elif len(words) == 1 and here.count(key) >= 2:
            tier, score = 1, weight(key)
        elif here.count(head) >= 2:
            # a big topic reads better as one statement's phrase on its shared word;
            # a group's theme must be what several members wrote
            tier, score = (1 if ranker == "yake" else 2), weight(head)
        else:
            tier, score = 3, weight(key)
        score *= (1 + 0.35 * (len(words) - 1)) * (1.0 if key in opened else 0.5)
        yake_rank = rank if ranker == "yake" else 0
        scored.append((tier, score / math.sqrt(1 + yake_rank), rank, key, head))
    if len(scored) < 4 * k:
        for rank, key, content in lonely:
            tier = 4 if key not in whole else 3
            score = weight(key) * (1 + 0.35 * (len(key.split()) - 1))
            scored.append((tier, score, rank, key, max(content, key=weight)))
    scored.sort(key=lambda item: (item[0], -item[1], item[2]))
    chosen: list[str] = []
    taken: set[str] = set()
    for tier, _, _, key, head in scored:
        if tier > 0 and head in taken:
            continue  # built on a word a better phrase already says
        if not _overlaps(key, chosen):
            chosen.append(key)
            taken.update(key.split())
        if len(chosen) == k:
            break
    spelled = _surfaces(own, set(chosen))
    return [spelled[key] for key in chosen if key in spelled]


def auto_topic_count(n_challenges: int) -> int:
    """Number of topics chosen when none is given.

    ``round(sqrt(n / 2))``, the classic rule of thumb for the number of clusters,
    kept between 2 and :data:`MAX_AUTO_TOPICS` (and 1 for fewer than three
    challenges).

    Notes
    -----
    On short, paraphrased statements the silhouette score was measured to be
    nearly flat across ``k`` for tf-idf (0.00-0.01 for k = 2..30 on the bundled
    labelled set), so it cannot choose ``k``; the size rule gives 12 topics for
    the 308 labelled statements, which have 14 true categories.

    Examples
    --------
    >>> [auto_topic_count(n) for n in (1, 10, 165, 308, 100_000)]
    [1, 2, 9, 12, 25]
    """
    if n_challenges < 3:
        return 1
    return int(min(MAX_AUTO_TOPICS, max(2, round((n_challenges / 2) ** 0.5))))


def _cluster(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Cluster unit rows into ``k`` groups; returns a label per row."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD

    n, d = vectors.shape
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    data = vectors
    if d > 128 and n > 64:
        # Cluster in a 64-dimensional latent space: quicker, and on tf-idf of short
        # texts it groups related words that never co-occur literally.
        data = TruncatedSVD(n_components=64, random_state=seed).fit_transform(vectors)
        norms = np.linalg.norm(data, axis=1, keepdims=True)
        data = np.divide(data, norms, out=np.zeros_like(data), where=norms > 0)
    model: KMeans | MiniBatchKMeans
    if n > 10_000:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=4)
    return np.asarray(model.fit_predict(data), dtype=np.int64)


def _first_words(text: str, n: int = MAX_PHRASE_WORDS) -> str:
    """The first ``n`` words of ``text`` as written (a label of last resort)."""
    chunk = _chunks(text)[0] if _chunks(text) else []
    chunk = chunk[:n]
    words = text[chunk[0][1] : chunk[-1][2]] if chunk else text.strip()
    return words if len(words) <= MAX_PHRASE_CHARS else words[: MAX_PHRASE_CHARS - 1] + "…"


def _capitalised(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _choose_labels(candidates: Sequence[Sequence[str]]) -> list[str]:
    """One label per topic (largest first): its best phrase no larger topic took."""
    used: set[str] = set()
    labels: list[str] = []
    for phrases in candidates:
        label = next((p for p in phrases if _phrase_key(p) not in used), phrases[0])
        used.add(_phrase_key(label))
        labels.append(_capitalised(label))
    return labels


def propose_topics(
    challenges: Sequence[tuple[str, str]],
    *,
    backend: SimilarityBackend | str = "tfidf",
    n_topics: int | None = None,
    seed: int = 0,
) -> list[Topic]:
    """Cluster challenges into candidate topics.

    Parameters
    ----------
    challenges
        ``(person_id, challenge_text)`` pairs; a person may appear many times.
        Blank texts, and texts made only of stop words, are left out.
    backend
        A backend or its registered name.
    n_topics
        Number of topics; ``None`` chooses it with :func:`auto_topic_count`.
        Never more than the number of distinct statements.
    seed
        Seed of the clustering; the same input and seed give the same topics.

    Returns
    -------
    list of Topic
        Largest first (by people, then by challenges, then by label).

    Notes
    -----
    Challenges are embedded in one backend call, reduced to 64 latent dimensions
    when wider than 128, and clustered with k-means (mini-batch k-means above
    10,000 challenges). Running time is dominated by the backend: with tf-idf,
    150,000 challenges take well under a minute on two cores.

    Examples
    --------
    >>> propose_topics([])
    []
    >>> [t.challenge_count for t in propose_topics([("a", "tax audits"), ("b", "  ")])]
    [1]
    """
    be = get_backend(backend) if isinstance(backend, str) else backend
    kept = [(pid, text.strip()) for pid, text in challenges if text and text.strip()]
    if not kept:
        return []
    texts = [text for _, text in kept]
    vectors = be.vectors(texts)
    nonzero = np.flatnonzero(np.abs(vectors).sum(axis=1) > 0)
    if nonzero.size == 0:
        return []
    kept = [kept[i] for i in nonzero]
    texts = [texts[i] for i in nonzero]
    vectors = vectors[nonzero]
    n_distinct = len(set(texts))
    k = auto_topic_count(len(texts)) if n_topics is None else max(1, n_topics)
    k = min(k, n_distinct)
    labels = _cluster(vectors, k, seed)

    background = PhraseIndex(texts)
    drafts: list[tuple[Topic, list[str]]] = []
    for cluster in np.unique(labels):
        idx = np.flatnonzero(labels == cluster)
        centroid = vectors[idx].mean(axis=0)
        order = idx[np.argsort(-(vectors[idx] @ centroid), kind="stable")]
        central = list(dict.fromkeys(texts[i] for i in order))
        members = list(dict.fromkeys(kept[i][0] for i in sorted(idx)))
        terms = key_terms([texts[i] for i in idx], k=5, background=texts)
        terms = [t for t in terms if len(t) <= MAX_PHRASE_CHARS]
        phrases = key_phrases(central, k=5, background=background)
        phrases += [t for t in terms if phrase_occurs(t, central)] + [_first_words(central[0])]
        topic = Topic(
            label="",
            key_terms=terms,
            member_ids=members,
            challenge_count=int(idx.size),
            excerpts=central[:3],
            language=dominant_language(central),
        )
        drafts.append((topic, phrases))
    drafts.sort(key=lambda d: (-len(d[0].member_ids), -d[0].challenge_count, d[0].excerpts))
    chosen = _choose_labels([phrases for _, phrases in drafts])
    topics = [replace(topic, label=label) for (topic, _), label in zip(drafts, chosen, strict=True)]
    return _distinct_labels(topics)


def _distinct_labels(topics: list[Topic]) -> list[Topic]:
    """Number a label that a larger topic already carries: "Land registry (2)"."""
    seen: dict[str, int] = {}
    out: list[Topic] = []
    for topic in topics:
        count = seen.get(topic.label, 0) + 1
        seen[topic.label] = count
        out.append(replace(topic, label=f"{topic.label} ({count})") if count > 1 else topic)
    return out


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


class InputError(Exception):
    """Input the topics command cannot use; the message is shown to the user."""


def read_challenges(path: Path) -> list[tuple[str, str]]:
    """(person id, challenge) pairs of a roster, read like ``peerlearn match`` reads it.

    Reading and checks are :func:`peerlearn.engine.io.read_people`'s (ids,
    ``challenges`` or ``challenge_N`` columns, the web app's export); this adds
    a check for binary files that are neither CSV nor XLSX.
    """
    from peerlearn.engine import io as engine_io

    if path.is_file() and path.suffix.lower() not in {".xlsx", ".xlsm"}:
        with path.open("rb") as handle:
            head = handle.read(4096)
        if b"\x00" in head or head[:2] == b"PK":
            raise InputError(
                f"{path}: not a CSV file (binary content); save it as UTF-8 CSV or XLSX"
            )
    try:
        people = engine_io.read_people(path)
    except engine_io.InputError as exc:
        raise InputError(str(exc)) from None
    out = [(p.id, text) for p in people for text in p.challenges]
    if not out:
        raise InputError(
            f"{path}: no challenge texts found (columns 'challenges' or 'challenge_1'...)"
        )
    return out


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def topics_table(topics: Sequence[Topic], *, width: int = 100) -> str:
    """A plain-text table of topics for the terminal.

    Examples
    --------
    >>> print(topics_table([Topic("Land registry", ["land registry"], ["a", "b"], 2,
    ...                           ["Land registry has gaps"])]))
     #  people  challenges  label
     1       2           2  Land registry
                              - Land registry has gaps
    """
    lines = [" #  people  challenges  label"]
    for number, topic in enumerate(topics, start=1):
        lines.append(
            f"{number:>2}  {len(topic.member_ids):>6}  {topic.challenge_count:>10}  {topic.label}"
        )
        for excerpt in topic.excerpts:
            lines.append("                          - " + _shorten(excerpt, width - 28))
    return "\n".join(lines)


def write_topics_csv(topics: Sequence[Topic], out: io.TextIOBase | Path) -> None:
    """Write topics as CSV ``topic,label,people,challenges,key_terms,excerpts``.

    ``key_terms`` and ``excerpts`` are ``|``-separated, like the input's
    ``challenges`` column.

    Examples
    --------
    >>> buffer = io.StringIO()
    >>> write_topics_csv([Topic("Tax audits", ["audit"], ["a"], 1, ["Audit is random"])],
    ...                  buffer)
    >>> print(buffer.getvalue().strip())
    topic,label,people,challenges,key_terms,excerpts
    1,Tax audits,1,1,audit,Audit is random
    """
    if isinstance(out, Path):
        with out.open("w", newline="", encoding="utf-8") as handle:
            _write_csv(topics, handle)
    else:
        _write_csv(topics, out)


def _write_csv(topics: Sequence[Topic], handle: io.TextIOBase | io.TextIOWrapper) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, topic in enumerate(topics, start=1):
        writer.writerow(
            [
                number,
                topic.label,
                len(topic.member_ids),
                topic.challenge_count,
                "|".join(topic.key_terms),
                "|".join(e.replace("|", "/") for e in topic.excerpts),
            ]
        )


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def add_topics_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``peerlearn topics`` to ``parser``.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_topics_arguments(p)
    >>> args = p.parse_args(["in.csv", "--n", "4"])
    >>> args.input, args.n, args.backend, args.seed, args.out
    ('in.csv', 4, 'tfidf', 0, None)
    """
    parser.add_argument("input", metavar="INPUT", help="UTF-8 CSV or XLSX with id, challenges")
    parser.add_argument("--out", metavar="TOPICS.csv", help="also write the topics as CSV")
    parser.add_argument(
        "--n", type=int, default=None, metavar="N", help="number of topics (default: automatic)"
    )
    parser.add_argument(
        "--backend",
        default="tfidf",
        choices=registered_backends(),
        help="text similarity backend (default: tfidf)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")


def cli_topics(args: argparse.Namespace) -> int:
    """Run ``peerlearn topics``; returns the process exit code.

    Prints a table of topics; with ``--out`` also writes them as CSV. Problems
    with the input are reported on stderr with exit code 2, never a traceback.
    """
    try:
        if args.n is not None and args.n < 1:
            raise InputError("--n must be at least 1")
        if args.backend not in available_backends():
            raise InputError(
                f"backend {args.backend!r} is not installed; available: "
                + ", ".join(available_backends())
            )
        challenges = read_challenges(Path(args.input))
        topics = propose_topics(challenges, backend=args.backend, n_topics=args.n, seed=args.seed)
        if not topics:
            raise InputError("no usable challenge text (only blanks or stop words)")
        print(topics_table(topics))
        if args.out:
            write_topics_csv(topics, Path(args.out))
    except (InputError, ImportError) as exc:
        print(f"peerlearn topics: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"peerlearn topics: {exc}", file=sys.stderr)
        return 2
    return 0

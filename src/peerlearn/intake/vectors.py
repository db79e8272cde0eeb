"""Challenge vectors cached in the database, so a matching run does not re-encode.

The engine's encoding backends (``multilingual``, ``semantic``) give each text
a vector of its own; :class:`DatabaseVectorStore` keeps those vectors in
:class:`~peerlearn.matching.models.TextVector`. They are computed when
challenges are saved (``intake.answers.write_answers`` calls
:func:`encode_soon` after its transaction commits, so the intake link, the
peer's page, roster imports from the page and the command line, the admin and
the demo all fill the cache, through the task queue); a run reads them through
:func:`run_backend` and encodes only what is missing. tf-idf, fitted on each
run's texts, has no per-text vectors: with it nothing is stored or queued.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import connection

from peerlearn.intake.models import Challenge, TextVector

if TYPE_CHECKING:  # the engine's text module imports scikit-learn: only when used
    from peerlearn.engine.similarity import FloatArray, SimilarityBackend

#: Hashes per ``IN (...)`` query (SQLite's default limit is 999 parameters).
LOOKUP_BATCH = 900
#: Rows per INSERT when saving vectors.
SAVE_BATCH = 500
#: People per encoding task, so a 50,000-person import becomes tasks a worker
#: finishes in seconds each (and a failure costs one chunk).
PEOPLE_PER_TASK = 2000


class DatabaseVectorStore:
    """The engine's :class:`~peerlearn.engine.similarity.VectorStore` over ``TextVector``."""

    def load(
        self, backend: str, model_version: str, hashes: Sequence[str]
    ) -> dict[str, FloatArray]:
        """The stored rows among ``hashes`` (float32, read-only views of the bytes)."""
        out: dict[str, FloatArray] = {}
        batch = LOOKUP_BATCH if connection.vendor == "sqlite" else 10 * LOOKUP_BATCH
        for start in range(0, len(hashes), batch):
            rows = TextVector.objects.filter(
                backend=backend,
                model_version=model_version,
                text_hash__in=hashes[start : start + batch],
            ).values_list("text_hash", "vector")
            for text_hash, vector in rows:
                out[text_hash] = np.frombuffer(bytes(vector), dtype="<f4")
        return out

    def save(self, backend: str, model_version: str, vectors: Mapping[str, FloatArray]) -> None:
        """Insert new rows; a row another worker inserted meanwhile is left as it is."""
        TextVector.objects.bulk_create(
            [
                TextVector(
                    backend=backend,
                    model_version=model_version,
                    text_hash=text_hash,
                    vector=np.asarray(row, dtype="<f4").tobytes(),
                )
                for text_hash, row in vectors.items()
            ],
            batch_size=SAVE_BATCH,
            ignore_conflicts=True,
        )


def run_backend(name: str | None = None) -> SimilarityBackend:
    """The configured backend, reading and filling the vector cache when it encodes texts."""
    from peerlearn.engine.similarity import with_store

    return with_store(name or settings.SIMILARITY_BACKEND, DatabaseVectorStore())


def caches_vectors(name: str | None = None) -> bool:
    """Whether the configured backend has per-text vectors worth storing (not tf-idf)."""
    from peerlearn.engine.similarity import get_backend, is_encoding

    return is_encoding(get_backend(name or settings.SIMILARITY_BACKEND))


def encode_challenges(programme_id: int, person_ids: Iterable[int]) -> int:
    """Store the vectors of these people's challenges in the programme; returns texts encoded.

    Texts already stored (by this or any programme) are not encoded again.
    """
    from peerlearn.engine.similarity import fill_vectors, get_backend, is_encoding

    backend = get_backend(settings.SIMILARITY_BACKEND)
    if not is_encoding(backend):
        return 0
    ids = sorted(set(person_ids))
    texts: list[str] = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        texts.extend(
            Challenge.objects.filter(
                programme_id=programme_id, person_id__in=ids[start : start + LOOKUP_BATCH]
            ).values_list("text", flat=True)
        )
    _, encoded = fill_vectors(backend, DatabaseVectorStore(), texts)  # type: ignore[arg-type]
    return encoded


def encode_soon(programme_id: int, person_ids: Iterable[int]) -> None:
    """Queue :func:`encode_challenges` for these people (nothing with tf-idf).

    Called once the saving transaction has committed, so a worker sees the
    rows; with the database task backend the save does not wait for the model.
    """
    if not caches_vectors():
        return
    from peerlearn.intake.tasks import encode_challenges as task

    ids = sorted(set(person_ids))
    for start in range(0, len(ids), PEOPLE_PER_TASK):
        task.enqueue(programme_id, ids[start : start + PEOPLE_PER_TASK])


def encode_everything() -> int:
    """Queue the encoding of every programme's challenges; returns the people queued.

    For after a change of backend or model version (an upgrade of its
    package): runs would otherwise encode what they miss on first use.
    """
    if not caches_vectors():
        return 0
    people = 0
    programmes = Challenge.objects.values_list("programme_id", flat=True).distinct()
    for programme_id in sorted(set(programmes)):
        ids = set(
            Challenge.objects.filter(programme_id=programme_id).values_list("person_id", flat=True)
        )
        encode_soon(programme_id, ids)
        people += len(ids)
    return people


def prune_vectors() -> int:
    """Delete cached vectors of every other backend or model version; returns rows deleted."""
    from peerlearn.engine.similarity import get_backend

    backend = get_backend(settings.SIMILARITY_BACKEND)
    version = getattr(backend, "model_version", None)
    stale = TextVector.objects.all()
    if caches_vectors():
        stale = stale.exclude(backend=backend.name, model_version=version)
    deleted, _ = stale.delete()
    return deleted

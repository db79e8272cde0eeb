"""The similarity cache: challenge vectors stored when saved, reused by every run.

``Counting`` is the real multilingual backend (USE multilingual v3), registered
under its own name, whose model calls are counted: a run after the cache is
filled must not call the model at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings

from peerlearn.engine import similarity
from peerlearn.intake.answers import Answers, write_answers
from peerlearn.intake.models import Challenge, TextVector
from peerlearn.intake.vectors import DatabaseVectorStore, encode_challenges
from peerlearn.matching import services
from peerlearn.matching.models import MatchingRun
from tests.concurrency import at_once, tolerated

PARAMETERS = {"weights": {"problems": 1}, "min_size": 3, "max_size": 5, "time_limit": 0.3}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Counting(similarity.MultilingualBackend):
    """USE multilingual v3, counting the texts of each model call."""

    name = "counting"
    calls: list[int] = []
    version = "test 1"

    def __init__(self) -> None:
        super().__init__()
        self.model_version = Counting.version

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        Counting.calls.append(len(texts))
        return super().encode(texts)


@pytest.fixture
def counting():
    similarity.register_backend("counting", Counting)
    Counting.calls = []
    Counting.version = "test 1"
    with override_settings(SIMILARITY_BACKEND="counting"):
        yield Counting
    del similarity._REGISTRY["counting"]


def distinct_texts(world) -> set[str]:
    texts = Challenge.objects.filter(programme=world.programme).values_list("text", flat=True)
    return {similarity.cache_text(t) for t in texts if t.strip()}


def save(world, person, *texts: str) -> None:
    write_answers(
        world.programme,
        {person.pk: Answers.from_texts(list(texts), [])},
        entered_by=None,
        on_behalf=True,
    )


def test_saving_challenges_stores_each_distinct_text_once(
    world, counting, django_capture_on_commit_callbacks
):
    a, b = world.people["participant"], world.people["peer"]
    with django_capture_on_commit_callbacks(execute=True):
        save(world, a, "Our tax arrears keep growing", "Nobody shares land data")
    with django_capture_on_commit_callbacks(execute=True):
        save(world, b, "Our  tax arrears keep growing ", "")  # same text, other spacing
    assert sum(counting.calls) == 2
    assert TextVector.objects.filter(backend="counting").count() == 2
    row = TextVector.objects.get(text_hash=similarity.text_hash("Nobody shares land data"))
    assert np.frombuffer(bytes(row.vector), dtype="<f4").shape == (512,)


def test_editing_a_challenge_encodes_only_the_new_text(
    world, counting, django_capture_on_commit_callbacks
):
    a = world.people["participant"]
    with django_capture_on_commit_callbacks(execute=True):
        save(world, a, "Recruiting auditors takes too long", "Our budget was cut")
    with django_capture_on_commit_callbacks(execute=True):
        save(world, a, "Recruiting auditors takes far too long", "Our budget was cut")
    assert counting.calls == [2, 1]


def test_a_run_after_the_cache_is_filled_does_not_call_the_model(world, add_participants, counting):
    people = add_participants(9)
    encode_challenges(world.programme.pk, [p.pk for p in people] + [world.people["participant"].pk])
    assert sum(counting.calls) == len(distinct_texts(world))
    counting.calls.clear()
    run = services.start_run(world.event, "groups", PARAMETERS, 1, world.people["facilitator"])
    assert MatchingRun.objects.get(pk=run.pk).status == "done", run.error
    assert counting.calls == []


def test_a_run_encodes_only_the_missing_vectors_in_one_batch_and_keeps_them(
    world, add_participants, counting
):
    add_participants(9)
    run = services.start_run(world.event, "groups", PARAMETERS, 1, world.people["facilitator"])
    assert run.status == "done", run.error
    distinct = len(distinct_texts(world))
    assert counting.calls == [distinct]  # cold: every distinct text, one call
    TextVector.objects.filter(
        text_hash=similarity.text_hash("Keeping a reform team motivated")
    ).delete()
    counting.calls.clear()
    services.rerun(run, world.people["facilitator"])
    assert counting.calls == [1]
    assert TextVector.objects.filter(backend="counting").count() == distinct


def test_a_new_model_version_encodes_again_and_never_reads_old_vectors(
    world, add_participants, counting
):
    add_participants(6)
    services.start_run(world.event, "groups", PARAMETERS, 1, world.people["facilitator"])
    distinct = len(distinct_texts(world))
    counting.version = "test 2"
    counting.calls.clear()
    run = services.start_run(world.event, "groups", PARAMETERS, 1, world.people["facilitator"])
    assert run.status == "done", run.error
    assert counting.calls == [distinct]
    versions = TextVector.objects.values_list("model_version", flat=True)
    assert sorted(set(versions)) == ["test 1", "test 2"] and len(versions) == 2 * distinct


def test_the_default_tfidf_stores_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        save(world, world.people["participant"], "Our tax arrears keep growing")
    assert callbacks, "the hook ran"
    assert not TextVector.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_worker_queue_a_save_does_not_wait_for_the_model(world, counting):
    with override_settings(TASKS=DATABASE_QUEUE):
        save(world, world.people["participant"], "Our tax arrears keep growing")
        assert counting.calls == [] and not TextVector.objects.exists()
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert TextVector.objects.filter(backend="counting").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_storing_one_text_leave_one_row():
    store = DatabaseVectorStore()
    key = similarity.text_hash("Our tax arrears keep growing")
    rows = [np.full(4, value, dtype=np.float32) for value in (0.5, 0.25)]
    results, failures = at_once([lambda r=r: store.save("m", "1", {key: r}) for r in rows])
    assert tolerated(failures) == []
    assert TextVector.objects.filter(backend="m", model_version="1", text_hash=key).count() == 1
    (found,) = store.load("m", "1", [key]).values()
    assert float(found[0]) in (0.5, 0.25)  # the first writer's row, whole


def test_the_command_fills_the_cache_and_prunes_other_models(world, add_participants, counting):
    from io import StringIO

    add_participants(4)
    TextVector.objects.create(backend="counting", model_version="old", text_hash="x", vector=b"")
    TextVector.objects.create(backend="semantic", model_version="v", text_hash="x", vector=b"")
    out = StringIO()
    call_command("encode_challenges", "--prune", stdout=out)
    assert "2 cached vectors of other models deleted" in out.getvalue()
    assert sum(counting.calls) == len(distinct_texts(world))
    assert set(TextVector.objects.values_list("model_version", flat=True)) == {"test 1"}
    counting.calls.clear()
    call_command("encode_challenges", stdout=StringIO())
    assert counting.calls == []  # all there: nothing encoded twice


def test_topic_proposals_read_the_cache_too(world, counting, django_capture_on_commit_callbacks):
    from peerlearn.intake.curation import propose_draft

    a, b = world.people["participant"], world.people["peer"]
    with django_capture_on_commit_callbacks(execute=True):
        save(world, a, "Our tax arrears keep growing", "Nobody shares land data")
        save(world, b, "Tax arrears grow every year", "Land data is not shared")
    Counting.calls = []
    draft = propose_draft(world.programme, None, n_topics=2)
    assert draft.topics.count() == 2
    assert Counting.calls == []  # every challenge was encoded when it was saved

"""PEERLEARN_SIMILARITY_BACKEND chooses how the web app compares challenges.

The backend is named by a setting, as Django names its session engine, and
looked up in the engine's registry (``register_backend``, its extension
point): here a backend that delegates to tf-idf and counts its calls shows
that matching runs (groups and pairs) and topic proposals all use the setting.
"""

from __future__ import annotations

import sys

import pytest
from django.core import checks
from django.test import override_settings

from peerlearn.engine import similarity
from peerlearn.intake import curation
from peerlearn.matching import services
from peerlearn.matching.models import MatchingRun
from peerlearn.site.checks import similarity_backend_is_installed
from tests.matching.conftest import add_participants  # noqa: F401 - fixture


class CountingBackend:
    """tf-idf, counting the texts it is asked to compare."""

    name = "counting"
    texts = 0

    def vectors(self, texts):
        CountingBackend.texts += len(texts)
        return similarity.get_backend("tfidf").vectors(texts)


@pytest.fixture
def counting():
    similarity.register_backend("counting", CountingBackend)
    CountingBackend.texts = 0
    with override_settings(SIMILARITY_BACKEND="counting"):
        yield CountingBackend
    del similarity._REGISTRY["counting"]


PARAMETERS = {"weights": {"problems": 1}, "min_size": 3, "max_size": 5, "time_limit": 0.5}


def test_group_runs_use_the_chosen_backend(world, add_participants, counting):  # noqa: F811
    add_participants(9)
    run = services.start_run(world.event, "groups", PARAMETERS, 1, world.people["facilitator"])
    assert MatchingRun.objects.get(pk=run.pk).status == "done", run.error
    assert counting.texts > 0


def test_pair_runs_use_the_chosen_backend(world, add_participants, counting):  # noqa: F811
    add_participants(8, external=3)
    parameters = {"weights": {"problems": 1}, "mode": "external-local", "capacity": 3}
    run = services.start_run(world.event, "pairs", parameters, 1, world.people["facilitator"])
    assert MatchingRun.objects.get(pk=run.pk).status == "done", run.error
    assert counting.texts > 0


def test_topic_proposals_use_and_record_the_chosen_backend(world, add_participants, counting):  # noqa: F811
    add_participants(9)
    draft = curation.propose_draft(world.programme, None, n_topics=2)
    assert draft.parameters["backend"] == "counting"
    assert counting.texts > 0


def test_a_semantic_backend_without_its_packages_stops_start_up(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if the semantic extra were absent
    with override_settings(SIMILARITY_BACKEND="semantic"):
        (error,) = similarity_backend_is_installed(None)
        assert error.id == "peerlearn.E001" and error.level == checks.ERROR
        assert "PEERLEARN_SIMILARITY_BACKEND" in error.msg
        assert "pip install 'peerlearn[semantic]'" in error.hint
        assert any(e.id == "peerlearn.E001" for e in checks.run_checks())


def test_installed_or_default_backends_pass_the_check():
    assert similarity_backend_is_installed(None) == []  # tfidf, the tests' choice
    if "semantic" in similarity.available_backends():
        with override_settings(SIMILARITY_BACKEND="semantic"):
            assert similarity_backend_is_installed(None) == []


def test_the_web_default_is_the_multilingual_backend():
    """Without the variable the app compares challenges across languages (issue 15)."""
    import os
    import subprocess

    environment = {k: v for k, v in os.environ.items() if not k.startswith("PEERLEARN_")}
    environment["PEERLEARN_DEBUG"] = "true"
    shown = subprocess.run(
        [sys.executable, "-c", "import peerlearn.site.settings as s; print(s.SIMILARITY_BACKEND)"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    assert shown.stdout.strip() == "multilingual"
    with override_settings(SIMILARITY_BACKEND="multilingual"):
        assert similarity_backend_is_installed(None) == []  # a default dependency

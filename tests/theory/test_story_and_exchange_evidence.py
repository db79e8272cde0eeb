"""Outcome stories and exchange metrics as theory-of-change evidence, in the database.

The rule is the engine's (tests/engine/test_theory.py, no database); here the
registry entries the harvest and mel apps add compute it from real stories,
substantiations and exchanges, and the evidence page ties them by form.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from peerlearn.mel import services as mel
from peerlearn.theory import services
from peerlearn.theory.evidence import REGISTRY
from peerlearn.theory.models import EvidenceTie
from tests.harvest.conftest import ask, make_story


def _theory(world):
    theory = services.theory_for(world.programme)
    services.approve(theory.revisions.get(number=1), world.users["facilitator"])
    return theory


def _status(theory, element):
    return services.statuses(theory, services.draft_map(theory))[element]


def _tie(theory, element, kind, **params):
    return EvidenceTie.objects.create(theory=theory, element=element, kind=kind, params=params)


def test_both_kinds_are_registered_by_their_apps():
    assert REGISTRY["outcome_story"].choose == "story"
    assert REGISTRY["exchange_metric"].choose == "metric" and REGISTRY["exchange_metric"].threshold


def test_a_story_supports_once_substantiated_and_contests_when_disputed(world):
    theory = _theory(world)
    story = make_story(world, "private")
    _tie(theory, "out_reforms", "outcome_story", story=str(story.pk))
    assert _status(theory, "out_reforms").status == "untested"  # nobody vouched yet
    item, token = ask(story)
    assert item.redeem(token, "full", "I saw the reports")
    assert _status(theory, "out_reforms").status == "supported"
    other, token = ask(story, name="Second", email="second@example.org")
    assert other.redeem(token, "not", "They stopped in July")
    assert _status(theory, "out_reforms").status == "contested"


def test_a_substantiated_negative_story_contests(world):
    theory = _theory(world)
    story = make_story(world, "published", positive=False)
    item, token = ask(story)
    assert item.redeem(token, "partly", "")
    _tie(theory, "out_reforms", "outcome_story", story=str(story.pk))
    record = _status(theory, "out_reforms")
    assert (record.status, record.contradicts) == ("contested", 1)


def test_a_story_of_another_programme_or_gone_tests_nothing(world):
    theory = _theory(world)
    foreign = make_story(world, "published")
    foreign.programme = world.other_programme
    foreign.save()
    _tie(theory, "out_reforms", "outcome_story", story=str(foreign.pk))
    _tie(theory, "out_reforms", "outcome_story", story="999999")
    assert services.evidence_items(theory) == {}
    assert _status(theory, "out_reforms").status == "untested"


def _exchange(world, giver, receiver, **kw):
    values = {"kind": "advice", "learned": "x", "when": date(2026, 3, 2), "recorded_by": None}
    values.update(kw)
    return mel.record_exchange(
        world.programme, giver=world.people[giver], receiver=world.people[receiver], **values
    )


def test_exchange_metrics_count_without_group_check_ins(world):
    theory = _theory(world)
    _tie(theory, "act_sessions", "exchange_metric", metric="edgewise_reciprocity", threshold=0.5)
    _tie(theory, "act_groups", "exchange_metric", metric="applied_exchanges", threshold=2)
    assert _status(theory, "act_sessions").status == "untested"  # no tie yet
    _exchange(world, "peer", "participant", applied="yes")
    assert _status(theory, "act_sessions").status == "contested"  # one way only: 0 < 0.5
    assert _status(theory, "act_groups").status == "contested"  # 1 applied < 2
    # a check-in exchange is group-private: it moves neither figure
    _exchange(world, "participant", "peer", source="checkin", group=world.group_a, applied="yes")
    assert _status(theory, "act_sessions").status == "contested"
    assert _status(theory, "act_groups").status == "contested"
    _exchange(world, "participant", "peer", kind="tool", applied="yes")
    assert _status(theory, "act_sessions").status == "supported"  # 2 of 2 ties returned
    assert _status(theory, "act_groups").status == "supported"
    [(_t, item)] = services.evidence_items(theory)["act_groups"]
    assert item.value == 2


def test_tie_a_story_and_a_metric_on_the_evidence_page(world, login):
    theory = _theory(world)
    story = make_story(world, "private", title="Budget unit publishes")
    item, token = ask(story)
    assert item.redeem(token, "full", "")
    url = reverse("theory:evidence", args=[world.programme.slug])
    client = login(world.users["facilitator"])
    page = client.get(url).content.decode()
    assert f'value="outcome_story:{story.pk}"' in page
    assert 'value="exchange_metric:dyadic_reciprocity"' in page
    tie = {"action": "tie", "element": "out_reforms", "kind": "outcome_story"}
    # the kind and the chosen source must agree; a metric needs its threshold
    assert client.post(url, tie | {"source": "exchange_metric:exchanges"}).status_code == 400
    metric = {"action": "tie", "element": "act_groups", "kind": "exchange_metric"}
    assert client.post(url, metric | {"source": "exchange_metric:exchanges"}).status_code == 400
    assert not EvidenceTie.objects.exists()
    assert client.post(url, tie | {"source": f"outcome_story:{story.pk}"}).status_code == 302
    saved = metric | {"source": "exchange_metric:exchanges", "threshold": "1"}
    assert client.post(url, saved | {"direction": "increase"}).status_code == 302
    assert sorted(EvidenceTie.objects.values_list("kind", "params")) == [
        ("exchange_metric", {"metric": "exchanges", "threshold": 1.0, "direction": "increase"}),
        ("outcome_story", {"story": str(story.pk)}),
    ]
    page = client.get(url).content.decode()
    assert "Budget unit publishes — Substantiated, positive" in page
    assert "learning exchanges recorded: 0 (aim: at least 1)" in page
    assert _status(theory, "out_reforms").status == "supported"
    assert _status(theory, "act_groups").status == "contested"


def test_exchange_metrics_from_the_snapshot_are_the_engine_s_figures(world):
    """Every metric read from the evaluators' snapshot equals exchange_metric over the exchanges."""
    from peerlearn.engine.theory import EXCHANGE_METRICS, exchange_metric
    from peerlearn.mel.evidence import metric_evidence
    from peerlearn.mel.models import Exchange

    _exchange(world, "peer", "participant", applied="yes")
    _exchange(world, "participant", "peer", applied="no")
    _exchange(world, "observer", "peer", applied="unknown")
    _exchange(world, "participant", "observer", kind="tool", applied="yes")
    _exchange(world, "peer", "observer", source="checkin", group=world.group_a, applied="yes")
    public = mel.as_records(Exchange.objects.exclude(source="checkin"))
    for metric in EXCHANGE_METRICS:
        item = metric_evidence(world.programme, {"metric": metric, "threshold": 1})
        assert item.value == exchange_metric(metric, public), metric
        assert item.as_of is not None and not item.live and not item.pending


def test_exchange_evidence_reads_the_snapshot_and_shows_its_date(world, login):
    from peerlearn.mel.models import MutualitySnapshot

    theory = _theory(world)
    _tie(theory, "act_groups", "exchange_metric", metric="exchanges", threshold=3)
    _exchange(world, "peer", "participant")
    assert _status(theory, "act_groups").status == "contested"  # 1 < 3
    row = MutualitySnapshot.objects.get(programme=world.programme, audience="evaluator")
    row.figures = {**row.figures, "count": 4242}
    row.save()
    assert _status(theory, "act_groups").status == "supported", "read from the snapshot"
    page = login(world.users["facilitator"]).get(
        reverse("theory:evidence", args=[world.programme.slug])
    )
    text = page.content.decode()
    assert "learning exchanges recorded: 4242 (aim: at least 3). Ledger figures as of" in text


@pytest.mark.django_db(transaction=True)
def test_without_a_snapshot_exchange_evidence_says_how_it_was_computed(world, monkeypatch):
    from django.test import override_settings

    from peerlearn.mel import snapshots
    from peerlearn.mel.evidence import describe, metric_evidence

    queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    params = {"metric": "exchanges", "threshold": 1}
    with override_settings(TASKS=queue):  # no worker runs: no snapshot
        _exchange(world, "peer", "participant")
        small = metric_evidence(world.programme, params)
        assert (small.value, small.live, small.pending) == (1.0, True, False)
        assert "Computed just now: the ledger's figures have no snapshot yet." in describe(small)
        monkeypatch.setattr(snapshots, "LIVE_LIMIT", 0)
        large = metric_evidence(world.programme, params)
        assert large.value is None and large.pending
        assert "not measurable yet" in describe(large) and "being computed" in describe(large)
        theory = _theory(world)
        _tie(theory, "act_groups", "exchange_metric", **params)
        assert _status(theory, "act_groups").status == "untested"

"""The theory-of-change pages: drawing, refused edits, revisions, the map of a date, evidence."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from peerlearn.audit.models import AuditEvent
from peerlearn.theory import services
from peerlearn.theory.models import EvidenceTie, Revision


def _url(world, name, *args):
    return reverse(f"theory:{name}", args=[world.programme.slug, *args])


def _approved_theory(world):
    theory = services.theory_for(world.programme)
    services.approve(theory.revisions.get(number=1), world.users["facilitator"])
    return theory


def test_map_draws_every_node_with_status_in_colour_and_words(world, login):
    theory = _approved_theory(world)
    EvidenceTie.objects.create(theory=theory, element="act_groups", kind="check_ins")
    facilitator = world.users["facilitator"]
    services.override(theory, "act_visits", "contested", "Visits were cancelled", facilitator)
    page = login(world.users["evaluator"]).get(_url(world, "map")).content.decode()
    assert page.count('class="toc-node') == len(services.draft_map(theory).nodes)
    assert "<svg" in page and 'class="toc-list"' in page
    assert 'toc-node toc-kind-activity toc-contested" data-node="act_visits"' in page
    assert "contested*" in page  # the word, and the mark of a hand-set status
    assert "Adapt and renew" in page


def test_nothing_approved_yet_says_so(world, login):
    page = login(world.users["evaluator"]).get(_url(world, "map")).content.decode()
    assert 'id="no-revision"' in page and "<svg" not in page


def test_an_edit_making_a_cycle_is_refused_and_nothing_is_written(world, login):
    theory = services.theory_for(world.programme)
    before = services.draft_map(theory)
    client = login(world.users["facilitator"])
    response = client.post(
        _url(world, "edit"),
        {
            "action": "save_link",
            "source": "cap_commit_institutional",
            "target": "cap_commit_individual",
            "rationale": "Institutions motivate people",
        },
    )
    assert response.status_code == 400
    assert "would make a loop" in response.content.decode()
    theory.refresh_from_db()
    assert services.draft_map(theory) == before
    assert not AuditEvent.objects.filter(action="theory.edit").exists()


def test_a_backwards_link_is_refused_with_a_clear_message(world, login):
    response = login(world.users["facilitator"]).post(
        _url(world, "edit"),
        {"action": "save_link", "source": "out_reforms", "target": "act_groups", "rationale": "x"},
    )
    assert response.status_code == 400
    assert "cannot go back down the chain" in response.content.decode()


def test_edit_propose_approve_and_read_the_history_and_an_old_map(world, login):
    theory = _approved_theory(world)
    Revision.objects.filter(theory=theory, number=1).update(
        approved_at=timezone.now() - timedelta(days=30)
    )
    client = login(world.users["facilitator"])
    response = client.post(
        _url(world, "edit"),
        {"action": "save_node", "kind": "outcome", "label": "Open budget data published"},
    )
    assert response.status_code == 302
    theory.refresh_from_db()
    draft = services.draft_map(theory)
    new_id = next(n.id for n in draft.nodes if n.label.startswith("Open budget"))
    client.post(
        _url(world, "edit"),
        {
            "action": "save_link",
            "source": "cap_deliver_institutional",
            "target": new_id,
            "rationale": "Skills to publish data",
        },
    )
    client.post(_url(world, "edit"), {"action": "remove_node", "node": "act_visits"})
    assert client.post(_url(world, "propose"), {"reason": ""}).status_code == 302
    assert theory.revisions.count() == 1  # no reason, no revision
    response = client.post(_url(world, "propose"), {"reason": "Open data became a goal"})
    assert response["Location"] == _url(world, "revision", 2)
    assert client.post(_url(world, "approve", 2)).status_code == 302
    history = client.get(_url(world, "history")).content.decode()
    assert "Open data became a goal" in history and "Open budget data published" in history
    assert "Study visits and peer reviews" in history  # listed as removed
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()
    old = client.get(_url(world, "as_of") + "?date=" + ten_days_ago)
    assert 'data-node="act_visits"' in old.content.decode()
    now = client.get(_url(world, "map")).content.decode()
    assert 'data-node="act_visits"' not in now and new_id in now
    assert AuditEvent.objects.filter(action="theory.approve").count() == 1


def test_participants_read_the_map_only_when_shared(world, login):
    _approved_theory(world)
    client = login(world.users["participant"])
    assert client.get(_url(world, "map")).status_code == 403
    login(world.users["facilitator"]).post(_url(world, "share"), {"shared_with_participants": "on"})
    response = login(world.users["participant"]).get(_url(world, "map"))
    assert response.status_code == 200
    assert _url(world, "history") not in response.content.decode()


def test_bad_date_and_override_without_reason(world, login):
    _approved_theory(world)
    client = login(world.users["facilitator"])
    response = client.get(_url(world, "as_of") + "?date=yesterday", follow=True)
    assert "YYYY-MM-DD" in response.content.decode()
    response = client.post(
        _url(world, "evidence"),
        {"action": "override", "element": "out_reforms", "status": "supported", "reason": ""},
    )
    assert response.status_code == 400


def test_tie_evidence_and_see_it(world, login):
    _approved_theory(world)
    client = login(world.users["facilitator"])
    response = client.post(
        _url(world, "evidence"),
        {"action": "tie", "element": "act_groups", "kind": "survey_question"},
    )
    assert response.status_code == 400  # a survey question needs its instrument and numbers
    response = client.post(
        _url(world, "evidence"), {"action": "tie", "element": "act_groups", "kind": "check_ins"}
    )
    assert response.status_code == 302
    page = client.get(_url(world, "evidence")).content.decode()
    assert 'id="evidence-act_groups"' in page and "check-ins filed" in page

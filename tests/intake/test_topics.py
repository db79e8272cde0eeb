"""Topic curation: propose, rename, merge, save as baseline, export, print, privacy."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from peerlearn.intake import curation
from peerlearn.intake.models import Challenge, IntakeSettings, TopicSet
from peerlearn.people.models import Person

STATEMENTS = [
    "Our land registry is full of duplicate titles",
    "Land registry and cadastre records disagree",
    "The cadastre maps are decades old, land titles are disputed",
    "Finance ministry cut our budget for the reform",
    "The budget for our reform was cut by finance again",
    "We cannot get budget from the finance ministry",
    "Building a team for the new agency is slow",
    "Hiring a team with the right skills for the agency",
    "<script>alert('x')</script> team building in the agency",
]


@pytest.fixture
def challenged(world):
    org = world.people["peer"].organisation
    for i, text in enumerate(STATEMENTS):
        person = Person.objects.create(
            name=f"Peer {i}", email=f"p{i}@example.org", organisation=org
        )
        Challenge.objects.create(person=person, programme=world.programme, position=1, text=text)
    return world


def curate_url(world):
    return reverse("intake:topics_curate", args=[world.programme.slug])


def propose(client, world, n_topics="3"):
    url = reverse("intake:topics_propose", args=[world.programme.slug])
    return client.post(url, {"n_topics": n_topics})


def test_propose_is_stable_and_lists_counts(challenged, login):
    client = login(challenged.users["facilitator"])
    propose(client, challenged)
    first = [
        (t.label, t.challenge_count) for t in curation.draft_of(challenged.programme).topics.all()
    ]
    propose(client, challenged)
    second = [
        (t.label, t.challenge_count) for t in curation.draft_of(challenged.programme).topics.all()
    ]
    assert first == second, "fixed seed: the same challenges give the same topics"
    assert sum(count for _label, count in first) == len(STATEMENTS) + 1  # + the world's challenge
    body = client.get(curate_url(challenged)).content.decode()
    assert "people, " in body and "challenges" in body
    assert TopicSet.objects.filter(status="draft").count() == 1


def test_rename_merge_save_export_round_trip(challenged, login):
    client = login(challenged.users["facilitator"])
    propose(client, challenged)
    draft = curation.draft_of(challenged.programme)
    first, second, third = draft.topics.all()
    response = client.post(
        curate_url(challenged),
        {
            "draft": draft.pk,
            f"label-{first.pk}": '=HYPERLINK("http://evil")',
            f"label-{second.pk}": "Budget and land",
            f"merge-{third.pk}": str(second.pk),
            "action": "save",
        },
    )
    assert response.status_code == 302
    baseline = curation.baseline_of(challenged.programme)
    assert baseline is not None and baseline.saved_by == challenged.people["facilitator"]
    assert curation.draft_of(challenged.programme) is None
    topics = list(baseline.topics.all())
    assert len(topics) == 2
    merged = next(t for t in topics if t.label == "Budget and land")
    assert merged.challenge_count == second.challenge_count + third.challenge_count
    assert merged.members.count() == second.members.count() + third.members.count()

    # Proposing again leaves the saved baseline untouched.
    propose(client, challenged, n_topics="")
    assert curation.baseline_of(challenged.programme).pk == baseline.pk
    assert [t.label for t in curation.baseline_of(challenged.programme).topics.all()] == [
        t.label for t in topics
    ]

    page = client.get(reverse("intake:topics", args=[challenged.programme.slug])).content.decode()
    assert "Budget and land" in page

    xlsx = client.get(reverse("intake:topics_export", args=[challenged.programme.slug, "xlsx"]))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("position", "label", "people", "challenges", "key_terms", "excerpts")
    by_label = {row[1]: row for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in by_label, "formula neutralised"
    assert by_label["Budget and land"][3] == str(merged.challenge_count)
    assert by_label["Budget and land"][5], "facilitators export excerpts"

    text = client.get(
        reverse("intake:topics_export", args=[challenged.programme.slug, "csv"])
    ).content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert {r["label"] for r in records} == set(by_label)


def test_merge_chain_and_loop(challenged):
    draft = curation.propose_draft(challenged.programme, None, n_topics=3)
    a, b, c = draft.topics.all()
    total = a.challenge_count + b.challenge_count + c.challenge_count
    assert curation.apply_edits(draft, {}, {a.pk: b.pk, b.pk: c.pk}) == 2
    (only,) = draft.topics.all()
    assert only.pk == c.pk and only.challenge_count == total

    draft = curation.propose_draft(challenged.programme, None, n_topics=3)
    a, b, _c = draft.topics.all()
    curation.apply_edits(draft, {}, {a.pk: b.pk, b.pk: a.pk})
    assert draft.topics.count() == 2, "a loop merges once, never loses a topic"


def test_stale_draft_post_is_refused(challenged, login):
    client = login(challenged.users["facilitator"])
    propose(client, challenged)
    old = curation.draft_of(challenged.programme)
    propose(client, challenged)
    response = client.post(curate_url(challenged), {"draft": old.pk, "action": "save"}, follow=True)
    assert "changed in the meantime" in response.content.decode()
    assert curation.baseline_of(challenged.programme) is None


def test_start_from_saved_baseline(challenged, login):
    client = login(challenged.users["facilitator"])
    curation.save_baseline(curation.propose_draft(challenged.programme, None, n_topics=2), None)
    url = reverse("intake:topics_propose", args=[challenged.programme.slug])
    client.post(url, {"source": "baseline"})
    draft = curation.draft_of(challenged.programme)
    baseline = curation.baseline_of(challenged.programme)
    assert [t.label for t in draft.topics.all()] == [t.label for t in baseline.topics.all()]
    assert draft.pk != baseline.pk


def test_script_in_challenge_is_escaped(challenged, login):
    client = login(challenged.users["facilitator"])
    propose(client, challenged, n_topics="10")
    body = client.get(curate_url(challenged)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
    curation.save_baseline(curation.draft_of(challenged.programme), None)
    page = client.get(reverse("intake:topics", args=[challenged.programme.slug])).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    printed = client.get(reverse("intake:topics_print", args=[challenged.programme.slug]))
    assert "<script>alert" not in printed.content.decode()


@pytest.mark.parametrize(
    ("persona", "private", "sees_excerpts", "sees_names"),
    [
        ("facilitator", True, True, True),
        ("evaluator", True, False, False),
        ("participant", True, False, False),
        ("observer", True, False, False),
        ("evaluator", False, True, False),
        ("participant", False, True, False),
    ],
)
def test_baseline_visibility(challenged, login, persona, private, sees_excerpts, sees_names):
    IntakeSettings.objects.create(programme=challenged.programme, is_private=private)
    curation.save_baseline(curation.propose_draft(challenged.programme, None, n_topics=2), None)
    body = (
        login(challenged.users[persona])
        .get(reverse("intake:topics", args=[challenged.programme.slug]))
        .content.decode()
    )
    labels = [t.label for t in curation.baseline_of(challenged.programme).topics.all()]
    assert all(label in body for label in labels)
    assert any(text in body for text in STATEMENTS[:6]) is sees_excerpts
    assert ("Peer 3" in body) is sees_names


def test_evaluator_export_has_no_excerpts_when_private(challenged, login):
    curation.save_baseline(curation.propose_draft(challenged.programme, None, n_topics=2), None)
    response = login(challenged.users["evaluator"]).get(
        reverse("intake:topics_export", args=[challenged.programme.slug, "xlsx"])
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "excerpts" not in rows[0]
    assert not any(text in str(rows) for text in STATEMENTS)


def test_print_page_hides_navigation_when_printed(challenged, login):
    curation.save_baseline(curation.propose_draft(challenged.programme, None, n_topics=2), None)
    body = (
        login(challenged.users["observer"])
        .get(reverse("intake:topics_print", args=[challenged.programme.slug]))
        .content.decode()
    )
    assert "@media print" in body and 'class="no-print' in body
    assert "<nav" not in body and "Export" not in body


def test_no_challenges_gives_an_empty_draft(world, login):
    from peerlearn.intake.models import Challenge as C

    C.objects.all().delete()
    client = login(world.users["facilitator"])
    body = propose(client, world).wsgi_request and client.get(curate_url(world)).content.decode()
    assert "No challenges to build topics from yet." in body

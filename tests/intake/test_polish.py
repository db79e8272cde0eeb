"""Intake and topics polish (issue 15, item 7): one test per complaint a facilitator made.

* an intake error shows a summary at the top that links to the field;
* invitation buttons count the right people and can be limited to one cohort;
* sending through a worker queue shows its progress;
* "Changes applied" shows once and topics keep their numbers;
* the roster preview's "new people" leaves out rows with problems.

Dates in every language: tests/site/test_date_formats.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from peerlearn.intake import curation, services
from peerlearn.intake.models import Challenge, IntakeInvitation
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership
from tests.roster.rosters import KNOWN_COHORTS, KNOWN_ORGANISATIONS, person_row

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def status_url(world) -> str:
    return reverse("intake:status", args=[world.programme.slug])


def status_body(client, world) -> str:
    return client.get(status_url(world)).content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# ------------------------------------------------------------------ error summary


def test_intake_error_summary_links_to_each_field(world, client):
    invitation = services.invitation_for(world.people["peer"], world.programme)
    url = reverse("intake:answer", args=[invitation.issue_token()])
    response = client.post(
        url,
        {
            "n_challenges": "3",
            "n_expectations": "1",
            "challenge_1": "Getting other ministries on board",
            "challenge_2": "x" * 2001,
            "challenge_3": "",
            "expectation_1": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["id_challenge_2", "id_challenge_3", "id_expectation_1"], summary
    for target in links:
        assert f'id="{target}"' in html, "each link lands on its field"
    assert html.index('id="error-summary"') < html.index('id="id_challenge_1"'), "at the top"


def test_too_few_challenges_links_to_the_first_empty_box(world, login):
    client = login(world.users["facilitator"])
    url = reverse("intake:on_behalf", args=[world.programme.slug, world.people["peer"].pk])
    html = client.post(
        url,
        {
            "n_challenges": "4",
            "n_expectations": "1",
            "challenge_1": "Getting other ministries on board",
            "challenge_4": "A fourth one",
            "expectation_1": "How others did it",
        },
    ).content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</ul>")]
    assert re.findall(r'href="#([^"]+)"', summary) == ["id_challenge_2", "id_challenge_3"]
    assert "Please check 2 answers before saving" in summary


def test_a_valid_form_has_no_summary(world, client):
    invitation = services.invitation_for(world.people["peer"], world.programme)
    html = client.get(reverse("intake:answer", args=[invitation.issue_token()])).content.decode()
    assert "error-summary" not in html


# ------------------------------------------------------------------ invitation buttons


def _newcomer_in_module(world) -> Person:
    person = Person.objects.create(
        name="Module Newcomer", email="newcomer@example.org", organisation=None
    )
    Membership.objects.create(
        person=person, programme=world.programme, cohort=world.module, role="participant"
    )
    return person


def test_remind_counts_only_people_invited(world, login):
    client = login(world.users["facilitator"])
    text = _text(status_body(client, world))
    assert "Invite 3 people not yet invited" in text
    assert "Remind" not in text.split("Curate topics")[0], "nobody invited: nobody to remind"
    client.post(reverse("intake:invite", args=[world.programme.slug]))
    text = _text(status_body(client, world))
    assert "Invite 0" not in text and "Everyone asked has been invited." in text
    assert "Remind the 3 people who have not answered" in text


def test_buttons_are_limited_to_one_cohort(world, login):
    newcomer = _newcomer_in_module(world)
    client = login(world.users["facilitator"])
    text = _text(status_body(client, world))
    assert "Invite 4 people not yet invited" in text
    assert "Invite 1 person" in text and "Invite 3 people" in text, "one button per cohort"
    invite = reverse("intake:invite", args=[world.programme.slug])
    response = client.post(invite, {"cohort": str(world.module.pk)}, follow=True)
    assert "1 invitation sent" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
    text = _text(status_body(client, world))
    assert "Invite 3 people not yet invited" in text
    assert "Remind 1 person who has not answered" in text
    IntakeInvitation.objects.update(sent_at=timezone.now() - timedelta(hours=1))
    mail.outbox.clear()
    remind = reverse("intake:remind", args=[world.programme.slug])
    client.post(remind, {"cohort": str(world.event.pk)})
    assert mail.outbox == [], "the event's people were never invited: no reminder"
    client.post(remind, {"cohort": str(world.module.pk)})
    assert [m.to for m in mail.outbox] == [[newcomer.email]]


def test_a_cohort_of_another_programme_is_refused(world, login):
    client = login(world.users["facilitator"])
    other = world.other_programme.cohorts.create(name="Elsewhere", kind="event")
    response = client.post(
        reverse("intake:invite", args=[world.programme.slug]), {"cohort": str(other.pk)}
    )
    assert response.status_code == 404 and mail.outbox == []
    response = client.post(reverse("intake:invite", args=[world.programme.slug]), {"cohort": "x"})
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_queued_sending_shows_its_progress(world, login):
    client = login(world.users["facilitator"])
    with override_settings(TASKS=DATABASE_QUEUE):
        response = client.post(reverse("intake:invite", args=[world.programme.slug]), follow=True)
        text = _text(response.content.decode())
        assert "Sending in the background" in text
        assert "Sending invitations: 0 of 3 sent so far" in text
        assert mail.outbox == [], "nothing is sent inside the request"
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        text = _text(status_body(client, world))
        assert "Invitations sent: 3 of 3." in text
        assert len(mail.outbox) == 3
        assert "Invitations sent" not in _text(status_body(client, world)), "shown once"


# ------------------------------------------------------------------ topic curation


@pytest.fixture
def drafted(world):
    org = world.people["peer"].organisation
    texts = [
        "Our land registry is full of duplicate titles",
        "Land registry and cadastre records disagree",
        "Finance ministry cut our budget for the reform",
        "We cannot get budget from the finance ministry",
        "Building a team for the new agency is slow",
        "Hiring a team with the right skills for the agency",
    ]
    for i, text in enumerate(texts):
        person = Person.objects.create(
            name=f"Peer {i}", email=f"p{i}@example.org", organisation=org
        )
        Challenge.objects.create(person=person, programme=world.programme, position=1, text=text)
    draft = curation.propose_draft(world.programme, world.people["facilitator"], n_topics=3)
    return world, draft


def test_changes_applied_once_and_topics_keep_their_numbers(drafted, login):
    world, draft = drafted
    client = login(world.users["facilitator"])
    url = reverse("intake:topics_curate", args=[world.programme.slug])
    before = {t.pk: t.position for t in draft.topics.all()}
    first, second, third = sorted(draft.topics.all(), key=lambda t: t.position)
    response = client.post(
        url,
        {
            "draft": str(draft.pk),
            "action": "apply",
            f"label-{third.pk}": "Getting budget from finance",
            f"merge-{second.pk}": str(first.pk),
        },
        follow=True,
    )
    html = response.content.decode()
    assert html.count("Changes applied") == 1
    assert "Changes applied: 1 renamed, 1 merge." in _text(html)
    after = {t.pk: t.position for t in draft.topics.all()}
    assert after == {pk: before[pk] for pk in (first.pk, third.pk)}, "numbers kept"
    assert f"Topic {third.position}" in _text(html)
    assert "Changes applied" not in client.get(url).content.decode(), "shown once"
    response = client.post(url, {"draft": str(draft.pk), "action": "apply"}, follow=True)
    assert "No changes to apply." in response.content.decode()


# ------------------------------------------------------------------ roster preview


def test_new_people_count_leaves_out_rows_with_problems():
    from peerlearn.roster.reading import Table
    from peerlearn.roster.validation import validate_roster

    rows = [person_row(i) for i in range(1, 5)]
    rows[1] = {**rows[1], "country": "Atlantis"}
    rows[3] = {**rows[3], "email": "not an e-mail"}
    header = list(rows[0])
    preview = validate_roster(
        Table(header=header, rows=[[row.get(c, "") for c in header] for row in rows]),
        known_organisations=KNOWN_ORGANISATIONS,
        known_cohorts=KNOWN_COHORTS,
        existing_emails=(),
    )
    assert len(preview.problem_rows) == 2
    assert preview.new_count == 2, "rows 3 (Atlantis) and 5 (bad e-mail) create nobody"

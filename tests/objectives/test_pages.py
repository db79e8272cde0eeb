"""Objectives, outcomes, authorisations and risks through the pages, with the personas."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from peerlearn.audit.models import AuditEvent as Event
from peerlearn.objectives.builtin_risks import BUILTIN_RISKS
from peerlearn.objectives.models import (
    Authorisation,
    LearningObjective,
    ObjectiveSettings,
    OrganisationalOutcome,
    StageRisk,
)
from peerlearn.programmes.models import Membership
from tests.conftest import make_person
from tests.objectives.conftest import PNG, authorisation, objective, open_rating

pytestmark = pytest.mark.django_db

NEW = {
    "holder": "me",
    "statement": "Brief a new minister on reform",
    "why": "Ministers change every year",
    "success_sign": "My next briefing is taken up",
    "start_rating": "2",
}


def url(name, w, *args):
    return reverse(f"objectives:{name}", args=[w.programme.slug, *args])


def text(response) -> str:
    return response.content.decode()


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


# ---------------------------------------------------------------- objectives


def test_participant_sets_an_objective_and_a_group_objective(world, login):
    client = login(world.users["participant"])
    response = client.post(url("mine", world), NEW, follow=True)
    assert "Objective saved." in text(response)
    mine = LearningObjective.objects.get()
    assert mine.person == world.people["participant"] and mine.group is None
    client.post(url("mine", world), {**NEW, "holder": f"group:{world.group_a.pk}"})
    assert LearningObjective.objects.filter(group=world.group_a).count() == 1


def test_a_group_is_not_a_holder_for_someone_outside_it(world, login):
    client = login(world.users["peer"])  # in group B
    response = client.post(url("mine", world), {**NEW, "holder": f"group:{world.group_a.pk}"})
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not LearningObjective.objects.exists()


def test_a_persons_objectives_are_read_by_them_and_facilitators_only(world, login):
    objective(world, statement="Private aim of the participant")
    assert "Private aim" in text(login(world.users["participant"]).get(url("mine", world)))
    assert "Private aim" in text(login(world.users["facilitator"]).get(url("overview", world)))
    # The module's facilitator does not facilitate the participant's cohort.
    module_view = login(world.users["module_facilitator"]).get(url("overview", world))
    assert "Private aim" not in text(module_view)
    assert "Private aim" not in text(login(world.users["peer"]).get(url("mine", world)))
    open_rating(world)
    for persona in ("evaluator", "observer", "peer"):
        client = login(world.users[persona])
        programme_page = client.get(reverse("programmes:detail", args=[world.programme.slug]))
        assert "Private aim" not in text(programme_page), persona
    assert "Private aim" not in text(login(world.users["evaluator"]).get(url("summary", world)))


def test_facilitator_locks_then_edits_are_refused_and_nothing_changes(world, login):
    mine = objective(world)
    facilitator = login(world.users["facilitator"])
    response = facilitator.post(url("lock", world), follow=True)
    assert "1 objectives locked" in text(response)
    assert Event.objects.filter(action="objectives.lock", detail__locked=1).exists()
    assert ObjectiveSettings.objects.get().lock_on == timezone.localdate()
    again = facilitator.post(url("lock", world), follow=True)
    assert "Nothing to lock" in text(again)

    client = login(world.users["participant"])
    response = client.post(url("edit", world, mine.pk), {**NEW}, follow=True)
    assert "can no longer be changed" in text(response)
    mine.refresh_from_db()
    assert mine.statement == "Lead a reform team well"
    response = client.post(url("mine", world), NEW, follow=True)
    assert "can no longer be changed" in text(response)
    assert LearningObjective.objects.count() == 1


def test_edits_before_the_lock_are_kept_in_the_history(world, login):
    mine = objective(world)
    client = login(world.users["participant"])
    client.post(url("edit", world, mine.pk), {**NEW, "statement": "Second wording"})
    mine.refresh_from_db()
    assert mine.statement == "Second wording"
    assert [h.statement for h in mine.history.order_by("history_date")] == [
        "Lead a reform team well",
        "Second wording",
    ]


def test_the_lock_date_closes_objectives_without_a_click(world, login):
    mine = objective(world)
    ObjectiveSettings.objects.create(programme=world.programme, lock_on=yesterday())
    client = login(world.users["participant"])
    response = client.post(url("edit", world, mine.pk), NEW, follow=True)
    assert "Objectives were locked on" in text(response)
    assert "Add an objective" not in text(client.get(url("mine", world)))


def test_rating_before_the_end_is_refused_and_writes_nothing(world, login):
    world.programme.end = timezone.localdate() + datetime.timedelta(days=30)
    world.programme.save()
    mine = objective(world)
    client = login(world.users["participant"])
    response = client.post(
        url("rate", world, mine.pk), {"achievement": "3", "achievement_evidence": "x"}, follow=True
    )
    assert "Achievement is rated at the end: from" in text(response)
    mine.refresh_from_db()
    assert mine.achievement is None and mine.locked_at is None


def test_rating_without_an_end_date_says_so(world, login):
    mine = objective(world)
    response = login(world.users["participant"]).get(url("rate", world, mine.pk), follow=True)
    assert "the programme has no end date yet" in text(response)


def test_rating_at_the_end_needs_evidence_and_locks_the_objective(world, login):
    world.programme.end = timezone.localdate()
    world.programme.save()
    mine = objective(world)
    client = login(world.users["participant"])
    response = client.post(url("rate", world, mine.pk), {"achievement": "3"})
    assert response.status_code == 200 and "This field is required" in text(response)
    mine.refresh_from_db()
    assert mine.achievement is None
    client.post(
        url("rate", world, mine.pk),
        {"achievement": "3", "achievement_evidence": "The team met without me"},
    )
    mine.refresh_from_db()
    assert mine.achievement == 3 and mine.locked_at is not None and mine.rated_at is not None


def test_facilitator_reviews_an_objective(world, login):
    mine = objective(world)
    login(world.users["facilitator"]).post(
        url("review", world, mine.pk), {"review_note": "Make it measurable"}
    )
    mine.refresh_from_db()
    assert mine.review_note == "Make it measurable"
    assert mine.reviewed_by == world.people["facilitator"]
    assert "Make it measurable" in text(login(world.users["participant"]).get(url("mine", world)))


def _raters(world, n: int, achieved: int) -> None:
    for i in range(n):
        person = make_person(f"rater{i}", world.people["participant"].organisation)
        Membership.objects.create(
            person=person, programme=world.programme, cohort=world.event, role="participant"
        )
        o = objective(world, person=person, statement=f"Secret aim {i}")
        o.achievement = 3 if i < achieved else 0
        o.save()


def test_summary_is_suppressed_below_k_raters(world, login, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 5
    _raters(world, 4, achieved=4)
    response = login(world.users["evaluator"]).get(url("summary", world))
    assert "Fewer than 5 people have rated" in text(response)
    assert "of 4" not in text(response)


def test_summary_shows_denominators_and_no_names(world, login, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 5
    _raters(world, 5, achieved=3)
    objective(world)  # the participant's, not rated yet
    page = text(login(world.users["evaluator"]).get(url("summary", world)))
    assert "6 objectives set by 6 people." in page
    assert "Rated at the end: 5 of 6." in page
    assert "Mostly or fully achieved: 3 of 5 rated objectives." in page
    assert "%" not in page.split("<main")[1]
    assert "Secret aim" not in page and "Rater0" not in page


# ---------------------------------------------------------------- outcomes


def test_participants_name_outcomes_for_their_own_organisation_only(world, login):
    other = make_person("elsewhere", world.people["participant"].organisation)
    other_org = type(world.people["participant"].organisation).objects.create(name="City hall")
    other.organisation = other_org
    other.save()
    Membership.objects.create(
        person=other, programme=world.programme, cohort=world.event, role="participant"
    )
    client = login(world.users["participant"])
    data = {"kind": "practice", "level": "team", "description": "A briefing routine"}
    response = client.post(url("outcomes", world), {**data, "organisation": other_org.pk})
    assert "Select a valid choice" in text(response)
    client.post(
        url("outcomes", world),
        {**data, "organisation": world.people["participant"].organisation_id},
    )
    assert OrganisationalOutcome.objects.get().description == "A briefing routine"
    facilitator = login(world.users["facilitator"])
    outcome = OrganisationalOutcome.objects.get()
    facilitator.post(
        url("outcome_review", world, outcome.pk),
        {"review": "achieved", "review_evidence": "Used for two new ministers"},
    )
    outcome.refresh_from_db()
    assert outcome.review == "achieved" and outcome.reviewed_at is not None


# ---------------------------------------------------------------- authorisations


def test_letter_with_missing_authoriser_fields_is_refused_with_the_fields_named(world, login):
    a = authorisation(world, authoriser_name="", grants=" ")
    response = login(world.users["facilitator"]).get(
        url("letter", world, a.pk, "docx"), follow=True
    )
    assert response["Content-Type"].startswith("text/html")
    assert "The letter needs these fields first: authoriser&#x27;s name, what is asked." in text(
        response
    )


def test_letters_as_docx_and_pdf_in_the_language_asked(world, login):
    from docx import Document

    a = authorisation(world)
    client = login(world.users["participant"])  # a member of the group
    response = client.get(url("letter", world, a.pk, "docx") + "?lang=en")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Dear Ana Ministra," in body
    assert "Participant Person" in body and "Group A" in body
    assert "Four hours a week" in body
    pdf = client.get(url("letter", world, a.pk, "pdf") + "?lang=fr")
    assert pdf.content.startswith(b"%PDF-")
    spanish = client.get(url("letter", world, a.pk, "docx") + "?lang=es")
    body_es = "\n".join(p.text for p in Document(io.BytesIO(spanish.content)).paragraphs)
    assert "Solicitud de autorización" in body_es


def test_pdf_letter_refuses_characters_beyond_its_font_and_points_to_word(world, login):
    a = authorisation(world, authoriser_name="Айгерим Серикова")
    client = login(world.users["facilitator"])
    response = client.get(url("letter", world, a.pk, "pdf"), follow=True)
    assert "download the Word version instead" in text(response)
    assert client.get(url("letter", world, a.pk, "docx")).status_code == 200


def test_status_needs_its_date(world, login):
    client = login(world.users["facilitator"])
    data = {
        "authoriser_name": "Ana",
        "authoriser_role": "Minister",
        "authoriser_organisation": "Ministry",
        "grants": "Time",
        "status": "granted",
        "status_on": "",
    }
    response = client.post(url("authorisation_group", world, world.group_a.pk), data)
    assert "Give the date of this status." in text(response)
    assert not Authorisation.objects.exists()
    data["status_on"] = str(timezone.localdate())
    client.post(url("authorisation_group", world, world.group_a.pk), data)
    assert Authorisation.objects.get().status == "granted"
    assert Event.objects.filter(action="authorisation.update", detail__new_status="granted")
    page = text(client.get(reverse("programmes:detail", args=[world.programme.slug])))
    assert "Authorised teams: Group A" in page


def _upload(client, world, a, name, data):
    return client.post(
        url("signed_upload", world, a.pk),
        {"signed_copy": SimpleUploadedFile(name, data, content_type="application/pdf")},
        follow=True,
    )


def test_oversized_upload_is_refused_and_nothing_is_kept(world, login, settings):
    settings.SIGNED_COPY_MAX_BYTES = 1024
    a = authorisation(world)
    response = _upload(login(world.users["facilitator"]), world, a, "s.pdf", b"%PDF-" + b"0" * 2000)
    assert "The file is larger than" in text(response)
    a.refresh_from_db()
    assert bytes(a.signed_copy) == b"" and a.signed_copy_name == ""


def test_dangerous_uploads_are_refused_whatever_their_name(world, login):
    a = authorisation(world)
    client = login(world.users["facilitator"])
    response = _upload(client, world, a, "letter.pdf", b"<html><script>alert(1)</script>")
    assert "Only PDF, PNG or JPEG" in text(response)
    response = _upload(client, world, a, "letter.pdf", b"%PDF-1.4 /JavaScript (x)")
    assert "contains scripts" in text(response)
    a.refresh_from_db()
    assert bytes(a.signed_copy) == b""


def test_signed_scan_is_kept_and_served_as_what_it_is(world, login):
    a = authorisation(world)
    client = login(world.users["facilitator"])
    response = _upload(client, world, a, "scan.pdf", PNG)  # a PNG, whatever its name
    assert "Signed copy kept." in text(response)
    download = login(world.users["participant"]).get(url("signed_download", world, a.pk))
    assert download.content == PNG
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert Event.objects.filter(action="authorisation.signed_upload").exists()
    assert Event.objects.filter(action="authorisation.signed_download").exists()


# ---------------------------------------------------------------- risks


def test_starting_list_of_risks_is_added_once(world, login):
    client = login(world.users["facilitator"])
    response = client.post(url("risks_seed", world), follow=True)
    assert f"{len(BUILTIN_RISKS)} risks added" in text(response)
    assert "Magic" not in text(response)  # the project's own words
    response = client.post(url("risks_seed", world), follow=True)
    assert "0 risks added" in text(response)
    assert StageRisk.objects.count() == len(BUILTIN_RISKS)
    stages = set(StageRisk.objects.values_list("stage", flat=True))
    assert stages == {"curation", "matching", "engagement", "outcomes", "diffusion"}


def test_facilitator_names_a_risk_with_owner_and_status(world, login):
    client = login(world.users["facilitator"])
    client.post(
        url("risks", world),
        {
            "stage": "engagement",
            "risk": "Momentum drops between meetings",
            "mitigation": "Short weekly check-ins",
            "owner": world.people["evaluator"].pk,
            "status": "watching",
        },
    )
    risk = StageRisk.objects.get()
    assert risk.owner == world.people["evaluator"] and risk.status == "watching"
    outsider_owner = client.post(
        url("risk_edit", world, risk.pk),
        {
            "stage": "engagement",
            "risk": "x",
            "owner": world.people["outsider"].pk,
            "status": "open",
        },
    )
    assert "Select a valid choice" in text(outsider_owner)
    assert "Momentum drops" in text(login(world.users["evaluator"]).get(url("risks", world)))


# ---------------------------------------------------------------- the facilitator's day


def test_today_panels_for_facilitators_and_the_participants_own(world, login):
    from tests.matching.conftest import fake_run

    fake_run(world)
    participant = login(world.users["participant"])
    participant.post(
        reverse("matching:move_request", args=[world.programme.slug, world.event.pk]),
        {"reason": "Another group works on my topic."},
    )
    detail = reverse("programmes:detail", args=[world.programme.slug])
    page = text(login(world.users["facilitator"]).get(detail))
    assert "Today" in page
    assert "1 person asks to move." in page
    assert "Participants without objectives: 3 of 3" in page
    assert "Your learning objectives" not in page
    mine = text(login(world.users["participant"]).get(detail))
    assert "Your learning objectives" in mine and "Set your learning objectives" in mine
    assert "asks to move" not in mine
    assert "Today" not in text(login(world.users["evaluator"]).get(detail))


def test_survey_panel_shows_who_answered_with_the_denominator(world, login):
    from peerlearn.surveys.models import Invitation
    from tests.surveys.conftest import make_survey

    survey = make_survey(world, "pulse")
    now = timezone.now()
    for key in ("participant", "peer", "module_facilitator"):
        Invitation.objects.get_or_create(survey=survey, person=world.people[key])
    Invitation.objects.filter(survey=survey).update(sent_at=now)
    Invitation.objects.filter(survey=survey, person=world.people["peer"]).update(submitted_at=now)
    detail = reverse("programmes:detail", args=[world.programme.slug])
    page = text(login(world.users["facilitator"]).get(detail))
    assert f"{survey.title}</a>: 1 of 3 answered" in page


def test_a_move_request_emails_the_facilitators_without_the_reason(world, login):
    from tests.matching.conftest import fake_run

    fake_run(world)
    cohort_facilitator = make_person("eventfac", world.people["facilitator"].organisation)
    cohort_facilitator.languages = ["fr"]
    cohort_facilitator.save()
    Membership.objects.create(
        person=cohort_facilitator, programme=world.programme, cohort=world.event, role="facilitator"
    )
    mail.outbox.clear()
    login(world.users["participant"]).post(
        reverse("matching:move_request", args=[world.programme.slug, world.event.pk]),
        {"reason": "My private reason"},
    )
    to = sorted(address for m in mail.outbox for address in m.to)
    # Not the module's facilitator: the request is in the event.
    assert to == ["eventfac@example.org", "facilitator@example.org"]
    assert all("My private reason" not in m.body for m in mail.outbox)
    english = next(m for m in mail.outbox if m.to == ["facilitator@example.org"])
    assert "Participant Person asks to move group" in english.subject
    french = next(m for m in mail.outbox if m.to == ["eventfac@example.org"])
    assert "demande" in french.subject.lower()


def test_members_see_their_groups_authorisation_and_others_do_not(world, login):
    a = authorisation(world, status="requested", status_on=timezone.localdate())
    letter = url("letter", world, a.pk, "docx")
    page = text(login(world.users["participant"]).get(url("mine", world)))
    assert "Group A: Requested" in page and letter in page
    assert letter not in text(login(world.users["peer"]).get(url("mine", world)))


def test_a_module_facilitator_sees_no_team_of_another_cohort_on_the_dashboard(world, login):
    authorisation(world, status="granted", status_on=timezone.localdate())
    detail = reverse("programmes:detail", args=[world.programme.slug])
    assert "Authorised teams: Group A" in text(login(world.users["facilitator"]).get(detail))
    module_page = text(login(world.users["module_facilitator"]).get(detail))
    assert "Authorised teams" not in module_page


def test_a_lock_date_that_has_come_cannot_be_moved_later_or_removed(world, login):
    ObjectiveSettings.objects.create(programme=world.programme, lock_on=yesterday())
    client = login(world.users["facilitator"])
    later = str(timezone.localdate() + datetime.timedelta(days=7))
    for value in (later, ""):
        response = client.post(url("settings", world), {"lock_on": value}, follow=True)
        assert "that date can no longer be moved or removed" in text(response)
        assert ObjectiveSettings.objects.get().lock_on == yesterday()
    earlier = str(yesterday() - datetime.timedelta(days=3))
    client.post(url("settings", world), {"lock_on": earlier})
    assert str(ObjectiveSettings.objects.get().lock_on) == earlier

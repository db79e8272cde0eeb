"""Progress pages with the personas: check-ins, common problems, working groups, products."""

from __future__ import annotations

import io
import zipfile

from django.test import override_settings
from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.people.models import Person
from peerlearn.programmes.models import Group, GroupMember
from peerlearn.progress import checkins, products
from peerlearn.progress.models import (
    CheckIn,
    CheckInVersion,
    CommonProblem,
    Product,
    ProductVersion,
    Review,
    WorkingGroup,
)
from tests.conftest import make_person
from tests.progress.conftest import (
    PDF,
    file_check_in,
    make_product,
    make_round,
    other_organisation,
    reviewed_by_peer,
)


def u(world, name, *args):
    return reverse(f"progress:{name}", args=[world.programme.slug, *args])


# ------------------------------------------------------------------ check-ins


def test_a_member_files_then_edits_a_check_in_and_every_version_is_kept(world, login):
    round = make_round(world)
    client = login(world.users["participant"])
    address = u(world, "check_in", world.group_a.pk, round.pk)
    response = client.post(address, {"completed": "Mapped the parcels", "progress": "2"})
    assert response.status_code == 302
    check_in = CheckIn.objects.get(group=world.group_a, round=round)
    assert (check_in.completed, check_in.progress, check_in.version) == ("Mapped the parcels", 2, 1)
    client.post(address, {"completed": "Mapped all parcels", "progress": "3", "version": "1"})
    check_in.refresh_from_db()
    assert (check_in.completed, check_in.version) == ("Mapped all parcels", 2)
    kept = list(CheckInVersion.objects.filter(check_in=check_in).values_list("fields", flat=True))
    assert [v["completed"] for v in kept] == ["Mapped all parcels", "Mapped the parcels"]
    page = client.get(u(world, "versions", check_in.pk)).content.decode()
    assert "Mapped the parcels" in page and "Mapped all parcels" in page


def test_an_edit_from_a_stale_page_writes_nothing(world, login):
    round = make_round(world)
    file_check_in(world, world.group_a, round, completed="First")
    checkins.save_check_in(
        round=round,
        group=world.group_a,
        author=None,
        fields={"completed": "Second"},
        expected_version=1,
    )
    client = login(world.users["participant"])
    response = client.post(
        u(world, "check_in", world.group_a.pk, round.pk),
        {"completed": "Stale", "version": "1"},
        follow=True,
    )
    assert "saved this check-in while you were writing" in response.content.decode()
    check_in = CheckIn.objects.get(group=world.group_a, round=round)
    assert (check_in.completed, check_in.version) == ("Second", 2)
    assert check_in.versions.count() == 2


def test_a_check_in_for_a_group_the_person_is_not_in_is_refused(world, login):
    round = make_round(world)
    client = login(world.users["peer"])  # group B
    response = client.post(u(world, "check_in", world.group_a.pk, round.pk), {"stuck": "x"})
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_an_empty_check_in_is_refused_with_a_message(world, login):
    round = make_round(world)
    client = login(world.users["participant"])
    response = client.post(u(world, "check_in", world.group_a.pk, round.pk), {"completed": "  "})
    assert response.status_code == 200
    assert "Answer at least one question." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_round_of_another_cohort_is_not_found(world, login):
    round = make_round(world, cohort=world.module)
    client = login(world.users["participant"])
    assert client.get(u(world, "check_in", world.group_a.pk, round.pk)).status_code == 404


def test_overview_shows_groups_side_by_side_to_facilitators_only(world, login):
    first, second = make_round(world), make_round(world, title="Week 2")
    file_check_in(world, world.group_a, first, stuck="Land records", progress=2)
    file_check_in(world, world.group_a, second, progress=4)
    page = login(world.users["facilitator"]).get(u(world, "overview")).content.decode()
    grid = page[page.index('id="progress-grid"') :]
    assert "Group A" in grid and "Group B" in grid
    assert "2/5" in grid and "4/5" in grid and "stuck" in grid
    assert login(world.users["evaluator"]).get(u(world, "overview")).status_code == 403
    assert login(world.users["participant"]).get(u(world, "overview")).status_code == 403


def test_evaluators_read_progress_only_once_the_facilitator_allows_it(world, login):
    file_check_in(world, world.group_a, make_round(world), stuck="Land records")
    evaluator = login(world.users["evaluator"])
    assert evaluator.get(u(world, "group", world.group_a.pk)).status_code == 404
    login(world.users["facilitator"]).post(u(world, "settings"), {"evaluators_see_progress": "on"})
    event = AuditEvent.objects.get(action="progress.settings")
    assert event.detail == {"evaluators_see_progress": {"old": False, "new": True}}
    evaluator = login(world.users["evaluator"])
    assert "Land records" in evaluator.get(u(world, "group", world.group_a.pk)).content.decode()


def test_the_module_facilitator_sees_only_their_cohort(world, login):
    client = login(world.users["module_facilitator"])
    assert client.get(u(world, "overview") + f"?cohort={world.module.pk}").status_code == 200
    assert client.get(u(world, "overview") + f"?cohort={world.event.pk}").status_code == 404


# ------------------------------------------------------- common problems


def _land_groups(world):
    """Groups A, B and C name bad land-ownership data; group D something else."""
    round = make_round(world)
    group_c = Group.objects.create(cohort=world.event, name="Group C")
    group_d = Group.objects.create(cohort=world.event, name="Group D")
    carla = make_person("carla", world.people["peer"].organisation)
    dan = make_person("dan", world.people["peer"].organisation)
    carla.role_title = "Lawyer"
    carla.save()
    GroupMember.objects.create(group=group_c, person=carla)
    GroupMember.objects.create(group=group_d, person=dan)
    file_check_in(world, world.group_a, round, stuck="Land ownership records are missing")
    file_check_in(
        world, world.group_b, round, help_peers="Our land ownership records are out of date"
    )
    file_check_in(world, group_c, round, stuck="Bad land ownership records block the registry")
    file_check_in(world, group_d, round, stuck="The minister changed and ignores the team")
    return group_c, group_d


def test_facilitator_finds_a_common_problem_and_turns_it_into_a_working_group(world, login):
    group_c, group_d = _land_groups(world)
    client = login(world.users["facilitator"])
    client.post(u(world, "problems_propose"), {"cohort": world.event.pk})
    problem = CommonProblem.objects.get()
    assert set(problem.group_ids) == {world.group_a.pk, world.group_b.pk, group_c.pk}
    assert "land ownership" in problem.label.lower()
    page = client.get(u(world, "problems") + f"?cohort={world.event.pk}").content.decode()
    assert "Land ownership records are missing" in page
    form = client.get(u(world, "working_group_new") + f"?problem={problem.pk}")
    members = [p.pk for p in form.context["form"].fields["members"].queryset]
    assert set(members) == {
        world.people["participant"].pk,
        world.people["peer"].pk,
        Person.objects.get(email="carla@example.org").pk,
    }
    response = client.post(
        u(world, "working_group_new"),
        {
            "problem": problem.pk,
            "name": "Land data working group",
            "members": members,
            "groups": problem.group_ids,
        },
    )
    group = Group.objects.get(name="Land data working group")
    assert response.status_code == 302
    assert set(group.members.values_list("pk", flat=True)) == set(members)
    assert group.cohort == world.event
    assert WorkingGroup.objects.get(group=group).problem == problem
    problem.refresh_from_db()
    assert (problem.status, problem.working_group) == ("converted", group)
    assert AuditEvent.objects.filter(action="progress.working_group_create").count() == 1
    # the members stay in their own groups
    assert world.group_a.members.filter(pk=world.people["participant"].pk).exists()


def test_a_problem_becomes_one_working_group_only(world, login):
    _land_groups(world)
    client = login(world.users["facilitator"])
    client.post(u(world, "problems_propose"), {"cohort": world.event.pk})
    problem = CommonProblem.objects.get()
    data = {
        "problem": problem.pk,
        "name": "First",
        "members": [world.people["participant"].pk],
        "groups": problem.group_ids,
    }
    client.post(u(world, "working_group_new"), data)
    response = client.post(u(world, "working_group_new"), {**data, "name": "Second"})
    assert "already been turned into a working group" in response.content.decode()
    assert not Group.objects.filter(name="Second").exists()


def test_a_taken_name_writes_nothing(world, login):
    _land_groups(world)
    client = login(world.users["facilitator"])
    client.post(u(world, "problems_propose"), {"cohort": world.event.pk})
    problem = CommonProblem.objects.get()
    response = client.post(
        u(world, "working_group_new"),
        {
            "problem": problem.pk,
            "name": "Group A",
            "members": [world.people["participant"].pk],
            "groups": problem.group_ids,
        },
    )
    assert "has this name" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == "proposed"
    assert Group.objects.filter(name="Group A").count() == 1


def test_a_dismissed_problem_is_hidden_and_not_proposed_again_until_restored(world, login):
    _land_groups(world)
    client = login(world.users["facilitator"])
    client.post(u(world, "problems_propose"), {"cohort": world.event.pk})
    problem = CommonProblem.objects.get()
    status_url = u(world, "problem_status", problem.pk)
    client.post(status_url, {"action": "dismiss"})
    problem.refresh_from_db()
    assert problem.status == "dismissed"
    page = client.get(u(world, "problems") + f"?cohort={world.event.pk}")
    assert [row["problem"] for row in page.context["rows"]] == []
    assert "1 dismissed problem" in page.content.decode()
    client.post(u(world, "problems_propose"), {"cohort": world.event.pk})
    assert list(CommonProblem.objects.values_list("status", flat=True)) == ["dismissed"]
    assert AuditEvent.objects.filter(action="progress.problem_dismiss").count() == 1
    client.post(status_url, {"action": "restore"})
    problem.refresh_from_db()
    assert problem.status == "proposed"


def test_a_problem_turned_into_a_working_group_is_never_dismissed(world, login):
    _land_groups(world)
    client = login(world.users["facilitator"])
    client.post(u(world, "problems_propose"), {"cohort": world.event.pk})
    problem = CommonProblem.objects.get()
    CommonProblem.objects.filter(pk=problem.pk).update(status="converted")
    response = client.post(
        u(world, "problem_status", problem.pk), {"action": "dismiss"}, follow=True
    )
    problem.refresh_from_db()
    assert problem.status == "converted"
    assert "nothing was done" in response.content.decode()
    assert not AuditEvent.objects.filter(action="progress.problem_dismiss").exists()


def test_a_working_group_by_profession_across_groups(world, login):
    group_c, _group_d = _land_groups(world)
    client = login(world.users["facilitator"])
    form = client.get(
        u(world, "working_group_new") + f"?cohort={world.event.pk}&groups=&role_term=lawyer"
    )
    members = [p.pk for p in form.context["form"].fields["members"].queryset]
    assert members == [Person.objects.get(email="carla@example.org").pk]
    client.post(
        u(world, "working_group_new"),
        {"cohort": world.event.pk, "name": "Lawyers", "members": members, "role_term": "lawyer"},
    )
    lawyers = Group.objects.get(name="Lawyers")
    assert list(lawyers.members.values_list("email", flat=True)) == ["carla@example.org"]
    assert WorkingGroup.objects.get(group=lawyers).role_term == "lawyer"


def test_a_member_outside_the_chosen_groups_is_refused(world, login):
    _land_groups(world)
    client = login(world.users["facilitator"])
    response = client.post(
        u(world, "working_group_new"),
        {
            "cohort": world.event.pk,
            "name": "Odd",
            "groups": [world.group_b.pk],
            "members": [world.people["participant"].pk],
        },
    )
    assert response.status_code == 200
    assert not Group.objects.filter(name="Odd").exists()


def test_training_demand_adds_up_across_groups(world, login):
    round = make_round(world)
    file_check_in(world, world.group_a, round, help_training="Training on procurement law")
    file_check_in(world, world.group_b, round, help_training="Procurement law training")
    page = login(world.users["facilitator"]).get(u(world, "training")).content.decode()
    table = page[page.index('id="training-demand"') :]
    assert "procurement law" in table.lower()
    assert "2: Group A, Group B" in table


# ------------------------------------------------------------------ products


def _upload(client, world, product, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        u(world, "version_new", product.pk),
        {"file": SimpleUploadedFile(name, data), "note": "first"},
        follow=True,
    )


def test_a_member_adds_a_product_uploads_a_pdf_and_submits_it(world, login):
    client = login(world.users["participant"])
    response = client.post(
        u(world, "product_new", world.group_a.pk),
        {"title": "Land data plan", "kind": "action_plan"},
    )
    product = Product.objects.get()
    assert response.status_code == 302 and product.state == "draft"
    _upload(client, world, product, "plan.pdf", PDF)
    version = ProductVersion.objects.get()
    assert (version.filename, version.content_type, version.size) == (
        "plan.pdf",
        "application/pdf",
        len(PDF),
    )
    download = client.get(u(world, "version_file", product.pk, 1))
    assert download.content == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    client.post(u(world, "product_move", product.pk), {"move": "submit"})
    product.refresh_from_db()
    assert product.state == "submitted"


def test_a_program_named_pdf_is_refused_and_nothing_is_kept(world, login):
    product = make_product(world, with_file=False)
    response = _upload(login(world.users["participant"]), world, product, "plan.pdf", b"MZ\x90\x00")
    assert "This kind of file is not accepted" in response.content.decode()
    assert not ProductVersion.objects.exists()


def test_a_macro_workbook_is_refused(world, login):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<x/>")
        archive.writestr("xl/vbaProject.bin", "\x00")
    product = make_product(world, with_file=False)
    response = _upload(
        login(world.users["participant"]), world, product, "n.xlsm", buffer.getvalue()
    )
    assert "contains macros" in response.content.decode()
    assert not ProductVersion.objects.exists()


@override_settings(PRODUCT_MAX_BYTES=2048)
def test_a_file_over_the_limit_is_refused(world, login):
    product = make_product(world, with_file=False)
    big = b"%PDF-1.4\n" + b"0" * 4096
    response = _upload(login(world.users["participant"]), world, product, "big.pdf", big)
    assert "The file is too large" in response.content.decode()
    assert not ProductVersion.objects.exists()


def test_submitting_without_a_version_is_refused(world, login):
    product = make_product(world, with_file=False)
    client = login(world.users["participant"])
    response = client.post(u(world, "product_move", product.pk), {"move": "submit"}, follow=True)
    assert "before submitting" in response.content.decode()
    product.refresh_from_db()
    assert product.state == "draft"


def test_a_move_made_twice_is_made_once(world):
    product = make_product(world)
    assert products.move(product, "submit", by="group")
    assert not products.move(product, "submit", by="group")
    assert not products.move(product, "accept", by="facilitator")  # not in review
    product.refresh_from_db()
    assert product.state == "submitted"


def test_no_new_version_once_submitted(world):
    product = make_product(world, state="submitted")
    try:
        products.add_version(product, author=None, link="https://example.org/plan")
    except products.ProductError as error:
        assert "under review" in error.message
    else:
        raise AssertionError("a version was added to a submitted product")
    assert product.versions.count() == 1


# ------------------------------------------------------------------ reviewers


def test_a_member_of_the_group_cannot_be_its_reviewer(world, login):
    product = make_product(world, state="in_review")
    response = login(world.users["facilitator"]).post(
        u(world, "reviewers", product.pk), {"reviewer": world.people["participant"].pk}
    )
    assert "cannot review its own product" in response.content.decode()
    assert not Review.objects.exists()


def test_a_colleague_of_a_member_cannot_be_the_reviewer(world, login):
    product = make_product(world, state="in_review")  # peer works where participant works
    response = login(world.users["facilitator"]).post(
        u(world, "reviewers", product.pk), {"reviewer": world.people["peer"].pk}
    )
    assert "same organisation as a member of the group" in response.content.decode()
    assert not Review.objects.exists()


def test_proposed_reviewers_have_no_conflict(world, login):
    other_organisation(world, "peer")
    product = make_product(world, state="in_review")
    client = login(world.users["facilitator"])
    client.post(u(world, "reviewers", product.pk), {"proposed": "1"})
    assert list(Review.objects.values_list("reviewer__email", flat=True)) == ["peer@example.org"]
    assert AuditEvent.objects.filter(action="progress.reviewer_assign").count() == 1


def test_a_peer_of_another_group_reviews_and_the_group_reads_it(world, login):
    product, review = reviewed_by_peer(world)
    criteria = list(products.rubric_for(world.programme).criteria.all())
    peer = login(world.users["peer"])
    assert "Land data plan" in peer.get(u(world, "my_reviews")).content.decode()
    data = {f"score_{c.pk}": "3" for c in criteria} | {"comments": "Clear plan, add costs"}
    assert peer.post(u(world, "review", review.pk), data).status_code == 302
    review.refresh_from_db()
    assert review.scores == {str(c.pk): 3 for c in criteria} and review.submitted_at
    # the reviewer sees the product under review, not the group's check-ins
    assert peer.get(u(world, "product", product.pk)).status_code == 200
    assert peer.get(u(world, "group", world.group_a.pk)).status_code == 404


def test_group_reads_reviews_without_reviewer_names(world, login):
    product, review = reviewed_by_peer(world)
    products.submit_review(review, scores={}, comments="Clear plan, add costs")
    group_page = login(world.users["participant"]).get(u(world, "product", product.pk))
    text = group_page.content.decode()
    assert "Clear plan, add costs" in text and "Reviewer 1" in text
    assert world.people["peer"].name not in text
    facilitator_page = login(world.users["facilitator"]).get(u(world, "product", product.pk))
    assert world.people["peer"].name in facilitator_page.content.decode()


def test_a_review_after_the_decision_is_not_written(world, login):
    product, review = reviewed_by_peer(world)
    assert products.move(product, "accept", by="facilitator")
    criteria = list(products.rubric_for(world.programme).criteria.all())
    data = {f"score_{c.pk}": "1" for c in criteria} | {"comments": "Late"}
    response = login(world.users["peer"]).post(u(world, "review", review.pk), data, follow=True)
    assert "closed" in response.content.decode()
    review.refresh_from_db()
    assert review.comments == "" and review.submitted_at is None


def test_a_facilitator_adds_a_round_asking_some_questions(world, login):
    from peerlearn.progress.models import CheckInRound

    client = login(world.users["facilitator"])
    response = client.post(
        u(world, "round_new"),
        {
            "cohort": world.event.pk,
            "title": "Month 1",
            "due_date": "2026-04-07",
            "prompts": ["completed", "stuck"],
        },
    )
    assert response.status_code == 302
    round = CheckInRound.objects.get()
    assert (round.title, round.prompts, round.session_id) == (
        "Month 1",
        ["completed", "stuck"],
        None,
    )
    form = login(world.users["participant"]).get(u(world, "check_in", world.group_a.pk, round.pk))
    assert set(form.context["form"].fields) == {"completed", "stuck", "version"}


def test_a_cohort_facilitator_cannot_add_a_round_to_another_cohort(world, login):
    from peerlearn.progress.models import CheckInRound

    client = login(world.users["module_facilitator"])
    response = client.post(
        u(world, "round_new"),
        {
            "cohort": world.event.pk,
            "title": "Sneaky",
            "due_date": "2026-04-07",
            "prompts": ["stuck"],
        },
    )
    assert response.status_code == 200
    assert not CheckInRound.objects.exists()


def test_an_earlier_grouping_files_no_check_in(world, login):
    from django.utils import timezone

    round = make_round(world)
    Group.objects.filter(pk=world.group_a.pk).update(archived_at=timezone.now())
    client = login(world.users["participant"])
    response = client.post(u(world, "check_in", world.group_a.pk, round.pk), {"stuck": "x"})
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_staff_without_a_role_give_a_reason_before_reading_check_ins(world, login):
    from tests.conftest import make_person as person_for

    staff = person_for("staff", world.people["peer"].organisation).user
    staff.is_superuser = True
    staff.save()
    check_in = file_check_in(world, world.group_a, make_round(world), stuck="Land records")
    client = login(staff)
    page = u(world, "group", world.group_a.pk)
    response = client.get(page)
    group_page = reverse("programmes:group", args=[world.programme.slug, world.group_a.pk])
    assert (response.status_code, response["Location"]) == (302, group_page)
    assert client.get(u(world, "versions", check_in.pk)).status_code == 302
    client.post(group_page, {"read_reason": "Complaint 12 from a member"})
    assert AuditEvent.objects.filter(action="group.private_read").count() == 1
    assert "Land records" in client.get(page).content.decode()


def test_publishing_a_new_matching_round_keeps_working_groups_current(world):
    from peerlearn.progress.models import WorkingGroup
    from tests.matching.conftest import fake_run

    working = Group.objects.create(cohort=world.event, name="Land data working group")
    GroupMember.objects.create(group=working, person=world.people["participant"])
    WorkingGroup.objects.create(group=working, source_group_ids=[world.group_a.pk])
    fake_run(world)  # publishes a grouping of the event
    fake_run(world)  # and the next round archives the first one
    working.refresh_from_db()
    assert working.archived_at is None
    archived = Group.objects.filter(cohort=world.event, archived_at__isnull=False)
    assert archived.count() == 2 and working not in archived

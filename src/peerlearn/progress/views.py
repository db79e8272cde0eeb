"""Progress pages: check-ins, common problems, working groups, training demand, products.

Thin views: the rules are in :mod:`.permissions`, the writing in
:mod:`.checkins` and :mod:`.products`, the thinking in the engine.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.decorators import manages_any_cohort, manages_programme, programme_view
from peerlearn.programmes.models import Cohort, Group, Programme
from peerlearn.programmes.permissions import (
    Access,
    is_group_member,
    manageable_cohorts,
    private_read_needs_reason,
)
from peerlearn.programmes.views import _reason_given
from peerlearn.progress import checkins, products, states
from peerlearn.progress.forms import (
    AssignReviewerForm,
    CheckInForm,
    CriterionForm,
    ProductForm,
    ProgressSettingsForm,
    ReviewForm,
    RoundForm,
    VersionForm,
    WorkingGroupForm,
)
from peerlearn.progress.models import (
    CHECKIN_FIELDS,
    CheckIn,
    CheckInRound,
    CheckInVersion,
    CommonProblem,
    Product,
    ProgressSettings,
    Review,
    RubricCriterion,
)
from peerlearn.progress.permissions import (
    can_see_product,
    can_see_progress,
    can_write_for,
    evaluator_reads,
    evaluators_see_progress,
    sees_overview,
)


def _group(programme: Programme, group_id: int) -> Group:
    return get_object_or_404(
        Group.objects.select_related("cohort"), pk=group_id, cohort__programme=programme
    )


def _visible_group(request: HttpRequest, programme: Programme, access: Access, group_id: int):
    """The group, or 404 for anyone who may not read its progress (its existence is theirs)."""
    group = _group(programme, group_id)
    if not can_see_progress(request.user, group, access, programme):
        raise Http404
    return group


def _reason_first(
    request: HttpRequest, programme: Programme, group: Group, access: Access
) -> HttpResponse | None:
    """Staff without a role here state a reason on the group's page first (as for its notes).

    The reason is given once per group and hour (``group.private_read`` in
    the audit log) and opens the group's notes, check-ins and products alike.
    """
    if private_read_needs_reason(request.user, group, access) and not _reason_given(request, group):
        # promise: tests/progress/test_pages.py::test_staff_without_a_role_give_a_reason_before_reading_check_ins
        messages.info(request, _("Say why you read this group's material first."))
        return redirect("programmes:group", slug=programme.slug, group_id=group.pk)
    return None


def _overview_cohorts(programme: Programme, access: Access) -> list[Cohort]:
    if access.manages_programme or evaluator_reads(access, programme):
        return list(programme.cohorts.all())
    return manageable_cohorts(programme, access)


def _chosen_cohort(request: HttpRequest, cohorts: list[Cohort]) -> Cohort | None:
    wanted = request.GET.get("cohort") or request.POST.get("cohort")
    for cohort in cohorts:
        if str(cohort.pk) == wanted:
            return cohort
    if wanted:
        raise Http404
    with_groups = set(
        Group.objects.filter(cohort__in=cohorts, archived_at__isnull=True).values_list(
            "cohort_id", flat=True
        )
    )
    # the first cohort with groups: a module without groups has no progress to show
    return next((c for c in cohorts if c.pk in with_groups), cohorts[0] if cohorts else None)


# ------------------------------------------------------------------ overview


#: Rows of the progress grid per page: 100 groups by 20 rounds is 2,000 cells,
#: a page a phone can scroll; a cohort of 1,700 groups has 17 pages.
GRID_GROUPS_PER_PAGE = 100


def _grid_rows(cohort: Cohort, groups: list[Group], rounds: list[CheckInRound]):
    """One row per group of ``groups``: its check-in per round and its products.

    Two queries for the page's groups, whatever their number.
    """
    ids = [g.pk for g in groups]
    filed = {
        (c.round_id, c.group_id): c
        for c in CheckIn.objects.filter(round__cohort=cohort, group_id__in=ids).only(
            "pk", "round_id", "group_id", "progress", "stuck", "updated_at"
        )
    }
    product_states: dict[int, list[Product]] = {}
    for product in Product.objects.filter(group_id__in=ids).only("group_id", "state"):
        product_states.setdefault(product.group_id, []).append(product)
    return [
        {
            "group": group,
            "cells": [filed.get((r.pk, group.pk)) for r in rounds],
            "products": product_states.get(group.pk, []),
        }
        for group in groups
    ]


@programme_view()
def overview(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Every group's check-ins side by side, round after round (facilitators).

    Groups first, then pairs, by name, a page of ``GRID_GROUPS_PER_PAGE`` at a time.
    """
    if not sees_overview(access, programme):
        raise PermissionDenied
    cohorts = _overview_cohorts(programme, access)
    cohort = _chosen_cohort(request, cohorts)
    rounds: list[CheckInRound] = []
    rows: list[dict[str, object]] = []
    page = None
    if cohort is not None:
        rounds = list(cohort.check_in_rounds.all())
        groups = cohort.groups.filter(archived_at__isnull=True).order_by("kind", "name", "pk")
        page = Paginator(groups, GRID_GROUPS_PER_PAGE).get_page(request.GET.get("page"))
        rows = _grid_rows(cohort, list(page.object_list), rounds)
    return render(
        request,
        "progress/overview.html",
        {
            "programme": programme,
            "access": access,
            "cohorts": cohorts,
            "cohort": cohort,
            "rounds": rounds,
            "rows": rows,
            "page": page,
            "has_pairs": any(row["group"].is_pair for row in rows),  # type: ignore[attr-defined]
            "manages": cohort is not None and access.manages_cohort(cohort.pk),
            "settings_form": ProgressSettingsForm(
                initial={"evaluators_see_progress": evaluators_see_progress(programme)}
            )
            if access.manages_programme
            else None,
        },
    )


@require_POST
@programme_view(manages_programme)
def progress_settings(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = ProgressSettingsForm(request.POST)
    form.is_valid()
    new = bool(form.cleaned_data.get("evaluators_see_progress"))
    row, _created = ProgressSettings.objects.get_or_create(programme=programme)
    old = row.evaluators_see_progress
    if old != new:
        row.evaluators_see_progress = new
        row.save(update_fields=["evaluators_see_progress"])
        audit.record(
            "progress.settings",
            request=request,
            programme=programme,
            detail={"evaluators_see_progress": {"old": old, "new": new}},
        )
    messages.success(request, _("Saved."))
    return redirect("progress:overview", slug=programme.slug)


@require_http_methods(["GET", "POST"])
@programme_view(manages_any_cohort)
def round_new(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    cohorts = manageable_cohorts(programme, access)
    form = RoundForm(request.POST or None, cohorts=cohorts)
    if request.method == "POST" and form.is_valid():
        created = form.save()
        messages.success(request, _("Check-in round added."))
        return redirect(f"{_url('overview', programme)}?cohort={created.cohort_id}")
    return render(request, "progress/round_form.html", {"programme": programme, "form": form})


def _url(name: str, programme: Programme) -> str:
    from django.urls import reverse

    return reverse(f"progress:{name}", args=[programme.slug])


# ------------------------------------------------------------------ check-ins


@programme_view()
def group_progress(
    request: HttpRequest, programme: Programme, access: Access, group_id: int
) -> HttpResponse:
    """A group's check-ins (every round) and products."""
    group = _visible_group(request, programme, access, group_id)
    if (asked := _reason_first(request, programme, group, access)) is not None:
        return asked
    filed = {c.round_id: c for c in group.check_ins.select_related("author")}
    rounds = [(r, filed.get(r.pk)) for r in group.cohort.check_in_rounds.all()]
    return render(
        request,
        "progress/group.html",
        {
            "programme": programme,
            "group": group,
            "rounds": rounds,
            "products": group.products.all(),
            "writes": can_write_for(request.user, group),
            "access": access,
        },
    )


@require_http_methods(["GET", "POST"])
@programme_view()
def check_in(
    request: HttpRequest, programme: Programme, access: Access, group_id: int, round_id: int
) -> HttpResponse:
    """File or edit the group's check-in for a round: members only.

    Others who may read the group see it on the group's progress page (403
    here); anyone else gets 404, as if the group did not exist.
    """
    group = _group(programme, group_id)
    if not is_group_member(request.user, group):
        if can_see_progress(request.user, group, access, programme):
            raise PermissionDenied
        raise Http404
    round = get_object_or_404(CheckInRound, pk=round_id, cohort_id=group.cohort_id)
    if group.is_archived:
        raise PermissionDenied
    existing = CheckIn.objects.filter(round=round, group=group).first()
    initial = existing.snapshot() | {"version": existing.version} if existing else None
    form = CheckInForm(request.POST or None, initial=initial, round=round)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version")
        try:
            checkins.save_check_in(
                round=round,
                group=group,
                author=signed_in_person(request),
                fields=form.cleaned_data,
                expected_version=expected if existing else None,
            )
        except checkins.EditConflict:
            messages.error(
                request,
                _(
                    "Someone in your group saved this check-in while you were writing. "
                    "Here is their version: copy your changes in again."
                ),
            )
            return redirect(
                "progress:check_in", slug=programme.slug, group_id=group.pk, round_id=round.pk
            )
        # promise: tests/progress/test_permissions.py::test_view_permissions
        messages.success(request, _("Check-in saved. Your group and its facilitators can read it."))
        return redirect("progress:group", slug=programme.slug, group_id=group.pk)
    return render(
        request,
        "progress/check_in_form.html",
        {
            "programme": programme,
            "group": group,
            "round": round,
            "form": form,
            "existing": existing,
        },
    )


@programme_view()
def check_in_versions(
    request: HttpRequest, programme: Programme, access: Access, check_in_id: int
) -> HttpResponse:
    found = get_object_or_404(
        CheckIn.objects.select_related("group__cohort", "round"),
        pk=check_in_id,
        group__cohort__programme=programme,
    )
    if not can_see_progress(request.user, found.group, access, programme):
        raise Http404
    if (asked := _reason_first(request, programme, found.group, access)) is not None:
        return asked
    return render(
        request,
        "progress/check_in_versions.html",
        {
            "programme": programme,
            "check_in": found,
            "versions": [_version_rows(v) for v in found.versions.select_related("author")],
        },
    )


def _version_rows(version: CheckInVersion) -> dict[str, object]:
    rows = []
    for name in CHECKIN_FIELDS:
        value = version.fields.get(name)
        if value not in (None, ""):
            rows.append((getattr(CheckIn._meta.get_field(name), "verbose_name", name), value))
    return {
        "number": version.number,
        "author": version.author,
        "created_at": version.created_at,
        "rows": rows,
    }


# ------------------------------------------------------- common problems, demand


@programme_view(manages_any_cohort)
def problems(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    cohorts = manageable_cohorts(programme, access)
    cohort = _chosen_cohort(request, cohorts)
    found = list(cohort.common_problems.exclude(status="dismissed")) if cohort else []
    dismissed = list(cohort.common_problems.filter(status="dismissed")) if cohort else []
    groups = {g.pk: g for g in cohort.groups.all()} if cohort else {}
    rows = [
        {
            "problem": p,
            "groups": [groups[g] for g in p.group_ids if g in groups],
            "quotes": checkins.quotes(p.excerpts),
        }
        for p in found
    ]
    return render(
        request,
        "progress/problems.html",
        {
            "programme": programme,
            "cohorts": cohorts,
            "cohort": cohort,
            "rows": rows,
            "dismissed": dismissed,
        },
    )


@require_POST
@programme_view(manages_any_cohort)
def problems_propose(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    cohort = _chosen_cohort(request, manageable_cohorts(programme, access))
    if cohort is None:
        raise Http404
    found = checkins.propose_problems(cohort)
    if found:
        messages.success(
            request,
            ngettext(
                "%(count)s common problem proposed.",
                "%(count)s common problems proposed.",
                len(found),
            )
            % {"count": len(found)},
        )
    else:
        messages.info(request, _("No problem is shared by two or more groups yet."))
    return redirect(f"{_url('problems', programme)}?cohort={cohort.pk}")


@require_POST
@programme_view(manages_any_cohort)
def problem_status(
    request: HttpRequest, programme: Programme, access: Access, problem_id: int
) -> HttpResponse:
    """Dismiss a proposed common problem, or bring a dismissed one back.

    A problem of a cohort the facilitator does not manage is a 404. The change
    is conditional on the status the page showed, so a problem turned into a
    working group meanwhile is never dismissed.
    """
    problem = get_object_or_404(
        CommonProblem, pk=problem_id, cohort__in=manageable_cohorts(programme, access)
    )
    dismiss = request.POST.get("action") != "restore"
    if not checkins.set_problem_dismissed(problem, dismiss):
        messages.info(request, _("This problem has changed meanwhile; nothing was done."))
    elif dismiss:
        audit.record(
            "progress.problem_dismiss", request=request, programme=programme, target=problem
        )
        messages.success(request, _("Problem dismissed."))
    else:
        audit.record(
            "progress.problem_restore", request=request, programme=programme, target=problem
        )
        messages.success(request, _("Problem restored."))
    return redirect(f"{_url('problems', programme)}?cohort={problem.cohort_id}")


@programme_view(manages_any_cohort)
def training(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Training needs named in check-ins, added up across groups."""
    cohorts = manageable_cohorts(programme, access)
    cohort = _chosen_cohort(request, cohorts)
    demand = checkins.training_demand(cohort) if cohort else []
    return render(
        request,
        "progress/training.html",
        {"programme": programme, "cohorts": cohorts, "cohort": cohort, "demand": demand},
    )


@require_http_methods(["GET", "POST"])
@programme_view(manages_any_cohort)
def working_group_new(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """A cross-group working group, from a common problem or by role across groups."""
    data = request.POST if request.method == "POST" else request.GET
    problem: CommonProblem | None = None
    if data.get("problem"):
        problem = get_object_or_404(
            CommonProblem, pk=data.get("problem"), cohort__programme=programme
        )
        cohort = problem.cohort
        if not access.manages_cohort(cohort.pk):
            raise Http404
    else:
        chosen = _chosen_cohort(request, manageable_cohorts(programme, access))
        if chosen is None:
            raise Http404
        cohort = chosen
    groups = checkins.current_groups(cohort)
    if "groups" in data:
        chosen_ids = [int(g) for g in data.getlist("groups") if g.isdigit()]
    else:
        chosen_ids = list(problem.group_ids) if problem else []
    role_term = data.get("role_term", "")
    people = checkins.candidates(cohort, chosen_ids, role_term)
    initial = {
        "name": problem.label[:200] if problem else "",
        "groups": chosen_ids,
        "role_term": role_term,
        "members": [p.pk for p in people],
    }
    form = WorkingGroupForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        groups=groups,
        people=people,
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = checkins.create_working_group(
                cohort=cohort,
                name=form.cleaned_data["name"].strip(),
                member_ids=[p.pk for p in form.cleaned_data["members"]],
                source_group_ids=[g.pk for g in form.cleaned_data["groups"]]
                or [g.pk for g in groups],
                problem=problem,
                role_term=form.cleaned_data["role_term"],
            )
        except checkins.WorkingGroupError as error:
            form.add_error(None, _working_group_message(error.code))
        else:
            audit.record(
                "progress.working_group_create",
                request=request,
                programme=programme,
                target=group,
                detail={
                    "problem": problem.pk if problem else None,
                    "members": group.members.count(),
                    "source_groups": [g.pk for g in form.cleaned_data["groups"]],
                },
            )
            messages.success(request, _("Working group created."))
            return redirect("programmes:group", slug=programme.slug, group_id=group.pk)
    return render(
        request,
        "progress/working_group_form.html",
        {
            "programme": programme,
            "cohort": cohort,
            "problem": problem,
            "form": form,
            "groups": groups,
            "chosen_ids": chosen_ids,
            "role_term": role_term,
            "quotes": checkins.quotes(problem.excerpts) if problem else [],
        },
    )


def _working_group_message(code: str) -> str:
    return {
        checkins.WorkingGroupError.NAME_TAKEN: _("A current group of this cohort has this name."),
        checkins.WorkingGroupError.NO_MEMBERS: _("Choose at least one member."),
        checkins.WorkingGroupError.ALREADY: _(
            "This problem has already been turned into a working group."
        ),
        checkins.WorkingGroupError.NOT_IN_COHORT: _(
            "Members must come from the chosen groups: show the people again and choose."
        ),
    }[code]


# ------------------------------------------------------------------ products


@require_http_methods(["GET", "POST"])
@programme_view()
def product_new(
    request: HttpRequest, programme: Programme, access: Access, group_id: int
) -> HttpResponse:
    group = _visible_group(request, programme, access, group_id)
    if not can_write_for(request.user, group):
        raise PermissionDenied
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.group = group
        form.instance.created_by = signed_in_person(request)
        product = form.save()
        messages.success(request, _("Product added. Upload a first version when you have one."))
        return redirect("progress:product", slug=programme.slug, product_id=product.pk)
    return render(
        request,
        "progress/product_form.html",
        {"programme": programme, "group": group, "form": form},
    )


def _product(request: HttpRequest, programme: Programme, access: Access, product_id: int):
    product = get_object_or_404(
        Product.objects.select_related("group__cohort"),
        pk=product_id,
        group__cohort__programme=programme,
    )
    person = signed_in_person(request)
    if not can_see_product(request.user, person, product, access, programme):
        raise Http404
    return product, person


@programme_view()
def product_detail(
    request: HttpRequest, programme: Programme, access: Access, product_id: int
) -> HttpResponse:
    product, person = _product(request, programme, access, product_id)
    group = product.group
    if (asked := _reason_first(request, programme, group, access)) is not None:
        return asked
    reads_group = can_see_progress(request.user, group, access, programme)
    member = can_write_for(request.user, group)
    manages = access.manages_cohort(group.cohort_id)
    own_review = product.reviews.filter(reviewer=person).first() if person else None
    versions = list(product.versions.select_related("author"))
    return render(
        request,
        "progress/product.html",
        {
            "programme": programme,
            "product": product,
            "group": group,
            "versions": versions if reads_group else versions[:1],
            "reads_group": reads_group,
            "member": member,
            "manages": manages,
            "moves": (states.moves_from(product.state, states.GROUP) if member else [])
            + (states.moves_from(product.state, states.FACILITATOR) if manages else []),
            "version_form": VersionForm() if member and product.state in states.EDITABLE else None,
            "reviews": _reviews_for_group(product) if reads_group else [],
            "names": manages,
            "own_review": own_review,
            "criteria": list(products.rubric_for(programme).criteria.all()),
        },
    )


def _reviews_for_group(product: Product) -> list[Review]:
    return list(product.reviews.filter(submitted_at__isnull=False).select_related("reviewer"))


@require_POST
@programme_view()
def version_new(
    request: HttpRequest, programme: Programme, access: Access, product_id: int
) -> HttpResponse:
    product, person = _product(request, programme, access, product_id)
    if not can_write_for(request.user, product.group):
        raise PermissionDenied
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            products.add_version(
                product,
                author=person,
                link=form.cleaned_data.get("link") or "",
                upload=products.Upload(upload.read(), upload.name) if upload else None,
                note=form.cleaned_data.get("note") or "",
            )
        except products.ProductError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("New version saved."))
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
    return redirect("progress:product", slug=programme.slug, product_id=product.pk)


@programme_view()
def version_file(
    request: HttpRequest, programme: Programme, access: Access, product_id: int, number: int
) -> HttpResponse:
    """The file of one version, always as a download (never shown inline)."""
    product, person = _product(request, programme, access, product_id)
    if (asked := _reason_first(request, programme, product.group, access)) is not None:
        return asked
    version = get_object_or_404(product.versions, number=number)
    if not version.filename:
        raise Http404
    reads_group = can_see_progress(request.user, product.group, access, programme)
    if not reads_group and version.number != product.versions.order_by("-number")[0].number:
        raise Http404  # reviewers read the version under review only
    response = HttpResponse(bytes(version.data), content_type=version.content_type)
    response["Content-Disposition"] = _attachment(version.filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "ignore").decode() or "product"
    ascii_name = ascii_name.replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@require_POST
@programme_view()
def product_move(
    request: HttpRequest, programme: Programme, access: Access, product_id: int
) -> HttpResponse:
    product, _person = _product(request, programme, access, product_id)
    name = request.POST.get("move", "")
    if can_write_for(request.user, product.group):
        by = states.GROUP
    elif access.manages_cohort(product.group.cohort_id):
        by = states.FACILITATOR
    else:
        raise PermissionDenied
    step = states.move_named(name)
    if step is None or step.by != by:
        raise PermissionDenied
    if products.move(product, name, by=by):
        audit.record(
            "progress.product_move",
            request=request,
            programme=programme,
            target=product,
            detail={"from": step.source, "to": step.target},
        )
        messages.success(request, _("Done."))
    elif step.target == states.SUBMITTED and not product.versions.exists():
        messages.error(request, _("Upload a file or give a link before submitting."))
    else:
        messages.error(request, _("The product had already moved on: here is where it stands now."))
    return redirect("progress:product", slug=programme.slug, product_id=product.pk)


@require_http_methods(["GET", "POST"])
@programme_view()
def reviewers(
    request: HttpRequest, programme: Programme, access: Access, product_id: int
) -> HttpResponse:
    """Assign reviewers: facilitators of the group's cohort; conflicts are refused."""
    product, _person = _product(request, programme, access, product_id)
    if not access.manages_cohort(product.group.cohort_id):
        raise PermissionDenied
    everyone = list(
        Person.objects.filter(memberships__programme=programme)
        .distinct()
        .select_related("organisation")
        .order_by("name", "pk")
    )
    form = AssignReviewerForm(request.POST or None, people=everyone)
    if request.method == "POST":
        chosen: list[Person] = []
        if request.POST.get("proposed"):
            chosen = products.propose_reviewers(product)
            if not chosen:
                messages.error(
                    request, _("No one else can review this product without a conflict.")
                )
        elif form.is_valid():
            chosen = [form.cleaned_data["reviewer"]]
        for person in chosen:
            try:
                review = products.assign_reviewer(product, person)
            except products.ProductError as error:
                form.add_error("reviewer", error.message)
                break
            audit.record(
                "progress.reviewer_assign",
                request=request,
                programme=programme,
                target=review,
                detail={"product": product.pk, "reviewer": person.pk},
            )
        else:
            if chosen:
                messages.success(request, _("Reviewer assigned."))
                return redirect("progress:reviewers", slug=programme.slug, product_id=product.pk)
    return render(
        request,
        "progress/reviewers.html",
        {
            "programme": programme,
            "product": product,
            "form": form,
            "assigned": product.reviews.select_related("reviewer__organisation"),
            "proposed": products.propose_reviewers(product),
        },
    )


@require_http_methods(["GET", "POST"])
@programme_view()
def review(
    request: HttpRequest, programme: Programme, access: Access, review_id: int
) -> HttpResponse:
    """The reviewer scores the product against the rubric and comments: the reviewer only."""
    found = get_object_or_404(
        Review.objects.select_related("product__group__cohort", "reviewer"),
        pk=review_id,
        product__group__cohort__programme=programme,
    )
    person = signed_in_person(request)
    if person is None or found.reviewer_id != person.pk:
        if can_see_product(request.user, person, found.product, access, programme):
            raise PermissionDenied
        raise Http404
    criteria = list(products.rubric_for(programme).criteria.all())
    initial = {f"score_{k}": v for k, v in found.scores.items()} | {"comments": found.comments}
    form = ReviewForm(request.POST or None, initial=initial, criteria=criteria)
    open_ = found.product.state in states.REVIEWABLE
    if request.method == "POST":
        if not open_:
            messages.error(request, _("The review of this product is closed."))
        elif form.is_valid():
            if products.submit_review(
                found, scores=form.scores(), comments=form.cleaned_data["comments"]
            ):
                messages.success(
                    request, _("Review sent. The group will read your scores and comments.")
                )
                return redirect("progress:my_reviews", slug=programme.slug)
            messages.error(request, _("The review of this product is closed."))
    return render(
        request,
        "progress/review.html",
        {
            "programme": programme,
            "review": found,
            "product": found.product,
            "latest": found.product.latest_version,
            "form": form,
            "open": open_,
        },
    )


@programme_view()
def my_reviews(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    person = signed_in_person(request)
    found = (
        Review.objects.filter(reviewer=person, product__group__cohort__programme=programme)
        .select_related("product__group")
        .order_by("submitted_at", "assigned_at")
        if person
        else Review.objects.none()
    )
    return render(request, "progress/my_reviews.html", {"programme": programme, "reviews": found})


# ------------------------------------------------------------------ rubric


@require_http_methods(["GET", "POST"])
@programme_view(manages_programme)
def rubric(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    current = products.rubric_for(programme)
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.rubric = current
        form.instance.position = current.criteria.count()
        form.save()
        messages.success(request, _("Criterion added."))
        return redirect("progress:rubric", slug=programme.slug)
    return render(
        request,
        "progress/rubric.html",
        {"programme": programme, "criteria": current.criteria.all(), "form": form},
    )


@require_POST
@programme_view(manages_programme)
def criterion_delete(
    request: HttpRequest, programme: Programme, access: Access, criterion_id: int
) -> HttpResponse:
    get_object_or_404(RubricCriterion, pk=criterion_id, rubric__programme=programme).delete()
    messages.success(
        request, _("Criterion removed; scores already given for it are kept but no longer shown.")
    )
    return redirect("progress:rubric", slug=programme.slug)

"""Pages for learning objectives and organisational outcomes (thin: rules in services/access)."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.objectives import access as rules_of
from peerlearn.objectives import rules, services
from peerlearn.objectives.forms import (
    ObjectiveForm,
    OutcomeForm,
    OutcomeReviewForm,
    RatingForm,
    ReviewForm,
    SettingsForm,
)
from peerlearn.objectives.models import (
    ACHIEVED_FROM,
    Authorisation,
    LearningObjective,
    OrganisationalOutcome,
)
from peerlearn.people.models import Organisation, Person, signed_in_person
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Group, Membership, Programme
from peerlearn.programmes.permissions import Access


def _my_groups(programme: Programme, me: Person) -> list[Group]:
    return list(
        Group.objects.filter(
            cohort__programme=programme, members=me, archived_at__isnull=True
        ).order_by("name")
    )


def _holders(me: Person, groups: list[Group]) -> list[tuple[str, str]]:
    return [("me", _("Me"))] + [
        (f"group:{g.pk}", _("My group: %(name)s") % {"name": g.name}) for g in groups
    ]


def _objective(programme: Programme, objective_id: int) -> LearningObjective:
    return get_object_or_404(
        LearningObjective.objects.select_related("person", "group__cohort", "programme"),
        pk=objective_id,
        programme=programme,
    )


def _readable(request: HttpRequest, access: Access, objective: LearningObjective) -> None:
    """404 for an objective the viewer may not read (its existence is private too)."""
    if not rules_of.reads_objectives_of(
        request.user, access, objective.programme, objective.person, objective.group
    ):
        raise Http404


def _decorate(objectives: list[LearningObjective], settings, today) -> list[LearningObjective]:
    for objective in objectives:
        objective.is_locked = services.locked(objective, settings, today)  # type: ignore[attr-defined]
    return objectives


@programme_view(rules_of.takes_part)
@require_http_methods(["GET", "POST"])
def my_objectives(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """A participant's own objectives and their groups', with a form to add one."""
    me = signed_in_person(request)
    if me is None:
        raise PermissionDenied
    groups = _my_groups(programme, me)
    settings = services.settings_for(programme)
    today = timezone.localdate()
    closed = rules.is_locked(None, settings.lock_on, today)
    form = ObjectiveForm(request.POST or None, holders=_holders(me, groups))
    if request.method == "POST":
        if closed:
            messages.error(request, services.lock_message(settings))
            return redirect("objectives:mine", slug=programme.slug)
        if form.is_valid():
            holder = form.cleaned_data["holder"]
            objective = form.save(commit=False)
            objective.programme = programme
            objective.created_by = me
            if holder == "me":
                objective.person = me
            else:
                objective.group = next(g for g in groups if f"group:{g.pk}" == holder)
            objective.save()
            messages.success(request, _("Objective saved."))
            return redirect("objectives:mine", slug=programme.slug)
    objectives = LearningObjective.objects.filter(programme=programme).select_related("group")
    mine = list(objectives.filter(person=me))
    group_rows = [(g, list(objectives.filter(group=g))) for g in groups]
    for _g, rows in group_rows:
        _decorate(rows, settings, today)
    authorisations = Authorisation.objects.filter(programme=programme).filter(
        Q(person=me) | Q(group__in=groups)
    )
    return render(
        request,
        "objectives/mine.html",
        {
            "programme": programme,
            "objectives": _decorate(mine, settings, today),
            "group_rows": group_rows,
            "form": None if closed else form,
            "settings": settings,
            "rating_open": services.rating_open(programme, settings, today),
            "rating_opens_on": rules.rating_opens_on(settings.rate_from, programme.end),
            "authorisations": authorisations.select_related("group"),
        },
    )


@programme_view()
@require_http_methods(["GET", "POST"])
def objective_edit(
    request: HttpRequest, programme: Programme, access: Access, objective_id: int
) -> HttpResponse:
    objective = _objective(programme, objective_id)
    _readable(request, access, objective)
    if not rules_of.writes_objectives_of(request.user, objective.person, objective.group):
        raise PermissionDenied
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        outcome = services.edit(objective.pk, {f: form.cleaned_data[f] for f in form.fields})
        if outcome.ok:
            messages.success(request, _("Objective saved."))
        else:
            messages.error(request, outcome.message)
        return redirect("objectives:mine", slug=programme.slug)
    return render(
        request,
        "objectives/edit.html",
        {"programme": programme, "objective": objective, "form": form},
    )


@programme_view()
@require_http_methods(["GET", "POST"])
def objective_rate(
    request: HttpRequest, programme: Programme, access: Access, objective_id: int
) -> HttpResponse:
    objective = _objective(programme, objective_id)
    _readable(request, access, objective)
    if not rules_of.writes_objectives_of(request.user, objective.person, objective.group):
        raise PermissionDenied
    settings = services.settings_for(programme)
    if not services.rating_open(programme, settings, timezone.localdate()):
        messages.error(request, services.rating_refusal(programme, settings))
        return redirect("objectives:mine", slug=programme.slug)
    form = RatingForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        outcome = services.rate(
            objective.pk,
            form.cleaned_data["achievement"],
            form.cleaned_data["achievement_evidence"],
        )
        if outcome.ok:
            messages.success(request, _("Thank you: your rating is saved."))
        else:
            messages.error(request, outcome.message)
        return redirect("objectives:mine", slug=programme.slug)
    return render(
        request,
        "objectives/rate.html",
        {"programme": programme, "objective": objective, "form": form},
    )


@require_POST
@programme_view()
def objective_review(
    request: HttpRequest, programme: Programme, access: Access, objective_id: int
) -> HttpResponse:
    objective = _objective(programme, objective_id)
    _readable(request, access, objective)
    if not rules_of.reviews_objectives_of(access, programme, objective.person, objective.group):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        objective.review_note = form.cleaned_data["review_note"]
        objective.reviewed_by = signed_in_person(request)
        objective.reviewed_at = timezone.now()
        objective.save(update_fields=["review_note", "reviewed_by", "reviewed_at", "updated_at"])
        messages.success(request, _("Review saved."))
    else:
        messages.error(request, _("Write a review before saving it."))
    return redirect("objectives:overview", slug=programme.slug)


def _participants(programme: Programme, access: Access) -> QuerySet[Person]:
    """The participants whose objectives this facilitator reads."""
    rows = Membership.objects.filter(programme=programme, role="participant")
    if not access.manages_programme:
        managed = [c.pk for c in programme.cohorts.all() if access.manages_cohort(c.pk)]
        rows = rows.filter(cohort_id__in=managed)
    return Person.objects.filter(pk__in=rows.values("person_id")).order_by("name")


@programme_view(lambda a: a.manages_any_cohort)
def objectives_overview(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Every participant's objectives for their facilitators, with who has none yet."""
    settings = services.settings_for(programme)
    today = timezone.localdate()
    people = list(_participants(programme, access))
    objectives = list(
        LearningObjective.objects.filter(programme=programme, person__in=people).select_related(
            "person"
        )
    )
    _decorate(objectives, settings, today)
    by_person: dict[int, list[LearningObjective]] = {}
    for objective in objectives:
        by_person.setdefault(objective.person_id or 0, []).append(objective)
    groups = [
        (g, _decorate(list(g.learning_objectives.all()), settings, today))
        for g in Group.objects.filter(cohort__programme=programme, archived_at__isnull=True)
        .select_related("cohort")
        .prefetch_related("learning_objectives")
        if access.manages_cohort(g.cohort_id)
    ]
    return render(
        request,
        "objectives/overview.html",
        {
            "programme": programme,
            "access": access,
            "rows": [(p, by_person.get(p.pk, [])) for p in people],
            "group_rows": groups,
            "missing": rules.of(sum(1 for p in people if p.pk not in by_person), len(people)),
            "settings": settings,
            "settings_form": SettingsForm(instance=settings),
            "locked_by_date": rules.is_locked(None, settings.lock_on, today),
            "review_form": ReviewForm(),
        },
    )


@require_POST
@programme_view(manages_programme)
def objectives_settings(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    settings = services.settings_for(programme)
    old = {"lock_on": str(settings.lock_on or ""), "rate_from": str(settings.rate_from or "")}
    form = SettingsForm(request.POST, instance=settings)
    if form.is_valid():
        saved = form.save()
        new = {"lock_on": str(saved.lock_on or ""), "rate_from": str(saved.rate_from or "")}
        audit.record(
            "objectives.settings",
            request=request,
            programme=programme,
            target=saved,
            detail={"old": old, "new": new},
        )
        messages.success(request, _("Dates saved."))
    else:
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Dates not saved.") + " " + errors)
    return redirect("objectives:overview", slug=programme.slug)


@require_POST
@programme_view(manages_programme)
def objectives_lock(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    count = services.lock_all(programme)
    audit.record(
        "objectives.lock",
        request=request,
        programme=programme,
        target=programme,
        detail={"locked": count},
    )
    if count:
        messages.success(
            request,
            _("%(count)d objectives locked. They can be rated at the end, no longer changed.")
            % {"count": count},
        )
    else:
        messages.info(request, _("Nothing to lock: every objective was already locked."))
    return redirect("objectives:overview", slug=programme.slug)


def k_threshold() -> int:
    return int(django_settings.PEERLEARN_MIN_RESPONDENTS)


def summary_of(programme: Programme) -> rules.ObjectivesSummary:
    rows = LearningObjective.objects.filter(programme=programme, person__isnull=False).values_list(
        "person_id", "achievement"
    )
    return rules.summarise(
        (rules.Rated(pid, a) for pid, a in rows), k=k_threshold(), achieved_from=ACHIEVED_FROM
    )


@programme_view(lambda a: a.reads_everything)
def objectives_summary(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Objectives set vs achieved over people, under the k rule; never one person's."""
    summary = summary_of(programme)
    context = {"programme": programme, "summary": summary, "k": k_threshold()}
    if not summary.suppressed:
        context.update(
            {
                "rated_of": rules.of(summary.rated or 0, summary.objectives or 0),
                "achieved_of": rules.of(summary.achieved or 0, summary.rated or 0),
            }
        )
    return render(request, "objectives/summary.html", context)


# ---------------------------------------------------------------- organisational outcomes


def _programme_organisations(programme: Programme) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        people__memberships__programme=programme, people__memberships__role="participant"
    ).distinct()


@programme_view()
@require_http_methods(["GET", "POST"])
def outcomes(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Anticipated organisational outcomes: all for facilitators and evaluators, one's own
    organisation's for its participants; facilitators and those participants add them."""
    me = signed_in_person(request)
    organisations = _programme_organisations(programme)
    if not access.reads_everything:
        if me is None or me.organisation_id is None or not rules_of.takes_part(access):
            raise PermissionDenied
        organisations = organisations.filter(pk=me.organisation_id)
    writes = access.manages_programme or rules_of.takes_part(access)
    form = OutcomeForm(request.POST or None, organisations=organisations) if writes else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            outcome = form.save(commit=False)
            outcome.programme = programme
            outcome.created_by = me
            outcome.save()
            messages.success(request, _("Outcome saved."))
            return redirect("objectives:outcomes", slug=programme.slug)
    rows = OrganisationalOutcome.objects.filter(
        programme=programme, organisation__in=organisations
    ).select_related("organisation")
    return render(
        request,
        "objectives/outcomes.html",
        {"programme": programme, "access": access, "outcomes": rows, "form": form},
    )


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def outcome_review(
    request: HttpRequest, programme: Programme, access: Access, outcome_id: int
) -> HttpResponse:
    outcome = get_object_or_404(OrganisationalOutcome, pk=outcome_id, programme=programme)
    form = OutcomeReviewForm(request.POST or None, instance=outcome)
    if request.method == "POST" and form.is_valid():
        reviewed = form.save(commit=False)
        reviewed.reviewed_at = timezone.now()
        reviewed.save()
        messages.success(request, _("Review saved."))
        return redirect(reverse("objectives:outcomes", args=[programme.slug]))
    return render(
        request,
        "objectives/outcome_review.html",
        {"programme": programme, "outcome": outcome, "form": form},
    )

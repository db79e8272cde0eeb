"""Experiment pages: list, new experiment, comparison, arms, outcomes, random assignment.

Facilitators of the programme set experiments up; they and the programme's
evaluators read the comparisons (aggregates only, k-suppressed per arm).
Every sentence about a result is worded here from the engine's keys.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerlearn.audit import events as audit
from peerlearn.engine import experiments as engine
from peerlearn.experiments import comparisons
from peerlearn.experiments.forms import ArmForm, AssignForm, ExperimentForm, OutcomeForm
from peerlearn.experiments.models import Arm, AssignedMember, Assignment, Experiment
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Cohort, Membership, Programme
from peerlearn.programmes.permissions import Access


def reads_experiments(access: Access) -> bool:
    """Facilitators of the programme and evaluators: the readers of aggregates."""
    return access.reads_everything


#: Plain-language cautions for the engine's flags (keys -> sentences).
CAUTIONS = {
    # promise: tests/experiments/test_published_table.py::test_the_comparison_page_reproduces_seed_001_experiment_4
    "small_arm": gettext_lazy(
        "Small numbers: at least one arm has fewer than %(small)d people or answers. "
        "A difference this size can easily come from chance; read it as a hint to "
        "look closer, not as a finding."
    ),
    "few_events": gettext_lazy(
        "Few yes or no answers in an arm: the interval is wide and one more answer "
        "could change the picture."
    ),
    "multiple_comparisons": gettext_lazy(
        "More than two arms: each is compared with the first one on its own, so one "
        "of several p-values may look small by chance."
    ),
    "no_variance": gettext_lazy(
        "Everyone in an arm gave the same answer, so no effect size can be computed."
    ),
}

ERRORS = {
    "empty_arm": gettext_lazy("The arm “%(arm)s” has no answers or results for this outcome."),
    "too_few_arms": gettext_lazy("An experiment needs at least two arms to compare."),
    # promise: tests/experiments/test_comparison_pages.py::test_an_anonymous_survey_cannot_be_split_by_person
    "anonymous_survey": gettext_lazy(
        "The survey is anonymous, so its answers cannot be linked to the people of the "
        "arm “%(arm)s”; only a survey's own participants and control group can be compared."
    ),
    "not_binary": gettext_lazy("The arm “%(arm)s” has answers that are not yes or no."),
    "not_numeric": gettext_lazy("The arm “%(arm)s” has answers that are not numbers."),
}


def cautions(result: comparisons.OutcomeResult) -> list[str]:
    return [
        str(CAUTIONS[flag]) % {"small": engine.SMALL_ARM}
        for flag in sorted(result.flags)
        if flag in CAUTIONS
    ]


def error_sentences(result: comparisons.OutcomeResult) -> list[str]:
    return [str(ERRORS[e.kind]) % {"arm": e.arm} for e in result.errors if e.kind in ERRORS]


def present(result: comparisons.OutcomeResult) -> dict[str, object]:
    """One outcome row ready for the template: shares and differences in percent."""
    scale = 1.0 if result.outcome.kind == "scale" else 100.0
    arms = []
    for figures in result.arms:
        s = figures.summary
        arms.append(
            {
                "name": figures.arm.name,
                "suppressed": figures.suppressed,
                "summary": s,
                "share": None if s is None or s.share is None else s.share * 100,
            }
        )
    contrasts = [
        {
            "contrast": c,
            "difference": c.difference * scale,
            "low": c.low * scale,
            "high": c.high * scale,
        }
        for c in (result.comparison.contrasts if result.comparison else [])
    ]
    return {
        "result": result,
        "outcome": result.outcome,
        "binary": result.outcome.kind == "binary",
        "arms": arms,
        "contrasts": contrasts,
        "cautions": cautions(result),
        "errors": error_sentences(result),
        "any_suppressed": any(f.suppressed for f in result.arms),
    }


def _experiment(programme: Programme, pk: int) -> Experiment:
    return get_object_or_404(Experiment, programme=programme, pk=pk)


@require_http_methods(["GET"])
@programme_view(reads_experiments)
def experiment_list(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    experiments = programme.experiments.prefetch_related("arms")
    return render(
        request,
        "experiments/list.html",
        {"programme": programme, "experiments": experiments, "manages": access.manages_programme},
    )


@require_http_methods(["GET", "POST"])
@programme_view(manages_programme)
def experiment_new(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = ExperimentForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        experiment = form.save(commit=False)
        experiment.programme = programme
        experiment.created_by = signed_in_person(request)
        with transaction.atomic():
            experiment.save()
            audit.record(
                "experiments.create", request=request, programme=programme, target=experiment
            )
        messages.success(request, _("Experiment created. Now add its arms."))
        return redirect("experiments:arm_new", slug=programme.slug, pk=experiment.pk)
    return render(
        request,
        "experiments/form.html",
        _form_context(programme, form, None, _("New experiment")),
    )


def _form_context(
    programme: Programme, form: object, experiment: Experiment | None, title: str
) -> dict[str, object]:
    return {"programme": programme, "form": form, "experiment": experiment, "title": title}


@require_http_methods(["GET"])
@programme_view(reads_experiments)
def experiment_detail(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    """The comparison: every outcome row with the arms side by side."""
    experiment = _experiment(programme, pk)
    arms = list(experiment.arms.all())
    rows = [present(result) for result in comparisons.compare_experiment(experiment)]
    return render(
        request,
        "experiments/detail.html",
        {
            "programme": programme,
            "experiment": experiment,
            "arms": [{"arm": arm, "members": comparisons.member_count(arm)} for arm in arms],
            "rows": rows,
            "assignments": experiment.assignments.select_related("cohort"),
            "manages": access.manages_programme,
        },
    )


@require_http_methods(["GET", "POST"])
@programme_view(manages_programme)
def arm_new(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    experiment = _experiment(programme, pk)
    form = ArmForm(request.POST or None, experiment=experiment)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            arm = form.save(commit=False)
            arm.experiment = experiment
            arm.position = experiment.arms.count()
            arm.save()
            form.save_m2m()
            audit.record("experiments.arm_add", request=request, programme=programme, target=arm)
        messages.success(request, _("Arm added."))
        return redirect("experiments:detail", slug=programme.slug, pk=experiment.pk)
    return render(
        request,
        "experiments/form.html",
        _form_context(programme, form, experiment, _("Add an arm")),
    )


@require_http_methods(["GET", "POST"])
@programme_view(manages_programme)
def outcome_new(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    experiment = _experiment(programme, pk)
    form = OutcomeForm(request.POST or None, experiment=experiment)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            outcome = form.save()
            audit.record(
                "experiments.outcome_add", request=request, programme=programme, target=outcome
            )
        messages.success(request, _("Outcome added to the comparison."))
        return redirect("experiments:detail", slug=programme.slug, pk=experiment.pk)
    return render(
        request,
        "experiments/form.html",
        _form_context(programme, form, experiment, _("Add an outcome to compare")),
    )


@require_http_methods(["GET", "POST"])
@programme_view(manages_programme)
def assign(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    """Deal a cohort's participants at random into the assigned arms, seed recorded."""
    experiment = _experiment(programme, pk)
    form = AssignForm(request.POST or None, experiment=experiment)
    if request.method == "POST" and form.is_valid():
        cohort = form.cleaned_data["cohort"]
        seed = form.cleaned_data["seed"]
        if seed is None:
            seed = secrets.randbelow(2**63)
        people = list(
            Membership.objects.filter(cohort=cohort, role="participant").values_list(
                "person_id", flat=True
            )
        )
        if not people:
            form.add_error("cohort", _("This cohort has no participants to assign."))
        else:
            try:
                _store_assignment(request, experiment, cohort, seed, people)
            except IntegrityError:
                # a second submit raced past the form's check: the unique
                # (experiment, cohort) constraint keeps the first draw only
                form.add_error("cohort", _("This cohort was already assigned in this experiment."))
                return render(
                    request,
                    "experiments/form.html",
                    _form_context(programme, form, experiment, _("Assign a cohort at random")),
                )
            messages.success(request, _("Assigned at random with seed %(seed)d.") % {"seed": seed})
            return redirect("experiments:detail", slug=programme.slug, pk=experiment.pk)
    return render(
        request,
        "experiments/form.html",
        _form_context(programme, form, experiment, _("Assign a cohort at random")),
    )


def _store_assignment(
    request: HttpRequest, experiment: Experiment, cohort: Cohort, seed: int, people: list[int]
) -> Assignment:
    arms = {
        str(arm.pk): arm for arm in Arm.objects.filter(experiment=experiment, source="assigned")
    }
    drawn = engine.assign_at_random(people, list(arms), seed)
    with transaction.atomic():
        assignment = Assignment.objects.create(
            experiment=experiment, cohort=cohort, seed=seed, created_by=signed_in_person(request)
        )
        AssignedMember.objects.bulk_create(
            AssignedMember(assignment=assignment, arm=arms[key], person_id=person)
            for person, key in sorted(drawn.items())
        )
        audit.record(
            "experiments.assign",
            request=request,
            programme=experiment.programme,
            target=assignment,
            detail={"seed": seed, "people": len(drawn), "cohort": cohort.pk},
        )
    return assignment

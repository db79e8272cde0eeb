"""A peer's own pages: their profile and their challenges in each programme."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peerlearn.accounts.models import signed_in_user
from peerlearn.intake.services import record_version
from peerlearn.people.fields import LanguagesField
from peerlearn.people.forms import ChallengeForm, ExpectationForm
from peerlearn.people.models import Challenge, LearningExpectation, Person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access, visible_programmes


class MyProfileForm(forms.ModelForm):
    """What peers may change about themselves (e-mail and organisation stay with facilitators)."""

    languages = LanguagesField()

    class Meta:
        model = Person
        fields = ["name", "role_title", "languages", "gender", "consent_to_contact"]


def _me(request: HttpRequest) -> Person | None:
    return (
        Person.objects.filter(user=signed_in_user(request)).select_related("organisation").first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_profile(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    form = MyProfileForm(request.POST or None, instance=person) if person else None
    if request.method == "POST" and form is not None and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("people:me")
    return render(
        request,
        "people/me.html",
        {"person": person, "form": form, "programmes": visible_programmes(request.user)},
    )


@programme_view()
@require_http_methods(["GET", "POST"])
def my_challenges(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    person = _me(request)
    if person is None:
        return redirect("people:me")
    challenges = Challenge.objects.filter(person=person, programme=programme)
    expectations = LearningExpectation.objects.filter(person=person, programme=programme)
    missing = max(programme.min_challenges - challenges.count(), 0)
    challenge_set = forms.modelformset_factory(
        Challenge, form=ChallengeForm, extra=max(missing, 1), can_delete=True, max_num=10
    )(request.POST or None, queryset=challenges, prefix="c")
    expectation_set = forms.modelformset_factory(
        LearningExpectation, form=ExpectationForm, extra=1, can_delete=True, max_num=10
    )(request.POST or None, queryset=expectations, prefix="e")
    if request.method == "POST" and challenge_set.is_valid() and expectation_set.is_valid():
        with transaction.atomic():
            _save_numbered(challenge_set, person, programme)
            _save_numbered(expectation_set, person, programme)
            # Same history as answers given through an intake link.
            record_version(person, programme, entered_by=person)
        messages.success(request, _("Your challenges are saved."))
        return redirect("people:my_challenges", slug=programme.slug)
    return render(
        request,
        "people/my_challenges.html",
        {
            "programme": programme,
            "challenge_set": challenge_set,
            "expectation_set": expectation_set,
            "asked": programme.min_challenges,
            "given": challenges.count(),
        },
    )


def _save_numbered(formset, person: Person, programme: Programme) -> None:
    """Save non-empty forms and renumber positions 1..n in display order."""
    items = formset.save(commit=False)
    for obj in formset.deleted_objects:
        obj.delete()
    for item in items:
        if item.pk is None:
            item.position = 1000  # new entries go after the existing ones
        item.person = person
        item.programme = programme
        item.save()
    model = formset.model
    kept = model.objects.filter(person=person, programme=programme).order_by("position", "pk")
    for position, item in enumerate(kept, start=1):
        if item.position != position:
            model.objects.filter(pk=item.pk).update(position=position)

"""A peer's own pages: their profile and their challenges in each programme."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peerlearn.accounts.models import signed_in_user
from peerlearn.intake.answers import Answers, Entry, write_answers
from peerlearn.intake.models import Challenge, LearningExpectation
from peerlearn.people.fields import LanguagesField
from peerlearn.people.models import Person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access, visible_programmes
from peerlearn.roster.forms import ChallengeForm, ExpectationForm


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
        # Through the one writer: the same history as answers given through an intake link.
        write_answers(
            programme,
            {person.pk: _answers(challenge_set, expectation_set)},
            entered_by=person,
            on_behalf=False,
            answered=True,
            always_version=True,
        )
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


def _kept_forms(formset: forms.BaseModelFormSet) -> list[forms.ModelForm]:
    """The forms that hold an answer, in display order (stored ones first, then new ones)."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data.get("text") and not form.cleaned_data.get("DELETE")
    ]


def _answers(
    challenge_set: forms.BaseModelFormSet, expectation_set: forms.BaseModelFormSet
) -> Answers:
    """The page's answers, renumbered 1..n in display order."""
    challenges = {
        position: Entry(form.cleaned_data["text"], tuple(form.cleaned_data.get("tags") or ()))
        for position, form in enumerate(_kept_forms(challenge_set), start=1)
    }
    expectations = {
        position: form.cleaned_data["text"]
        for position, form in enumerate(_kept_forms(expectation_set), start=1)
    }
    return Answers(challenges, expectations)

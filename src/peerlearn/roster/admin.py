"""People in the admin: their details under the stewardship rules, and their
challenges and expectations written through the intake's versioning writer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peerlearn.accounts.models import signed_in_user
from peerlearn.intake.answers import Answers, Entry, write_answers
from peerlearn.intake.models import Challenge, LearningExpectation
from peerlearn.people.models import Person
from peerlearn.programmes.models import Programme
from peerlearn.roster.forms import PERSON_FIELDS
from peerlearn.roster.stewardship import email_taken_by_another_account


class AnswerInlineFormSet(BaseInlineFormSet):
    """Challenges or expectations of one person: each belongs to a programme, one per position.

    They are saved by :meth:`PersonAdmin.save_related` through the versioning
    writer, which keys rows by (programme, position): two at one position
    would silently become one, so the form refuses them.
    """

    def clean(self) -> None:
        super().clean()
        seen: set[tuple[int, int]] = set()
        for form in _answer_forms(self):
            key = (form.cleaned_data["programme"].pk, form.cleaned_data["position"])
            if key in seen:
                raise forms.ValidationError(
                    _("Two entries of one programme share position %(position)d.")
                    % {"position": key[1]}
                )
            seen.add(key)


class ChallengeInline(admin.TabularInline):
    model = Challenge
    formset = AnswerInlineFormSet
    fields = ["programme", "position", "text", "tags"]
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["programme"].required = True  # versions belong to a programme
        return formset


class ExpectationInline(ChallengeInline):
    model = LearningExpectation  # type: ignore[assignment]  # same form rules, other model
    fields = ["programme", "position", "text"]


def _answer_forms(formset: Any) -> list[Any]:
    """The inline forms that hold an entry after the save (not deleted, not blank extras)."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and (form.instance.pk is not None or form.has_changed())
    ]


def _programmes_touched(formsets: list[Any]) -> set[int]:
    """Programmes whose entries the admin may have changed: before and after the edit."""
    touched: set[int] = set()
    for formset in formsets:
        for form in formset.forms:
            if form.instance.pk is not None and form.instance.programme_id:
                touched.add(form.instance.programme_id)
            if form.cleaned_data.get("programme"):
                touched.add(form.cleaned_data["programme"].pk)
    return touched


def _admin_answers(formsets: list[Any], programme_id: int) -> Answers:
    """One programme's entries as the admin's forms now list them (the others are deleted)."""
    challenges: dict[int, Entry] = {}
    expectations: dict[int, str] = {}
    for formset in formsets:
        for form in _answer_forms(formset):
            data = form.cleaned_data
            if data["programme"].pk != programme_id:
                continue
            if formset.model is Challenge:
                challenges[data["position"]] = Entry(data["text"], tuple(data.get("tags") or ()))
            else:
                expectations[data["position"]] = data["text"]
    return Answers(challenges, expectations)


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [*PERSON_FIELDS, "invited_at"]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if email_taken_by_another_account(self.instance, email):
            # Else the first invitation would attach the person to that account.
            raise forms.ValidationError(_("Another account already has this e-mail."))
        return email


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Which account a person signs in with is never chosen here; the address of
    someone who has an account moves only with the account (programme page for
    unused accounts, the account admin for superusers)."""

    form = PersonAdminForm

    list_display = [
        "name",
        "email",
        "organisation",
        "country",
        "seniority",
        "is_external",
        "is_alumni",
    ]
    list_filter = ["seniority", "is_external", "is_alumni", "country"]
    search_fields = ["name", "email", "organisation__name"]
    inlines = [ChallengeInline, ExpectationInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = [*super().get_readonly_fields(request, obj), "user"]
        if obj is not None and obj.user_id is not None:
            readonly.append("email")
        return readonly

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Challenges and expectations go through the versioning writer, never straight in."""
        answer_sets = [f for f in formsets if f.model in (Challenge, LearningExpectation)]
        others = [f for f in formsets if f not in answer_sets]
        super().save_related(request, form, others, change)
        person = form.instance
        entered_by = Person.objects.filter(user=signed_in_user(request)).first()
        for formset in answer_sets:
            # The admin's change message reads these; the version keeps the detail.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for programme in Programme.objects.filter(pk__in=_programmes_touched(answer_sets)):
            write_answers(
                programme,
                {person.pk: _admin_answers(answer_sets, programme.pk)},
                entered_by=entered_by,
                on_behalf=entered_by is None or entered_by.pk != person.pk,
            )

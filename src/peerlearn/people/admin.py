from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peerlearn.people.models import Challenge, LearningExpectation, Organisation, Person
from peerlearn.people.stewardship import email_taken_by_another_account


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


class ChallengeInline(admin.TabularInline):
    model = Challenge
    extra = 0


class ExpectationInline(admin.TabularInline):
    model = LearningExpectation
    extra = 0


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "email",
            "organisation",
            "country",
            "role_title",
            "seniority",
            "languages",
            "gender",
            "is_external",
            "is_alumni",
            "consent_to_contact",
            "invited_at",
        ]

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

from django.contrib import admin

from peerlearn.people.models import Challenge, LearningExpectation, Organisation, Person


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


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
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
    raw_id_fields = ["user"]
    inlines = [ChallengeInline, ExpectationInline]

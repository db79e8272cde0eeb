"""The network's organisations in the admin (people are in ``roster/admin.py``,
where their challenges and the stewardship rules are)."""

from django.contrib import admin

from peerlearn.people.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]

from django.contrib import admin

from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "start", "end"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CohortInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "programme", "cohort", "role"]
    list_filter = ["role", "programme"]
    raw_id_fields = ["person"]
    search_fields = ["person__name", "person__email"]


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "source_run", "archived_at"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["source_run"]
    inlines = [GroupMemberInline]

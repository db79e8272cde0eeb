"""The groups' progress board of a cohort, and the programme's switch for it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerlearn import audit
from peerlearn.accounts.models import signed_in_user
from peerlearn.objectives.board import METRICS, board_rows
from peerlearn.objectives.models import BoardSettings
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Cohort, Group, GroupMember, Programme
from peerlearn.programmes.permissions import Access


class BoardSettingsForm(forms.ModelForm):
    class Meta:
        model = BoardSettings
        fields = ["enabled", "ranks"]


def board_settings_for(programme: Programme) -> BoardSettings:
    found = BoardSettings.objects.filter(programme=programme).first()
    return found or BoardSettings(programme=programme)


def _reads_board(access: Access, cohort: Cohort) -> bool:
    """The cohort's people and facilitators, and evaluators; not observers or other cohorts."""
    return (
        access.manages_cohort(cohort.pk)
        or "evaluator" in access.programme_roles
        or bool(access.cohort_roles.get(cohort.pk))
    )


@require_GET
@programme_view()
def progress_board(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int
) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=cohort_id, programme=programme)
    if not _reads_board(access, cohort):
        raise Http404
    settings = board_settings_for(programme)
    manages = access.manages_cohort(cohort.pk)
    rows = []
    if settings.enabled or manages:
        groups = list(Group.objects.filter(cohort=cohort, archived_at__isnull=True))
        own = set(
            GroupMember.objects.filter(
                group__in=groups, person__user=signed_in_user(request)
            ).values_list("group_id", flat=True)
        )
        rows = board_rows(groups, settings.ranks, own, sees_all=manages or access.superuser)
    return render(
        request,
        "objectives/board.html",
        {
            "programme": programme,
            "cohort": cohort,
            "settings": settings,
            "rows": rows,
            "metrics": METRICS,
            "show_ranks": settings.ranks != "none",
            "form": BoardSettingsForm(instance=settings) if access.manages_programme else None,
        },
    )


@require_POST
@programme_view(manages_programme)
def board_settings(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int
) -> HttpResponse:
    settings = board_settings_for(programme)
    old = {"enabled": settings.enabled, "ranks": settings.ranks}
    form = BoardSettingsForm(request.POST, instance=settings)
    if form.is_valid():
        saved = form.save()
        audit.record(
            "board.settings",
            request=request,
            programme=programme,
            target=saved,
            detail={"old": old, "new": {"enabled": saved.enabled, "ranks": saved.ranks}},
        )
        messages.success(request, _("Board settings saved."))
    else:
        messages.error(request, _("Choose how ranks are shown."))
    return redirect("objectives:board", slug=programme.slug, cohort_id=cohort_id)

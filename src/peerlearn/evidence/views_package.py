"""The data package pages: ask for a build, watch its progress, download the zip.

Facilitators of the programme and evaluators ask for a package of the whole
programme, a facilitator of some cohorts for a package of those cohorts
(:func:`asks_for_package`, :func:`package_scope`); the build runs in the
background (:mod:`peerlearn.evidence.tasks`) with the requester's rights at
the time it runs.
A build and its zip are visible to their requester only: anyone else gets 404,
as if it did not exist, since the zip holds what *that* reader may read.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.evidence import builds
from peerlearn.evidence.datapackage import scope_names
from peerlearn.evidence.models import PackageBuild
from peerlearn.evidence.tasks import build_package
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.package_scope import asks_for_package, scope_of
from peerlearn.programmes.permissions import Access

REFRESH_SECONDS = 3


def _own_build(request: HttpRequest, programme: Programme, pk: int) -> PackageBuild:
    build = get_object_or_404(PackageBuild, pk=pk, programme=programme)
    if build.requested_by_id != request.user.pk:
        raise Http404
    return build


@require_http_methods(["GET"])
@programme_view(asks_for_package)
def package(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    mine = PackageBuild.objects.filter(programme=programme, requested_by_id=request.user.pk).defer(
        "archive"
    )[:10]
    active = builds.active_build(programme)
    scope = scope_of(programme, access)
    return render(
        request,
        "evidence/package.html",
        {
            "programme": programme,
            "builds": mine,
            "active": active,
            "cohorts": scope_names(scope) if scope is not None else [],
            "refresh": REFRESH_SECONDS if active is not None else None,
        },
    )


@require_POST
@programme_view(asks_for_package)
def package_start(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    try:
        build = builds.start(programme, request.user)  # type: ignore[arg-type]
    except builds.AlreadyBuilding as busy:
        mine = busy.build is not None and busy.build.requested_by_id == request.user.pk
        messages.warning(
            request,
            _("Your package is still being built; it will be listed here when it is ready.")
            if mine
            else _(
                "Another package of this programme is being built. Please wait until it is "
                "finished, then ask again."
            ),
        )
        return redirect("evidence:package", slug=programme.slug)
    scope = scope_of(programme, access)
    cohorts = sorted(scope.cohorts) if scope is not None and scope.cohorts is not None else None
    audit.record(
        "evidence.package_build",
        request=request,
        programme=programme,
        target=build,
        detail={"cohorts": cohorts} if cohorts is not None else None,
    )
    build_package.enqueue(build.pk)
    return redirect("evidence:package_status", slug=programme.slug, pk=build.pk)


@require_http_methods(["GET"])
@programme_view(asks_for_package)
def package_status(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    build = _own_build(request, programme, pk)
    return render(
        request,
        "evidence/package_status.html",
        {
            "programme": programme,
            "build": build,
            "refresh": REFRESH_SECONDS if build.active else None,
        },
    )


@require_http_methods(["GET"])
@programme_view(asks_for_package)
def package_download(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    build = _own_build(request, programme, pk)
    if build.status != "done":
        raise Http404
    audit.record("evidence.package_download", request=request, programme=programme, target=build)
    stamp = build.created_at.strftime("%Y%m%d-%H%M")
    response = HttpResponse(bytes(build.archive), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{programme.slug}-data-package-{stamp}.zip"'
    )
    response["Cache-Control"] = "no-store, private"
    return response

"""Start, run and read background package builds (:class:`PackageBuild`).

``start`` refuses a second build of a programme while one is queued or
running (the database constraint decides, so two clicks at once cannot both
start one); a build left ``running`` for longer than :data:`STALE_AFTER`
(a worker that died) is marked failed so the programme is not stuck.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerlearn.accounts.models import User
from peerlearn.evidence.datapackage import build_package, zip_directory
from peerlearn.evidence.models import ACTIVE, PackageBuild
from peerlearn.programmes.models import Programme

STALE_AFTER = timedelta(hours=2)
logger = logging.getLogger(__name__)


class AlreadyBuilding(Exception):
    def __init__(self, build: PackageBuild | None) -> None:
        super().__init__("a package of this programme is being built")
        self.build = build


def active_build(programme: Programme) -> PackageBuild | None:
    return PackageBuild.objects.filter(programme=programme, status__in=ACTIVE).first()


def _expire_stale(programme: Programme) -> None:
    PackageBuild.objects.filter(
        programme=programme, status__in=ACTIVE, created_at__lt=timezone.now() - STALE_AFTER
    ).update(status="failed", error="stale", finished_at=timezone.now())


def start(programme: Programme, user: User) -> PackageBuild:
    """A new queued build, or :class:`AlreadyBuilding`."""
    _expire_stale(programme)
    try:
        with transaction.atomic():
            return PackageBuild.objects.create(programme=programme, requested_by=user)
    except IntegrityError:
        raise AlreadyBuilding(active_build(programme)) from None


def _progress(build_id: int):
    def report(done: int, total: int) -> None:
        percent = min(99, int(100 * done / max(total, 1)))
        PackageBuild.objects.filter(pk=build_id).update(progress=percent)

    return report


def execute(build_id: int) -> None:
    """Build the package as its requester may read it, zip it, keep the zip."""
    build = PackageBuild.objects.select_related("programme", "requested_by").get(pk=build_id)
    if build.status != "queued":
        return
    PackageBuild.objects.filter(pk=build_id).update(status="running")
    work = Path(tempfile.mkdtemp(prefix="peerlearn-build-"))
    try:
        summary = build_package(
            build.programme, build.requested_by, work / "package", _progress(build_id)
        )
        archive = zip_directory(summary.directory, work / "package.zip")
        data = archive.read_bytes()
        PackageBuild.objects.filter(pk=build_id).update(
            status="done",
            progress=100,
            archive=data,
            archive_size=len(data),
            summary={r.name: r.rows for r in summary.resources if r.rows is not None},
            finished_at=timezone.now(),
        )
    except Exception as error:  # noqa: BLE001 - any failure ends as a failed build, never stuck
        logger.exception("data package %s failed", build_id)
        PackageBuild.objects.filter(pk=build_id).update(
            status="failed", error=type(error).__name__, finished_at=timezone.now()
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

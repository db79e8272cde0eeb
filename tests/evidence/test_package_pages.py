"""The data package button: a background build, its progress, a zip for its requester only."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pandas as pd
from django.urls import reverse
from django.utils import timezone

from peerlearn.audit.models import AuditEvent
from peerlearn.evidence import builds
from peerlearn.evidence.models import PackageBuild
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership


def package_url(world, name="package", *args):
    return reverse(f"evidence:{name}", args=[world.programme.slug, *args])


def test_button_builds_a_zip_the_requester_downloads(full_world, login):
    world = full_world
    client = login(world.users["evaluator"])
    page = client.get(reverse("programmes:detail", args=[world.programme.slug]))
    assert package_url(world) in page.content.decode()
    response = client.post(package_url(world, "package_start"))
    build = PackageBuild.objects.get()
    assert response["Location"] == package_url(world, "package_status", build.pk)
    assert build.status == "done" and build.progress == 100  # immediate backend in tests
    status = client.get(response["Location"]).content.decode()
    download = package_url(world, "package_download", build.pk)
    assert download in status
    zipped = client.get(download)
    assert zipped["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    assert "datapackage.json" in archive.namelist() and "README.md" in archive.namelist()
    people = pd.read_csv(archive.open("data/people.csv"))
    members = Person.objects.filter(memberships__programme=world.programme).distinct().count()
    assert len(people) == members == build.summary["people"]
    assert "Secret of group A" not in b"".join(archive.read(n) for n in archive.namelist()).decode(
        "utf-8", "replace"
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"evidence.package_build", "evidence.package_download"} <= actions


def test_only_the_requester_sees_and_downloads_a_build(full_world, login):
    world = full_world
    login(world.users["facilitator"]).post(package_url(world, "package_start"))
    build = PackageBuild.objects.get()
    evaluator = login(world.users["evaluator"])
    listing = evaluator.get(package_url(world)).content.decode()
    assert package_url(world, "package_download", build.pk) not in listing
    assert evaluator.get(package_url(world, "package_download", build.pk)).status_code == 404
    assert evaluator.get(package_url(world, "package_status", build.pk)).status_code == 404


def test_a_second_request_while_one_is_building_says_so(world, login):
    PackageBuild.objects.create(
        programme=world.programme, requested_by=world.users["evaluator"], status="running"
    )
    client = login(world.users["facilitator"])
    response = client.post(package_url(world, "package_start"), follow=True)
    assert "Another package of this programme is being built" in response.content.decode()
    assert PackageBuild.objects.count() == 1
    mine = login(world.users["evaluator"]).post(package_url(world, "package_start"), follow=True)
    assert "Your package is still being built" in mine.content.decode()
    page = login(world.users["evaluator"]).get(package_url(world)).content.decode()
    assert "is being built" in page and 'http-equiv="refresh"' in page


def test_a_stale_build_does_not_block_the_programme(world):
    stuck = PackageBuild.objects.create(
        programme=world.programme, requested_by=world.users["evaluator"], status="running"
    )
    PackageBuild.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - builds.STALE_AFTER - timedelta(minutes=1)
    )
    fresh = builds.start(world.programme, world.users["facilitator"])
    stuck.refresh_from_db()
    assert stuck.status == "failed" and fresh.status == "queued"


def test_a_build_whose_requester_lost_the_role_fails_cleanly(world, login):
    build = PackageBuild.objects.create(
        programme=world.programme, requested_by=world.users["evaluator"]
    )
    Membership.objects.filter(person=world.people["evaluator"]).update(role="observer")
    builds.execute(build.pk)
    build.refresh_from_db()
    assert build.status == "failed" and build.archive_size == 0 and build.error == "NotAllowed"
    Membership.objects.filter(person=world.people["evaluator"]).update(role="evaluator")
    page = login(world.users["evaluator"]).get(package_url(world, "package_status", build.pk))
    assert "could not be built" in page.content.decode()

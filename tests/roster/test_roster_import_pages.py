"""Importing a roster through the pages: preview, confirm, all-or-nothing, round trip."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from peerlearn.intake.models import Challenge
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Membership
from peerlearn.roster.models import RosterUpload

HEADER = [
    "email",
    "name",
    "organisation",
    "country",
    "seniority",
    "cohort",
    "challenge_1",
    "challenge_1_tags",
    "challenge_2",
    "expectation_1",
]


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


GOOD_ROWS = [
    [
        "amina@finance.example",
        "Amina Diallo",
        "Ministère des Finances",
        "Senegal",
        "senior",
        "Ten-day event",
        "Building a reform team",
        "teams|people",
        "Getting other ministries on board",
        "Learn from peers",
    ],
    [
        "oleh@city.example",
        "Олег Шевченко",
        "Kyiv City Council",
        "UA",
        "middle",
        "",
        "Creating a new agency",
        "",
        "",
        "",
    ],
    [
        "fang@tax.example",
        "王芳",
        "Ministry of Finance",
        "CN",
        "technical",
        "ten-day EVENT",
        "Tax administration reform",
        "tax",
        "",
        "",
    ],
]


def upload(client, world, data, filename="roster.csv"):
    file = io.BytesIO(data)
    file.name = filename
    return client.post(reverse("people:import", args=[world.programme.slug]), {"file": file})


def confirm(client, response):
    return client.post(response["Location"])


@pytest.fixture
def facilitator(world, login):
    return login(world.users["facilitator"])


def snapshot(world):
    people = (
        Person.objects.filter(memberships__programme=world.programme).distinct().order_by("email")
    )
    return [
        (
            p.email,
            p.name,
            p.organisation_id,
            p.country,
            p.seniority,
            tuple(p.languages),
            p.is_external,
            tuple(
                (c.position, c.text, tuple(c.tags))
                for c in p.challenges.filter(programme=world.programme)
            ),
        )
        for p in people
    ]


def test_preview_then_confirm_imports_everyone(world, facilitator):
    before = Person.objects.count()
    response = upload(facilitator, world, csv_bytes(GOOD_ROWS))
    assert response.status_code == 302
    preview = facilitator.get(response["Location"])
    body = preview.content.decode()
    assert "3 new people" in body
    assert "Kyiv City Council" in body  # organisation to be created
    assert Person.objects.count() == before, "the preview writes nothing"
    done = confirm(facilitator, response)
    assert done.status_code == 302
    assert Person.objects.count() == before + 3
    amina = Person.objects.get(email="amina@finance.example")
    assert amina.country == "SN"
    assert Membership.objects.filter(person=amina, cohort=world.event, role="participant").exists()
    assert list(amina.challenges.values_list("text", flat=True)) == [
        "Building a reform team",
        "Getting other ministries on board",
    ]
    assert amina.challenges.first().tags == ["teams", "people"]
    assert Organisation.objects.filter(name="Kyiv City Council").exists()


def test_reimporting_the_same_file_updates_without_duplicates(world, facilitator):
    confirm(facilitator, upload(facilitator, world, csv_bytes(GOOD_ROWS)))
    counts = (
        Person.objects.count(),
        Challenge.objects.count(),
        Membership.objects.count(),
        Organisation.objects.count(),
    )
    changed = [row[:] for row in GOOD_ROWS]
    changed[0][1] = "Amina Diallo-Ba"
    response = upload(facilitator, world, csv_bytes(changed))
    assert "3 already known" in facilitator.get(response["Location"]).content.decode()
    confirm(facilitator, response)
    assert (
        Person.objects.count(),
        Challenge.objects.count(),
        Membership.objects.count(),
        Organisation.objects.count(),
    ) == counts
    assert Person.objects.get(email="amina@finance.example").name == "Amina Diallo-Ba"


def test_a_file_with_problems_lists_them_and_writes_nothing(world, facilitator):
    rows = [row[:] for row in GOOD_ROWS]
    rows[1][0] = "not-an-email"
    rows[2][3] = "Atlantis"
    before = Person.objects.count()
    response = upload(facilitator, world, csv_bytes(rows))
    page = facilitator.get(response["Location"]).content.decode()
    assert "2 problems to fix" in page
    assert "Atlantis" in page and "not-an-email" in page
    refused = facilitator.post(response["Location"])
    assert refused.status_code == 200
    assert Person.objects.count() == before
    assert not Organisation.objects.filter(name="Kyiv City Council").exists()


def test_confirming_twice_imports_once(world, facilitator):
    response = upload(facilitator, world, csv_bytes(GOOD_ROWS))
    confirm(facilitator, response)
    again = facilitator.post(response["Location"], follow=True)
    assert "already been imported" in again.content.decode()
    assert Person.objects.filter(email="amina@finance.example").count() == 1
    assert RosterUpload.objects.get().data in (b"", memoryview(b""))


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"%PDF-1.4 fake", "roster.csv", "PDF"),
        (b"", "roster.csv", "empty"),
        (b"email,name\n", "roster.csv", "no people"),
        (b"full_name,phone\nA,1\n", "roster.csv", "email"),
    ],
    ids=["pdf", "empty", "header-only", "missing-columns"],
)
def test_unreadable_files_get_a_clear_message_and_no_write(
    world, facilitator, data, filename, message
):
    before = Person.objects.count()
    response = upload(facilitator, world, data, filename)
    if response.status_code == 302:
        response = facilitator.get(response["Location"])
    assert response.status_code in (200, 400)
    assert message.lower() in response.content.decode().lower()
    assert Person.objects.count() == before
    assert not RosterUpload.objects.exclude(applied_at=None).exists()


def test_a_file_over_the_size_limit_is_refused(world, facilitator, settings):
    settings.ROSTER_MAX_BYTES = 2048
    data = csv_bytes(
        [[f"p{i}@example.org", "x" * 40] for i in range(100)], header=["email", "name"]
    )
    response = upload(facilitator, world, data)
    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert not RosterUpload.objects.exists()


def test_latin1_csv_keeps_its_accents(world, facilitator):
    data = csv_bytes(
        [["jose@example.org", "José Pérez Müller"]], header=["email", "name"], encoding="latin-1"
    )
    confirm(facilitator, upload(facilitator, world, data))
    assert Person.objects.get(email="jose@example.org").name == "José Pérez Müller"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_reimport_round_trips(world, facilitator, fmt):
    confirm(facilitator, upload(facilitator, world, csv_bytes(GOOD_ROWS)))
    before = snapshot(world)
    exported = facilitator.get(reverse("people:export", args=[world.programme.slug, fmt]))
    assert exported.status_code == 200
    response = upload(facilitator, world, exported.content, f"export.{fmt}")
    preview = facilitator.get(response["Location"]).content.decode()
    assert "0 new people" in preview
    confirm(facilitator, response)
    assert snapshot(world) == before


def test_non_latin_names_survive_import_display_and_export(world, facilitator):
    confirm(facilitator, upload(facilitator, world, csv_bytes(GOOD_ROWS)))
    page = facilitator.get(reverse("people:list", args=[world.programme.slug])).content.decode()
    assert "Олег Шевченко" in page and "王芳" in page
    exported = facilitator.get(reverse("people:export", args=[world.programme.slug, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"Олег Шевченко", "王芳", "Amina Diallo"} <= names


def test_export_neutralises_formulas(world, facilitator):
    person = world.people["participant"]
    person.role_title = '=HYPERLINK("http://evil")'
    person.save()
    exported = facilitator.get(reverse("people:export", args=[world.programme.slug, "csv"]))
    text = exported.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_templates_download(world, facilitator):
    csv_template = facilitator.get(reverse("people:template", args=[world.programme.slug, "csv"]))
    assert csv_template.content.decode("utf-8-sig").startswith("email,name")
    xlsx = facilitator.get(reverse("people:template", args=[world.programme.slug, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.active.cell(1, 1).value == "email"

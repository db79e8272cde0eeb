"""The `peerlearn` command line: demo, import, export, backup and restore."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from peerlearn.cli import main
from peerlearn.intake.models import Challenge
from peerlearn.people.models import Person
from peerlearn.programmes.models import Group, Membership, Programme

pytestmark = pytest.mark.django_db(transaction=True)


def run(*argv: str) -> int:
    return main(list(argv))


def test_demo_loads_the_network_and_is_idempotent(capsys):
    assert run("demo") == 0
    out = capsys.readouterr().out
    assert "facilitator@peerlearn.example" in out
    programme = Programme.objects.get()
    counts = (
        Person.objects.count(),
        Challenge.objects.count(),
        Membership.objects.count(),
        Group.objects.count(),
    )
    event, in_country = programme.cohorts.order_by("start")
    assert event.memberships.filter(role="participant").count() == 55
    countries = set(
        Person.objects.filter(memberships__cohort=event).values_list("country", flat=True)
    )
    assert len(countries) > 30
    assert in_country.memberships.filter(role="participant").count() == 25
    assert in_country.groups.count() == 5
    assert all(g.members.count() == 5 for g in in_country.groups.all())
    assert run("demo") == 0
    assert (
        Person.objects.count(),
        Challenge.objects.count(),
        Membership.objects.count(),
        Group.objects.count(),
    ) == counts


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "country", "challenge_1"])
        writer.writerows(rows)


def test_import_dry_run_then_import_then_export(tmp_path, capsys):
    Programme.objects.create(name="Network", slug="network")
    roster = tmp_path / "roster.csv"
    write_csv(
        roster, [["a@example.org", "Ana", "PE", "Teams"], ["b@example.org", "Bo", "SE", "Budget"]]
    )
    assert run("import", str(roster), "--programme", "network", "--dry-run") == 0
    assert Person.objects.count() == 0
    assert run("import", str(roster), "--programme", "network") == 0
    assert Person.objects.count() == 2
    out = tmp_path / "export.xlsx"
    assert run("export", "--programme", "network", "--out", str(out)) == 0
    assert out.stat().st_size > 0
    capsys.readouterr()
    assert run("import", str(out), "--programme", "network") == 0
    assert "0 created, 2 updated" in capsys.readouterr().out


def test_import_with_problems_exits_non_zero_and_names_rows(tmp_path, capsys):
    Programme.objects.create(name="Network", slug="network")
    roster = tmp_path / "roster.csv"
    write_csv(roster, [["a@example.org", "Ana", "PE", ""], ["broken", "Bo", "Narnia", ""]])
    assert run("import", str(roster), "--programme", "network") == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "Narnia" in err
    assert Person.objects.count() == 0


def test_import_unknown_programme_or_missing_file(tmp_path, capsys):
    with pytest.raises(SystemExit, match="no programme"):
        run("import", str(tmp_path / "x.csv"), "--programme", "nope")
    Programme.objects.create(name="Network", slug="network")
    assert run("import", str(tmp_path / "missing.csv"), "--programme", "network") == 2


def test_backup_and_restore_round_trip(tmp_path, capsys):
    run("demo")
    before = (Person.objects.count(), Challenge.objects.count(), Membership.objects.count())
    names = sorted(Person.objects.values_list("name", flat=True))
    backup = tmp_path / "backup.json.gz"
    assert run("backup", str(backup)) == 0
    assert run("restore", str(backup)) == 1, "restoring over data needs --replace"
    Person.objects.all().delete()
    assert Person.objects.count() == 0
    assert run("restore", str(backup), "--replace") == 0
    assert (Person.objects.count(), Challenge.objects.count(), Membership.objects.count()) == before
    assert sorted(Person.objects.values_list("name", flat=True)) == names


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "peerlearn.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    for command in (
        "demo",
        "import",
        "export",
        "backup",
        "restore",
        "match",
        "pair",
        "topics",
        "survey",
    ):
        assert command in result.stdout


def test_export_csv_reads_back(tmp_path):
    Programme.objects.create(name="Network", slug="network")
    roster = tmp_path / "roster.csv"
    write_csv(roster, [["a@example.org", "Ángela", "PE", "=cmd|' /C calc'!A0"]])
    run("import", str(roster), "--programme", "network")
    out = tmp_path / "out.csv"
    run("export", "--programme", "network", "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["name"] == "Ángela"
    assert rows[0]["challenge_1"].startswith("'=")
    assert Challenge.objects.get().text == "=cmd|' /C calc'!A0"


def test_import_is_an_operator_action_that_never_relinks_accounts(tmp_path, capsys):
    """The command line manages everything: it updates known people (rule c does
    not limit an operator) but never changes which account a person has."""
    from peerlearn.accounts.models import User
    from peerlearn.audit.models import AuditEvent

    programme = Programme.objects.create(name="Network", slug="network")
    user = User.objects.create_user("a@example.org", "a@example.org", "pw-12345678")
    person = Person.objects.create(name="Ana", email="a@example.org", user=user)
    roster = tmp_path / "roster.csv"
    write_csv(roster, [["A@Example.org", "Ana Renamed", "PE", ""]])
    assert run("import", str(roster), "--programme", "network") == 0
    person.refresh_from_db()
    assert (person.name, person.email, person.user_id) == ("Ana Renamed", "a@example.org", user.pk)
    event = AuditEvent.objects.get(action="roster.import")
    assert event.programme == programme and event.actor is None
    assert event.detail["updated"] == 1
    assert run("export", "--programme", "network", "--out", str(tmp_path / "out.csv")) == 0
    assert AuditEvent.objects.get(action="roster.export").detail["rows"] == 1

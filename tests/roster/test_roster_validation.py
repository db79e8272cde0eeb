"""Validating roster tables: the dry-run preview."""

from __future__ import annotations

import pytest

from peerlearn.roster.reading import Table, read_table
from peerlearn.roster.validation import (
    NOTICE_COLUMN_IGNORED,
    NOTICE_ORGANISATION_CREATED,
    NOTICE_PERSON_UPDATED,
    ChallengeEntry,
    validate_roster,
)

from .rosters import (
    KNOWN_COHORTS,
    KNOWN_ORGANISATIONS,
    csv_bytes,
    people_rows,
    person_row,
    save,
    xlsx_bytes,
)


def preview_of(table, existing=()):
    return validate_roster(
        table,
        known_organisations=KNOWN_ORGANISATIONS,
        known_cohorts=KNOWN_COHORTS,
        existing_emails=existing,
    )


def table_of(*rows: dict[str, str]) -> Table:
    header = list(dict.fromkeys(key for row in rows for key in row))
    return Table(header=header, rows=[[row.get(c, "") for c in header] for row in rows])


def one(**cells: str):
    """The preview of a single row: a valid person with ``cells`` changed."""
    return preview_of(table_of({**person_row(1), **cells}))


# The 10 bad rows of the 1,000-row roster: person index -> (changes, column, words).
BAD = {
    104: ({"email": ""}, "email", "e-mail address is missing"),
    207: ({"email": "person207.example.org"}, "email", "not a valid e-mail"),
    311: ({"email": "PERSON150@example.org"}, "email", "already used in row 152"),
    402: ({"name": "  "}, "name", "name is missing"),
    499: ({"country": "Atlantis"}, "country", "Unknown country 'Atlantis'"),
    555: ({"seniority": "Intern"}, "seniority", "political, senior, middle, technical"),
    603: ({"external": "maybe"}, "external", "not a yes/no value"),
    718: ({"languages": "en|Elvish"}, "languages", "Unknown language 'Elvish'"),
    842: ({"cohort": "Cohort Z"}, "cohort", "Unknown cohort 'Cohort Z'"),
    999: ({"challenge_2": "x" * 2001}, "challenge_2", "2001 characters; at most 2000"),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "csv-semicolon-cp1252"])
def test_thousand_rows_with_ten_bad_ones(tmp_path, fmt):
    rows = people_rows(1000)
    for index, (changes, _column, _words) in BAD.items():
        rows[index] = {**rows[index], **changes}
    if fmt == "xlsx":
        data, name = xlsx_bytes(rows), "roster.xlsx"
    elif fmt == "csv":
        data, name = csv_bytes(rows), "roster.csv"
    else:
        rows = [{k: v.replace("王芳", "Wang Fang").replace("محمد الأمين", "Mohamed")
                 .replace("Олена Коваленко", "Olena").replace("Nguyễn Thị", "Nguyen")
                 for k, v in row.items()} for row in rows]  # fmt: skip
        data, name = csv_bytes(rows, delimiter=";", encoding="cp1252"), "roster.csv"
    path = save(tmp_path, name, data)
    table = read_table(path.read_bytes(), path.name, max_bytes=10 * 1024 * 1024)
    existing = [f"person{i}@example.org" for i in range(100)]

    preview = preview_of(table, existing)

    expected_rows = sorted(index + 2 for index in BAD)  # header is row 1
    assert preview.problem_rows == expected_rows
    assert not preview.is_valid
    by_row = preview.problems_by_row()
    for index, (_changes, column, words) in BAD.items():
        problems = by_row[index + 2]
        assert [p.column for p in problems] == [column], problems
        assert words in problems[0].message
    assert len(preview.records) == 1000
    assert preview.update_count == 100
    assert preview.new_count == 1000 - 100 - 10  # a row with a problem creates nobody
    assert preview.organisations_to_create == [f"Agency {i}" for i in (3, 1, 6, 4, 2, 0, 5)]


def test_every_problem_of_a_row_is_reported():
    preview = one(
        email="not an email",
        name="",
        country="Narnia",
        seniority="boss",
        organisation_kind="cartel",
        programme_role="king",
        alumni="perhaps",
        languages="xx, fr",
        cohort="nope",
        challenge_1="y" * 2500,
    )
    columns = [p.column for p in preview.problems]
    assert columns == [
        "email",
        "name",
        "organisation_kind",
        "country",
        "seniority",
        "languages",
        "alumni",
        "programme_role",
        "cohort",
        "challenge_1",
    ]
    assert {p.row for p in preview.problems} == {2}
    long_value = preview.problems[-1].value
    assert len(long_value) == 100 and long_value.endswith("…")


def test_a_valid_row_is_normalised():
    table = table_of(
        {
            "email": "  Zoe.Muller@Example.ORG ",
            "name": "Zoe\u0308  Mu\u0308ller",  # decomposed accents, two spaces
            "organisation": "ministry  of FINANCE",
            "organisation_kind": "Ministry",
            "country": "Côte d’Ivoire",
            "role_title": "Head of Unit",
            "seniority": "Head of unit",
            "languages": "French, EN ; ara",
            "gender": "woman",
            "external": "Sí",
            "alumni": "oui",
            "consent_to_contact": "",
            "programme_role": "",
            "cohort": "KENYA cohort",
            "challenge_1": "",
            "challenge_2": "Second",
            "challenge_2_tags": "Budget| budget |Reform",
            "challenge_3": "",
            "expectation_1": "",
            "expectation_2": "Learn",
            "expectation_3": "",
        }
    )
    preview = preview_of(table)
    assert preview.is_valid, preview.problems
    record = preview.records[0]
    assert record.email == "zoe.muller@example.org"
    assert record.name == "Zoë Müller"
    assert record.organisation == "Ministry of Finance"
    assert record.organisation_kind == "ministry"
    assert record.country == "CI"
    assert record.seniority == "middle"
    assert record.languages == ("fr", "en", "ar")
    assert (record.external, record.alumni, record.consent_to_contact) == (True, True, False)
    assert record.programme_role == "participant"
    assert record.cohort == "Kenya cohort"
    assert record.challenges == (ChallengeEntry(""), ChallengeEntry("Second", ("Budget", "Reform")))
    assert record.expectations == ("", "Learn")
    assert preview.organisations_to_create == []
    assert preview.notices == []


@pytest.mark.parametrize(
    ("column", "typed", "code"),
    [
        ("organisation_kind", "Think tank", "think_tank"),
        ("organisation_kind", "civil-society", "civil_society"),
        ("organisation_kind", "CIVIL_SOCIETY", "civil_society"),
        ("seniority", "Deputy Minister", "political"),
        ("seniority", "director-general", "senior"),
        ("seniority", "Technical (adviser, analyst, specialist)", "technical"),
        ("programme_role", "Facilitator", "facilitator"),
        ("country", "KEN", "KE"),
        ("country", "kenya", "KE"),
        ("country", "United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("country", "Bolivia", "BO"),
        ("country", "Republic of Korea", "KR"),
        ("country", "Turkey", "TR"),
        ("country", "Kosovo", "XK"),
    ],
)
def test_accepted_spellings(column, typed, code):
    preview = one(**{column: typed})
    assert preview.is_valid, preview.problems
    assert getattr(preview.records[0], column) == code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("true", True), ("Y", True), ("1", True), ("oui", True), ("si", True), ("no", False),
     ("N", False), ("0", False), ("non", False), ("FALSE", False), ("", False)],
)  # fmt: skip
def test_booleans(typed, expected):
    preview = one(consent_to_contact=typed)
    assert preview.is_valid
    assert preview.records[0].consent_to_contact is expected


def test_duplicate_email_names_the_first_row_and_only_flags_later_rows():
    rows = [person_row(i) for i in range(4)]
    rows[3]["email"] = " PERSON1@example.org"
    rows.append({**person_row(9), "email": "person1@EXAMPLE.org"})
    preview = preview_of(table_of(*rows))
    assert [(p.row, p.column) for p in preview.problems] == [(5, "email"), (6, "email")]
    assert all("already used in row 3" in p.message for p in preview.problems)
    assert preview.new_count == 3  # person0, person1, person2


def test_row_numbers_count_blank_lines(tmp_path):
    data = b"email,name\n\na@example.org,A\n\n\nbad,B\n"
    table = read_table(save(tmp_path, "r.csv", data).read_bytes(), "r.csv", max_bytes=10_000)
    preview = preview_of(table)
    assert [p.row for p in preview.problems] == [6]
    assert [r.row for r in preview.records] == [3, 6]


def test_text_limits():
    preview = one(name="n" * 201, role_title="r" * 200, gender="g" * 65, challenge_3="c" * 2000)
    assert [(p.column, p.message) for p in preview.problems] == [
        ("name", "Too long: 201 characters; at most 200."),
        ("gender", "Too long: 65 characters; at most 64."),
    ]


def test_kind_without_organisation_and_conflicting_kinds():
    rows = [
        {**person_row(0), "organisation": "", "organisation_kind": "ministry"},
        {**person_row(1), "organisation": "New Agency", "organisation_kind": "agency"},
        {**person_row(2), "organisation": "new agency", "organisation_kind": "ministry"},
        {**person_row(3), "organisation": "NEW AGENCY", "organisation_kind": ""},
    ]
    preview = preview_of(table_of(*rows))
    assert [(p.row, p.column) for p in preview.problems] == [
        (2, "organisation_kind"),
        (4, "organisation_kind"),
    ]
    assert "no organisation" in preview.problems[0].message
    assert "agency in row 3" in preview.problems[1].message
    assert preview.organisations_to_create == ["New Agency"]
    assert {r.organisation for r in preview.records[1:]} == {"New Agency"}


def test_tags_without_a_challenge():
    preview = one(challenge_2="", challenge_2_tags="budget")
    assert [(p.column, p.value) for p in preview.problems] == [("challenge_2_tags", "budget")]


def test_notices_for_updates_new_organisations_and_ignored_columns():
    rows = [
        {**person_row(0), "organisation": "Think Tank Alpha", "Favourite colour": "blue"},
        {**person_row(1), "organisation": "think tank alpha", "organisation_kind": "ministry"},
        {**person_row(2), "organisation": "Revenue Authority"},
    ]
    preview = preview_of(table_of(*rows), existing=["PERSON1@example.org"])
    assert preview.is_valid
    kinds = [(n.kind, n.value, n.row) for n in preview.notices]
    assert kinds == [
        (NOTICE_COLUMN_IGNORED, "Favourite colour", None),
        (NOTICE_ORGANISATION_CREATED, "Think Tank Alpha", 2),
        (NOTICE_PERSON_UPDATED, "person1@example.org", 3),
    ]
    assert "Organisation 'Think Tank Alpha' will be created." in preview.notices[1].message
    assert preview.ignored_columns == ["Favourite colour"]
    assert (preview.new_count, preview.update_count) == (2, 1)


def test_values_right_of_the_header_are_a_problem(tmp_path):
    data = b"email,name,country\na@example.org,Smith, Ann,KE\nb@example.org,Bo,KE,,\n"
    table = read_table(save(tmp_path, "r.csv", data).read_bytes(), "r.csv", max_bytes=10_000)
    preview = preview_of(table)
    assert [(p.row, p.value) for p in preview.problems] == [(2, "Ann"), (2, "KE")]
    assert "to the right of the last column" in preview.problems[1].message


def test_language_without_a_two_letter_code():
    preview = one(languages="pt|Tetum")
    assert "has no two-letter ISO 639-1 code" in preview.problems[0].message
    assert preview.records[0].languages == ("pt",)


def test_cohort_message_lists_the_cohorts():
    preview = one(cohort="Cohort 9")
    assert "The cohorts are: Foundational event, Kenya cohort." in preview.problems[0].message
    lonely = validate_roster(
        table_of(person_row(2)), known_organisations=[], known_cohorts=[], existing_emails=[]
    )
    assert "has no cohorts yet" in lonely.problems[0].message

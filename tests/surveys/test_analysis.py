"""Survey results as plain Python: denominators, relevance, shares, suppression.

No database: the form is built from the XLSForm dataclasses and the answers
are plain dicts, as the results page and the exports hand them over.
"""

from __future__ import annotations

from datetime import date

import pytest

from peerlearn.surveys.analysis import answered_counts, breakdown, compare, summarise
from peerlearn.surveys.xlsform import Choice, ChoiceList, Group, Question
from peerlearn.surveys.xlsform import Instrument as Form


def _choices(name: str, *codes: tuple[str, str, str | None]) -> ChoiceList:
    return ChoiceList(
        name,
        [Choice(code, {"en": en, **({"fr": fr} if fr else {})}) for code, en, fr in codes],
    )


def make_form() -> Form:
    """A form with every answer type, a group gated by relevance, a nested relevance."""
    return Form(
        title="Contact",
        form_id="contact",
        default_language="en",
        languages={"en": "English", "fr": "Français", "es": "Español"},
        items=[
            Question("note", "intro", {"en": "Welcome"}),
            Question(
                "select_one", "role", {"en": "Your role", "fr": "Votre rôle"}, list_name="roles"
            ),
            Question("integer", "peers", {"en": "How many peers?"}),
            Group(
                "contact",
                {"en": "About these contacts", "fr": "Ces contacts"},
                relevant="${peers} > 0",
                children=[
                    Question(
                        "select_multiple", "gained", {"en": "What did you gain?"}, list_name="gain"
                    ),
                    Question(
                        "text",
                        "example",
                        {"en": "An example"},
                        relevant="selected(${gained}, 'ideas')",
                    ),
                ],
            ),
            Question("decimal", "budget", {"en": "Budget share"}),
            Question("date", "started", {"en": "Start date"}),
            Question(
                "select_one",
                "odd",
                {"en": "Odd relevance"},
                relevant="${peers} >",
                list_name="roles",
            ),
        ],
        choice_lists={
            "roles": _choices(
                "roles",
                ("participant", "Participant", "Participant·e"),
                ("colleague", "Colleague", None),
            ),
            "gain": _choices(
                "gain",
                ("ideas", "Ideas", "Idées"),
                ("network", "Network", None),
                ("none", "Nothing", None),
            ),
        },
    )


def eleven() -> list[dict]:
    """11 responses: 8 with peers (7 of them say what they gained), 3 without."""
    rows: list[dict] = []
    gained = [
        ["ideas"],
        ["ideas", "network"],
        ["network"],
        ["ideas", "network"],
        ["network"],
        ["ideas"],
        ["none"],
        [],  # relevant, not answered
    ]
    for i, g in enumerate(gained):
        answers: dict = {
            "role": "participant" if i < 6 else "colleague",
            "peers": i + 1,
            "gained": g,
        }
        if "ideas" in g:
            answers["example"] = f"Example {8 - i}"
        rows.append(answers)
    for _ in range(3):
        # peers = 0: the group is not relevant; a stale answer inside it is ignored
        rows.append({"role": "colleague", "peers": 0, "gained": ["ideas"], "example": "stale"})
    return rows


def by_name(results):
    return {q.name: q for q in results.questions}


def test_denominators_follow_group_and_question_relevance():
    q = by_name(summarise(make_form(), eleven(), k=3, language="en"))
    assert (q["role"].answered, q["role"].respondents) == (11, 11)
    assert (q["peers"].answered, q["peers"].respondents) == (11, 11)
    # the group is relevant for the 8 with peers; the 3 stale answers do not count
    assert (q["gained"].answered, q["gained"].respondents) == (7, 8)
    # relevant where "ideas" was selected: 4 responses, all answered
    assert (q["example"].answered, q["example"].respondents) == (4, 4)
    assert "stale" not in q["example"].texts
    # nobody answered budget or started: suppressed even though relevant for all
    assert q["budget"].suppressed and q["budget"].answered is None


def test_notes_are_not_questions():
    names = [q.name for q in summarise(make_form(), eleven(), k=1, language="en").questions]
    assert names == ["role", "peers", "gained", "example", "budget", "started", "odd"]


def test_an_expression_that_cannot_be_evaluated_counts_as_relevant():
    rows = [{"odd": "participant"}, {"odd": "colleague"}, {}]
    odd = by_name(summarise(make_form(), rows, k=1, language="en"))["odd"]
    assert (odd.answered, odd.respondents) == (2, 3)


def test_select_one_counts_and_shares_in_form_order():
    role = by_name(summarise(make_form(), eleven(), k=3, language="en"))["role"]
    assert [(c.name, c.label, c.count) for c in role.choices] == [
        ("participant", "Participant", 6),
        ("colleague", "Colleague", 5),
    ]
    assert role.choices[0].share == pytest.approx(6 / 11)
    assert role.choices[0].percent == 55


def test_select_multiple_shares_are_over_those_who_answered():
    gained = by_name(summarise(make_form(), eleven(), k=3, language="en"))["gained"]
    counts = {c.name: (c.count, c.share) for c in gained.choices}
    assert counts["ideas"] == (4, pytest.approx(4 / 7))
    assert counts["network"] == (4, pytest.approx(4 / 7))
    assert counts["none"] == (1, pytest.approx(1 / 7))
    assert sum(c.share for c in gained.choices) > 1  # several answers each


def test_codes_the_list_does_not_know_are_listed_after_known_ones():
    rows = [{"role": "participant"}, {"role": "retired"}, {"role": "participant"}]
    role = by_name(summarise(make_form(), rows, k=1, language="en"))["role"]
    assert [(c.name, c.label, c.count) for c in role.choices] == [
        ("participant", "Participant", 2),
        ("colleague", "Colleague", 0),
        ("retired", "retired", 1),
    ]


def test_numbers_summary_and_distribution():
    peers = by_name(summarise(make_form(), eleven(), k=3, language="en"))["peers"].numbers
    assert peers is not None
    # 1..8 then three zeros
    assert peers.n == 11
    assert peers.mean == pytest.approx(36 / 11)
    assert peers.median == 3
    assert (peers.minimum, peers.maximum) == (0, 8)
    assert [(b.label, b.count) for b in peers.bins] == [
        ("0", 3),
        *[(str(v), 1) for v in range(1, 9)],
    ]


def test_wide_integer_ranges_and_decimals_are_binned():
    rows = [{"peers": v, "budget": v / 10} for v in range(0, 1000, 10)]
    q = by_name(summarise(make_form(), rows, k=5, language="en"))
    bins = q["peers"].numbers.bins
    assert len(bins) == 8 and sum(b.count for b in bins) == 100
    assert bins[0].label == "0–123"  # width ceil(991 / 8) = 124
    decimals = q["budget"].numbers
    assert decimals.mean == pytest.approx(49.5) and decimals.maximum == pytest.approx(99.0)
    assert sum(b.count for b in decimals.bins) == 100


def test_dates_earliest_and_latest():
    rows = [{"started": d} for d in ("2024-03-01", "2023-12-31", "2024-07-15", "not a date")]
    started = by_name(summarise(make_form(), rows, k=2, language="en"))["started"]
    assert started.dates is not None
    assert (started.dates.earliest, started.dates.latest) == (date(2023, 12, 31), date(2024, 7, 15))
    assert started.answered == 4 and started.dates.n == 3


def test_texts_are_listed_in_alphabetical_not_submission_order():
    example = by_name(summarise(make_form(), eleven(), k=3, language="en"))["example"]
    assert example.texts == ["Example 3", "Example 5", "Example 7", "Example 8"]
    rows = [{"peers": 1, "gained": ["ideas"], "example": t} for t in ("b", "C", "a")]
    texts = by_name(summarise(make_form(), rows, k=1, language="en"))["example"].texts
    assert texts == ["a", "b", "C"]


def test_blank_answers_do_not_count_as_answered():
    rows = [
        {"example": "  ", "gained": ["ideas"], "peers": 1},
        {"gained": ["ideas"], "peers": 1},
        {"example": "real", "gained": ["ideas"], "peers": 1},
    ]
    example = by_name(summarise(make_form(), rows, k=1, language="en"))["example"]
    assert (example.answered, example.respondents) == (1, 3)
    assert example.texts == ["real"]


@pytest.mark.parametrize("k", [2, 5, 11])
def test_exactly_k_responses_are_shown_and_k_minus_one_suppressed(k):
    rows = [{"role": "participant"}] * k
    shown = summarise(make_form(), rows, k=k, language="en")
    assert not shown.suppressed and shown.responses == k
    assert by_name(shown)["role"].choices[0].count == k
    hidden = summarise(make_form(), rows[:-1], k=k, language="en")
    assert hidden.suppressed and hidden.responses is None and hidden.questions == []


def test_a_question_with_exactly_k_answers_is_shown_and_k_minus_one_hidden():
    rows = [{"role": "participant"} for _ in range(10)]
    for i in range(5):
        rows[i]["example"] = f"text {i}"
        rows[i]["gained"] = ["ideas"]
        rows[i]["peers"] = 1
    rows[0]["budget"] = 1.5
    q = by_name(summarise(make_form(), rows, k=5, language="en"))
    assert not q["example"].suppressed and len(q["example"].texts) == 5
    rows[0].pop("example")
    q = by_name(summarise(make_form(), rows, k=5, language="en"))
    hidden = q["example"]
    assert hidden.suppressed
    assert hidden.texts == [] and hidden.answered is None and hidden.respondents is None
    assert q["budget"].suppressed and q["budget"].numbers is None


def test_compare_shows_differences_only_when_both_sides_are_shown():
    a = [{"role": "participant"}] * 6 + [{"role": "colleague"}] * 4
    b = [{"role": "participant"}] * 9 + [{"role": "colleague"}] * 1
    result = compare(make_form(), a, b, k=5, language="en")
    role = next(r for r in result.rows if r.name == "role")
    assert role.both_shown
    diffs = {c.name: c.difference for c in role.choices}
    assert diffs["participant"] == pytest.approx(30.0)
    assert diffs["colleague"] == pytest.approx(-30.0)
    peers = next(r for r in result.rows if r.name == "peers")
    assert peers.a is not None and peers.a.suppressed and peers.mean_difference is None


def test_compare_mean_difference_and_a_side_suppressed_on_its_own():
    a = [{"peers": v} for v in (1, 2, 3, 4, 5)]
    b = [{"peers": v} for v in (3, 4, 5, 6, 7)]
    result = compare(make_form(), a, b, k=5, language="en")
    peers = next(r for r in result.rows if r.name == "peers")
    assert peers.mean_difference == pytest.approx(2.0)
    small = compare(make_form(), a, b[:4], k=5, language="en")
    assert small.b.suppressed and not small.a.suppressed
    peers = next(r for r in small.rows if r.name == "peers")
    assert peers.b is None and peers.a is not None and peers.a.numbers.mean == 3
    assert peers.mean_difference is None


def test_breakdown_suppresses_small_cells_and_their_complement():
    participants = [{"role": "participant", "peers": 2}] * 8
    control = [{"role": "colleague", "peers": 1}] * 6
    # only 3 in the control group answered "gained"
    for i in range(8):
        participants[i] = {**participants[i], "gained": ["ideas"]}
    control = [{**row, "gained": ["network"]} if i < 3 else row for i, row in enumerate(control)]
    result = breakdown(
        make_form(), {"participant": participants, "control": control}, k=5, language="en"
    )
    assert [(g.key, g.responses, g.suppressed) for g in result.groups] == [
        ("participant", 8, False),
        ("control", 6, False),
    ]
    rows = {r.name: r for r in result.rows}
    assert [c.choices[0].count for c in rows["role"].cells] == [8, 0]
    gained = rows["gained"].cells
    # control has 3 answers (< 5); participants would give it away by subtraction
    assert gained[1].suppressed and gained[1].answered is None
    assert gained[0].suppressed and gained[0].choices == []
    assert not rows["gained"].any_shown


def test_breakdown_hides_a_small_group_and_the_other_one_with_it():
    result = breakdown(
        make_form(),
        {"participant": [{"role": "participant"}] * 9, "control": [{"role": "colleague"}] * 4},
        k=5,
        language="en",
    )
    assert [(g.responses, g.suppressed, g.complementary) for g in result.groups] == [
        (None, True, True),
        (None, True, False),
    ]
    assert all(cell is None for row in result.rows for cell in row.cells)
    assert not result.any_shown


def test_breakdown_of_three_groups_keeps_the_largest_shown():
    groups = {
        "participant": [{"role": "participant"}] * 12,
        "control": [{"role": "colleague"}] * 6,
        "alumni": [{"role": "colleague"}] * 2,
    }
    result = breakdown(make_form(), groups, k=5, language="en")
    assert [g.suppressed for g in result.groups] == [False, True, True]
    assert result.rows[0].cells[0].choices[0].count == 12
    table = result.rows[0].choice_table()
    assert table[0][0] == "Participant" and table[0][1][1] is None


def test_labels_in_the_language_asked_with_fallback_to_the_default():
    rows = [{"role": "participant", "gained": ["ideas", "network"], "peers": 1}] * 3
    q = by_name(summarise(make_form(), rows, k=1, language="fr"))
    assert q["role"].label == "Votre rôle"
    assert q["peers"].label == "How many peers?"  # no French label: the default
    assert [c.label for c in q["gained"].choices] == ["Idées", "Network", "Nothing"]
    assert q["gained"].sections == ("Ces contacts",)
    spanish = by_name(summarise(make_form(), rows, k=1, language="es"))
    assert spanish["role"].label == "Your role"
    plain = Form(items=[Question("text", "t", {"default": "Plain label"})])
    assert summarise(plain, [{"t": "x"}], k=1, language="fr").questions[0].label == "Plain label"


def test_answered_counts_stream_matches_summarise():
    rows = eleven()
    responses, counts = answered_counts(make_form(), iter(rows))
    summary = by_name(summarise(make_form(), rows, k=1, language="en"))
    assert responses == 11
    assert counts == {
        name: (summary[name].answered or 0) if not summary[name].suppressed else 0
        for name in counts
    }
    assert counts["gained"] == 7 and counts["budget"] == 0


def test_ten_thousand_responses_are_summarised_with_relevance_per_row():
    """Correctness at size; the time is measured in benchmarks/survey_results.py, not here."""
    form = make_form()
    rows = [
        {
            "role": "participant" if i % 3 else "colleague",
            "peers": i % 7,
            "gained": ["ideas", "network"] if i % 2 else ["none"],
            "example": f"text {i}",
            "budget": i / 100,
            "started": f"2024-{1 + i % 12:02d}-01",
            "odd": "colleague",
        }
        for i in range(10_000)
    ]
    result = summarise(form, rows, k=5, language="en")
    assert by_name(result)["gained"].respondents == 10_000 - len(range(0, 10_000, 7))

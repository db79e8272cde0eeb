"""Topic curation and the ``peerlearn topics`` command."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from peerlearn.engine.evalset import load_labelled_statements
from peerlearn.engine.similarity import STOP_WORDS, guess_language, normalise_text
from peerlearn.engine.topics import (
    MAX_PHRASE_WORDS,
    Topic,
    add_topics_arguments,
    auto_topic_count,
    cli_topics,
    dominant_language,
    key_phrases,
    phrase_occurs,
    propose_topics,
)

LAND = [
    "Our land registry is full of duplicate titles",
    "Land registry and cadastre records disagree",
    "The cadastre maps are decades old and land titles are disputed",
    "Registering land titles takes months at the registry",
]
BUDGET = [
    "The finance ministry cut our budget for the reform",
    "Budget for our reform was cut again by finance",
    "We cannot get budget from the finance ministry",
    "Finance ministry delays every budget release",
]


def _rows() -> list[tuple[str, str]]:
    # p1 has one challenge in each theme; everyone else one challenge
    rows = [(f"p{i}", t) for i, t in enumerate(LAND)]
    rows += [(f"p{i + 1}", t) for i, t in enumerate(BUDGET)]
    return rows


def test_two_clear_themes() -> None:
    topics = propose_topics(_rows(), n_topics=2)
    assert len(topics) == 2
    by_excerpt = {t.excerpts[0]: t for t in topics}
    land = next(t for e, t in by_excerpt.items() if e in LAND)
    budget = next(t for e, t in by_excerpt.items() if e in BUDGET)
    assert set(land.excerpts) <= set(LAND) and set(budget.excerpts) <= set(BUDGET)
    assert land.member_ids == ["p0", "p1", "p2", "p3"]
    assert budget.member_ids == ["p1", "p2", "p3", "p4"]
    assert land.challenge_count == 4 and len(land.excerpts) == 3
    assert "land" in land.label.lower() or "registry" in land.label.lower()
    assert "budget" in budget.label.lower() or "finance" in budget.label.lower()


def _assert_readable(topics: list[Topic], rows: list[tuple[str, str]]) -> None:
    """Structural properties of readable labels (issue 15, item 3)."""
    texts_of: dict[str, list[str]] = {}
    for pid, text in rows:
        texts_of.setdefault(pid, []).append(text)
    labels = [t.label for t in topics]
    assert len({_key(label) for label in labels}) == len(labels), labels
    for topic in topics:
        words = topic.label.split()
        assert 1 <= len(words) <= MAX_PHRASE_WORDS <= 6, topic.label
        assert "," not in topic.label, "a phrase, not a word list"
        assert not all(normalise_text(w) in STOP_WORDS for w in words), topic.label
        mine = [t for pid in topic.member_ids for t in texts_of[pid]]
        assert topic.language == dominant_language(topic.excerpts)
        in_language = [t for t in mine if guess_language(t) in (topic.language, "other")]
        assert phrase_occurs(topic.label, in_language), (topic.label, topic.language)
        assert 2 <= len(topic.excerpts) <= 3 or topic.challenge_count < 2


def _key(label: str) -> str:
    return " ".join(normalise_text(label).split())


def test_labels_are_short_phrases_of_the_texts_and_distinct() -> None:
    rows = [(f"p{i // 3}", s) for i, (s, _) in enumerate(load_labelled_statements())]
    topics = propose_topics(rows)
    assert len(topics) == auto_topic_count(len(rows))
    _assert_readable(topics, rows)
    assert sum(t.challenge_count for t in topics) == len(rows)
    for topic in topics:
        assert len(set(topic.member_ids)) == len(topic.member_ids)
        assert 1 <= len(topic.excerpts) <= 3
    people = [len(t.member_ids) for t in topics]
    assert people == sorted(people, reverse=True)


SPANISH = [
    "El catastro municipal no coincide con los títulos de propiedad",
    "Nuestro catastro municipal tiene mapas de hace treinta años",
    "Los títulos de propiedad rurales no están en el catastro municipal",
    "Las pequeñas empresas informales no pagan el IVA",
    "No sabemos cómo llevar a las pequeñas empresas informales al IVA",
    "El IVA de las pequeñas empresas informales casi no se cobra",
]
FRENCH = [
    "Le cadastre de la commune ne correspond pas aux titres fonciers",
    "Les titres fonciers ruraux ne figurent pas au cadastre de la commune",
    "Le cadastre de la commune date de trente ans",
    "Les autres ministères ne partagent pas leurs données avec nous",
    "Nous ne savons pas comment faire travailler les autres ministères ensemble",
    "Les autres ministères refusent de partager leurs données",
]


@pytest.mark.parametrize(("texts", "language"), [(SPANISH, "es"), (FRENCH, "fr")])
def test_labels_in_the_language_of_the_texts(texts: list[str], language: str) -> None:
    rows = [(f"p{i}", t) for i, t in enumerate(texts)]
    topics = propose_topics(rows, n_topics=2)
    assert [t.language for t in topics] == [language, language]
    _assert_readable(topics, rows)
    assert all(len(t.label.split()) >= 2 for t in topics), [t.label for t in topics]


def test_mixed_topic_takes_the_language_most_of_it_is_written_in() -> None:
    rows = [(f"p{i}", t) for i, t in enumerate(SPANISH[:3] + ["Our cadastre maps are old"])]
    (topic,) = propose_topics(rows, n_topics=1)
    assert topic.language == "es"
    assert phrase_occurs(topic.label, SPANISH[:3])


def test_key_phrases_are_shared_phrases_first() -> None:
    phrases = key_phrases(SPANISH[3:], k=2)
    assert phrases[0] == "pequeñas empresas informales"
    assert all(phrase_occurs(p, SPANISH[3:]) for p in phrases)
    assert key_phrases(["the of and", "  "]) == []
    assert key_phrases(["予算が削減された"]) in ([], ["予算が削減された"])


def test_deterministic_for_a_seed() -> None:
    rows = [(f"p{i // 3}", s) for i, (s, _) in enumerate(load_labelled_statements()[:90])]
    assert propose_topics(rows, seed=4) == propose_topics(rows, seed=4)


def test_small_and_degenerate_inputs() -> None:
    assert propose_topics([]) == []
    assert propose_topics([("a", "  "), ("b", "the of and")]) == []
    one = propose_topics([("a", "tax audits")])
    assert [t.member_ids for t in one] == [["a"]]
    same = propose_topics([("a", "tax audits"), ("b", "tax audits")], n_topics=5)
    assert len(same) == 1 and same[0].member_ids == ["a", "b"]
    assert same[0].excerpts == ["tax audits"]


def test_topic_is_frozen() -> None:
    topic = Topic("Tax audits", ["audits"], ["a"], 1, ["x"])
    with pytest.raises(AttributeError):
        topic.label = "other"  # type: ignore[misc]


# ---- command line ------------------------------------------------------------


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_topics_arguments(parser)
    return cli_topics(parser.parse_args(argv))


def _write_input(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "country", "challenges"])
        for i in range(5):
            writer.writerow([f"p{i}", "KE", f"{LAND[i % 4]}|{BUDGET[(i + 1) % 4]}"])


def test_cli_csv_to_table_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "topics.csv"
    _write_input(source)
    assert _run([str(source), "--n", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "people" in printed and "registry" in printed.lower()
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["topic", "label", "people", "challenges", "key_terms", "excerpts"]
    assert [int(r["challenges"]) for r in rows] == [5, 5]
    assert all(int(r["people"]) == 5 for r in rows)


def test_cli_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Challenges"])
    for i in range(4):
        sheet.append([f"p{i}", f"{LAND[i]}|{BUDGET[i]}"])
    source = tmp_path / "in.xlsx"
    book.save(source)
    assert _run([str(source), "--n", "2"]) == 0
    assert "registry" in capsys.readouterr().out.lower()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,challenges\nx,land registry\n", "'id'"),
        (b"id,country\np1,KE\n", "'challenges'"),
        (b"id,challenges\n", "no participants"),
        (b"id,challenges\np1,\n", "no challenge"),
        (b"id,challenges\n,land registry\n", "row 2"),
        (b"\x00\x01\x02binary", "not a CSV"),
        (b"\xff\xfeid,challenges\n", "UTF-8"),
    ],
)
def test_cli_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    assert _run([str(source)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_cli_missing_file_and_bad_n(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([str(tmp_path / "nope.csv")]) == 2
    assert "not found" in capsys.readouterr().err
    source = tmp_path / "in.csv"
    _write_input(source)
    assert _run([str(source), "--n", "0"]) == 2
    assert "--n" in capsys.readouterr().err


def test_cli_bad_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.xlsx"
    source.write_text("not a workbook")
    assert _run([str(source)]) == 2
    assert "XLSX" in capsys.readouterr().err

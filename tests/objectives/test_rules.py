"""The plain rules of objectives and uploads: no database."""

from __future__ import annotations

import datetime

import pytest

from peerlearn.objectives import rules, uploads

D = datetime.date(2026, 5, 1)


def test_lock_comes_from_the_facilitator_or_the_date():
    assert not rules.is_locked(None, None, D)
    assert not rules.is_locked(None, D + datetime.timedelta(days=1), D)
    assert rules.is_locked(None, D, D)
    assert rules.is_locked(datetime.datetime(2026, 4, 1), None, D)


def test_rating_opens_at_the_chosen_date_else_the_end_and_never_without_one():
    end = D + datetime.timedelta(days=10)
    assert not rules.rating_is_open(None, None, D)
    assert not rules.rating_is_open(None, end, D)
    assert rules.rating_is_open(None, end, end)
    assert rules.rating_is_open(D, end, D)


def test_summary_needs_k_people_who_rated():
    rows = [rules.Rated(p, 3) for p in range(4)] + [rules.Rated(9, None)]
    assert rules.summarise(rows, k=5, achieved_from=2).suppressed
    rows.append(rules.Rated(4, 1))
    summary = rules.summarise(rows, k=5, achieved_from=2)
    assert (summary.people, summary.objectives, summary.rated, summary.achieved) == (6, 6, 5, 4)


def test_one_person_with_many_objectives_does_not_reach_k():
    rows = [rules.Rated(1, 3) for _ in range(10)]
    assert rules.summarise(rows, k=2, achieved_from=2).suppressed


def test_shares_are_written_with_their_denominator():
    assert rules.of(8, 11) == "8 of 11"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj", "application/pdf"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
    ],
)
def test_scans_are_recognised_by_their_bytes(data, content_type):
    assert uploads.sniff(data).content_type == content_type


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><script>alert(1)</script>",
        b"MZ\x90\x00 executable",
        b"PK\x03\x04 a zip or docx",
        b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
        b"%PDF-1.7\n<< /Type /Action /S /Launch /F (cmd.exe) >>",
        b"%PDF-1.7\n<< /EmbeddedFiles 3 0 R >>",
    ],
)
def test_other_or_active_content_is_refused(data):
    with pytest.raises(uploads.UploadRefused):
        uploads.sniff(data)

"""Every page of the surveys app has a permission test, whoever wrote it.

Each area keeps its own table (answering, instruments, scheduling, results);
this test fails when a url is added to ``peerlearn/surveys/urls.py`` without a
row in any of them.
"""

from __future__ import annotations

from peerlearn.surveys.urls import urlpatterns
from tests.surveys import (
    test_permissions_answer,
    test_permissions_instruments,
    test_permissions_results,
    test_permissions_surveys,
    test_response_import_permissions,
)

TABLES = [
    test_permissions_answer,
    test_permissions_instruments,
    test_permissions_results,
    test_permissions_surveys,
    test_response_import_permissions,
]


def _covered_names() -> set[str]:
    names: set[str] = set()
    for table in TABLES:
        names |= {case[0].split(" ")[0] for case in table.CASES}
        names |= set(getattr(table, "OWNED", set()))
    return names


def test_every_survey_url_has_a_permission_row():
    declared = {f"surveys:{pattern.name}" for pattern in urlpatterns}
    missing = declared - _covered_names()
    assert not missing, f"no permission test for {sorted(missing)}"

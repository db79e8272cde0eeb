"""Matching runs (their parameters), published groups and pairs, for the data package.

A run's parameters are written as columns; the rules that name people
(keep together, keep apart, locked places) are given as counts only, since
person ids would be database ids, not the package's pseudonyms.  Published
groups are in ``groups`` and ``group_members`` (``programmes/package.py``);
``matching_run_id`` there names the run that published them.  Runs are read by
the cohort's facilitators and by evaluators, as on the pages; a cohort
package (``COHORT_SCOPED``, see ``programmes/package_scope.py``) holds its cohorts' runs
and pairs only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.matching.result import RunParameters
from peerlearn.programmes.package_scope import PackageScope, package_scope

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True

RUN_COLUMNS = [
    Column("id", "integer"),
    Column("cohort_id", "integer", "cohorts.id"),
    Column("kind", "string", "groups or pairs"),
    Column("status", "string", "queued, running, done or failed"),
    Column("seed", "integer", "Random seed (the same seed and data give the same result)"),
    Column("weights", "string", "Criterion weights as JSON"),
    Column("role_mode", "string"),
    Column("min_size", "integer"),
    Column("max_size", "integer"),
    Column("max_per_organisation", "integer"),
    Column("max_per_country", "integer"),
    Column("min_countries", "integer"),
    Column("avoid_repeats", "boolean"),
    Column("shared_language", "boolean"),
    Column("mode", "string"),
    Column("keep_together_rules", "integer", "How many keep-together rules were set"),
    Column("keep_apart_rules", "integer", "How many keep-apart rules were set"),
    Column("locked_places", "integer", "People kept in place by a re-run"),
    Column("quality", "string", "Quality figures of the result as JSON"),
    Column("created_at", "datetime"),
    Column("finished_at", "datetime"),
    Column("published_at", "datetime"),
]


def _run_row(run: MatchingRun) -> list[object]:
    p = RunParameters.from_json(run.parameters)
    return [
        run.pk,
        run.cohort_id,
        run.kind,
        run.status,
        run.seed,
        json.dumps(p.weights, sort_keys=True),
        p.role_mode,
        p.min_size,
        p.max_size,
        p.max_per_organisation,
        p.max_per_country,
        p.min_countries,
        p.avoid_repeats,
        p.shared_language,
        p.mode,
        len(p.keep_together),
        len(p.keep_apart),
        len(p.locked) + len(p.locked_pairs),
        json.dumps(run.quality or {}, sort_keys=True, default=str),
        run.created_at,
        run.finished_at,
        run.published_at,
    ]


def _runs(scope: PackageScope) -> Table:
    runs = MatchingRun.objects.filter(cohort__programme=scope.programme)
    runs = runs.filter(scope.cohort_q()).order_by("pk")
    return Table(
        name="matching_runs",
        title="Matching runs",
        description="Each run of the matching engine and the parameters it used.",
        columns=RUN_COLUMNS,
        rows=(_run_row(run) for run in runs.only(*_RUN_FIELDS).iterator(500)),
        primary_key=["id"],
        foreign_keys={"cohort_id": ("cohorts", "id")},
    )


_RUN_FIELDS = (
    "cohort_id",
    "kind",
    "status",
    "seed",
    "parameters",
    "quality",
    "created_at",
    "finished_at",
    "published_at",
)


def _pairs(scope: PackageScope) -> Table:
    programme = scope.programme
    rows = (
        PublishedPair.objects.filter(cohort__programme=programme)
        .filter(scope.cohort_q())
        .order_by("run_id", "label", "pk")
        .values_list("run_id", "cohort_id", "label", "a_id", "b_id")
    )
    return Table(
        name="published_pairs",
        title="Published pairs",
        description="One row per pair (a trio is three rows).",
        columns=[
            Column("matching_run_id", "integer", "matching_runs.id"),
            Column("cohort_id", "integer", "cohorts.id"),
            Column("label", "string"),
            Column("person_a", "string", "Pseudonym (people.person)"),
            Column("person_b", "string", "Pseudonym (people.person)"),
        ],
        rows=(
            [run, cohort, label, pseudonym(programme, a), pseudonym(programme, b)]
            for run, cohort, label, a, b in rows.iterator(2000)
        ),
        foreign_keys={"matching_run_id": ("matching_runs", "id")},
    )


def tables(programme: Programme, user: User) -> list[Table]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    return [_runs(scope), _pairs(scope)]

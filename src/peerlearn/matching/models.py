"""Matching runs of a cohort, the moves made after them, and published pairs.

A :class:`MatchingRun` keeps everything needed to defend and repeat a grouping:
its parameters and seed, the engine's quality figures and the resulting
placements (``result``). Edits (moves, locks) are optimistic: each form carries
the run's ``version`` and a save only happens with ``UPDATE ... WHERE version =
n`` (see :meth:`MatchingRun.save_result`).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models import F, Func
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peerlearn.matching.result import RunParameters, RunResult

SEED_MAX = 2**32 - 1
"""The largest seed: numpy's SeedSequence takes any natural number, but
scikit-learn's ``random_state`` (used by the engine's similarity backends) stops
at 2**32 - 1. Seeds are 0..SEED_MAX, stated in the forms' help."""

KIND_CHOICES = (
    ("groups", _("Groups")),
    ("pairs", _("Pairs")),
)

STATUS_CHOICES = (
    ("queued", _("Queued")),
    ("running", _("Running")),
    ("done", _("Done")),
    ("failed", _("Failed")),
)

MOVE_SOURCE_CHOICES = (
    ("facilitator", _("Moved by a facilitator")),
    ("request", _("Participant's request, accepted")),
)

REQUEST_STATUS_CHOICES = (
    ("pending", _("Waiting for a decision")),
    ("accepted", _("Accepted")),
    ("declined", _("Declined")),
)


class MatchingRun(models.Model):
    """One run of the engine for one cohort (groups or pairs)."""

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="matching_runs"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES, default="groups")
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # 64-bit: the forms allow 0..SEED_MAX (what numpy and scikit-learn accept),
    # more than PostgreSQL's 32-bit integer holds.
    seed = models.BigIntegerField(_("seed"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default="queued")
    error = models.TextField(_("error"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    quality = models.JSONField(_("quality figures"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("re-run of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
    )
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("matching:run", args=[self.cohort.programme.slug, self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in {"queued", "running"}

    @property
    def run_parameters(self) -> RunParameters:
        """The parameters, typed (the one reader: :meth:`RunParameters.from_json`)."""
        return RunParameters.from_json(self.parameters)

    @property
    def run_result(self) -> RunResult:
        """The result, typed (the one reader: :meth:`RunResult.from_json`)."""
        return RunResult.from_json(self.result)

    def save_result(self, expected_version: int, result: RunResult) -> bool:
        """Store ``result`` only if nobody saved since ``expected_version``.

        Returns ``False`` (and changes nothing) on a stale version.
        """
        data = result.to_json()
        updated = MatchingRun.objects.filter(pk=self.pk, version=expected_version).update(
            result=data, version=F("version") + 1
        )
        if updated:
            self.result = data
            self.version = expected_version + 1
        return bool(updated)

    def save_move(
        self, expected_version: int, person_id: str, to_label: str, result: RunResult
    ) -> bool:
        """Like :meth:`save_result` for one move, writing only what a move changes.

        ``result`` is the new result as the caller computed it; the database is
        told only the changed parts (the person's group, the problems, the
        person's "moved" mark) through :class:`JsonMergePatch`, so a move in a
        10,000-person run does not serialise and send megabytes of JSON
        (measured: 0.24 s of a 0.34 s move on PostgreSQL, see
        benchmarks/matching_web.py).
        """
        return self.save_moves(expected_version, [person_id], result)

    def save_moves(self, expected_version: int, person_ids: list[str], result: RunResult) -> bool:
        """:meth:`save_move` for several people at once (a swap moves two)."""
        patch = {
            "assignment": {pid: result.assignment[pid] for pid in person_ids},
            "problems": result.problems,
            "members": {pid: dict(result.members.get(pid) or {}) for pid in person_ids},
        }
        updated = MatchingRun.objects.filter(pk=self.pk, version=expected_version).update(
            result=JsonMergePatch(F("result"), patch), version=F("version") + 1
        )
        if updated:
            self.result = result.to_json()
            self.version = expected_version + 1
        return bool(updated)


class JsonMergePatch(Func):
    """``result`` with an RFC 7396 merge patch applied, in the database (an ORM expression).

    The ORM has no JSON-path update, and writing the whole result misses the
    0.2 s move target at 10,000 people, so this expression compiles to each
    database's own JSON function: SQLite's ``json_patch`` (RFC 7396 itself)
    and, on PostgreSQL, one ``jsonb_set`` per patched leaf (the patch here is
    two levels deep: ``{"key": {"id": value}}`` or ``{"key": value}``; the
    callers send each ``value`` whole, so both readings agree).
    """

    output_field = models.JSONField()

    def __init__(self, expression: Any, patch: dict[str, Any]) -> None:
        self.patch = patch
        super().__init__(expression)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_patch({sql}, %s)", [*params, json.dumps(self.patch)]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        for key, value in self.patch.items():
            leaves = value.items() if isinstance(value, dict) else [(None, value)]
            for sub, leaf in leaves:
                # A leaf is written whole (a member's full info, not one key of
                # it): jsonb_set creates only the last step of a path, so a
                # member missing from the stored map would be silently skipped.
                path = [key] if sub is None else [key, str(sub)]
                sql = f"jsonb_set({sql}, %s, %s::jsonb)"
                params = [*params, path, json.dumps(leaf)]
        return sql, params


class Move(models.Model):
    """A person moved from one group to another after a run (kept for the record)."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="moves")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    from_group = models.CharField(_("from"), max_length=50)
    to_group = models.CharField(_("to"), max_length=50)
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=MOVE_SOURCE_CHOICES)
    moved_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("move")
        verbose_name_plural = _("moves")

    def __str__(self) -> str:
        return f"{self.person} {self.from_group} → {self.to_group}"


class MoveRequest(models.Model):
    """A participant asks to leave their published group, with a reason."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="move_requests")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    from_group = models.CharField(_("from"), max_length=50)
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=REQUEST_STATUS_CHOICES, default="pending"
    )
    decided_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("move request")
        verbose_name_plural = _("move requests")
        # One open request per person and run, even when the button is pressed
        # twice at once (each would e-mail every facilitator).
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person"],
                condition=models.Q(status="pending"),
                name="one_pending_move_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.reason[:40]}"


class PublishedPair(models.Model):
    """One pair (or one edge of a trio) of a published pairs run.

    ``group`` is the pair's ``programmes.Group`` (kind "pair", every row of a
    trio points at the same one): what the pair files check-ins, products and
    notes in. Empty only for rows of a pairs run that was no longer the
    current one when groups for pairs came in (see the migration).
    """

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="published_pairs")
    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="published_pairs"
    )
    label = models.CharField(_("pair"), max_length=50)
    a = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "programmes.Group",
        verbose_name=_("group of the pair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_pairs",
    )

    class Meta:
        ordering = ["label", "pk"]
        verbose_name = _("published pair")
        verbose_name_plural = _("published pairs")

    def __str__(self) -> str:
        return f"{self.label}: {self.a} – {self.b}"

"""Learning exchanges: who learned what from whom (the mutuality ledger's records).

One row is one exchange, read "``receiver`` learned ``learned`` from
``giver``".  The metrics live in :mod:`peerlearn.engine.mutuality`; this
module only stores.  A database constraint keeps self-loops and duplicates
(same giver, receiver, kind and day) out even when two requests race.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

KIND_CHOICES = [
    ("advice", _("advice")),
    ("tool", _("tool or document")),
    ("visit", _("site visit")),
    ("joint_task", _("joint task")),
    ("contact", _("contact")),
]

APPLIED_CHOICES = [
    ("yes", _("yes")),
    ("no", _("no")),
    ("unknown", _("not yet known")),
]

SOURCE_CHOICES = [
    ("entry", _("entry")),
    ("checkin", _("check-in")),
    ("survey", _("survey")),
]


class Exchange(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="exchanges"
    )
    giver = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="exchanges_given",
        verbose_name=_("learned from"),
    )
    receiver = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="exchanges_received",
        verbose_name=_("who learned"),
    )
    when = models.DateField(_("when"))
    session = models.ForeignKey(
        "delivery.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    group = models.ForeignKey(
        "programmes.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, default="advice")
    learned = models.TextField(_("what was learned"), max_length=2000)
    applied = models.CharField(
        _("applied"), max_length=10, choices=APPLIED_CHOICES, default="unknown"
    )
    recorded_by = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=SOURCE_CHOICES, default="entry")
    #: The survey answer it was mapped from (``mel.from_surveys``), if any: the
    #: response and which of its answers (0: the flat item; n: the repeat's n-th
    #: instance).  Mapping the same answer twice is refused by a constraint.
    response = models.ForeignKey(
        "surveys.Response",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey response"),
    )
    response_item = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(_("confirmed by the other side on"), null=True, blank=True)
    other_note = models.TextField(_("the other side's note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-when", "-pk"]
        verbose_name = _("learning exchange")
        verbose_name_plural = _("learning exchanges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=F("receiver")), name="mel_exchange_no_self_loop"
            ),
            models.UniqueConstraint(
                fields=["programme", "giver", "receiver", "kind", "when"],
                name="mel_exchange_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["response", "response_item"],
                condition=Q(response__isnull=False),
                name="mel_exchange_once_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.receiver} ({self.when})"

    @property
    def is_group_material(self) -> bool:
        """Recorded inside a group's check-in: private to the group's circle (docs/mel.md)."""
        return self.source == "checkin"

    def other_side_ids(self) -> set[int]:
        """Who may confirm: the side that did not record it (either, if a facilitator did)."""
        sides = {self.giver_id, self.receiver_id}
        if self.recorded_by_id in sides:
            return sides - {self.recorded_by_id}
        return sides


AUDIENCE_CHOICES = [
    ("programme", _("the programme's facilitators")),
    ("evaluator", _("evaluators")),
]


class MutualitySnapshot(models.Model):
    """The programme ledger's figures as one audience reads them, computed in a task.

    ``figures`` holds ids and numbers only (``mel/snapshots.py``: names are
    looked up when the page is shown); ``fingerprint`` is the state of the
    data they were computed from, so the page can tell they are out of date.
    ``as_of`` is when the computation claimed its work: a later one wins.
    ``network`` holds the learning network page's summary per level (person,
    organisation, country: metrics, the busiest nodes and, for a graph small
    enough to draw, its layout; ``mel/network.py``), ids and numbers too.
    """

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(max_length=20, choices=AUDIENCE_CHOICES)
    figures = models.JSONField()
    network = models.JSONField(default=dict, blank=True)
    fingerprint = models.JSONField()
    as_of = models.DateTimeField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("mutuality snapshot")
        verbose_name_plural = _("mutuality snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "audience"], name="mel_snapshot_one_per_audience"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.audience} {self.computed_at:%Y-%m-%d %H:%M}"


class MutualityRecompute(models.Model):
    """One row per programme: whether a recompute of its snapshots waits or runs.

    ``pending`` is set by a conditional UPDATE only when it was clear, and
    only the writer that set it enqueues the task: one recompute waits per
    programme however many exchanges arrive.  The task clears it with another
    conditional UPDATE (its claim) and sets ``started_at``; ``progress`` is
    its percentage.
    """

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    pending = models.BooleanField(default=False)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mutuality recompute")
        verbose_name_plural = _("mutuality recomputes")

    def __str__(self) -> str:
        return f"{self.programme_id} pending={self.pending} {self.progress}%"

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

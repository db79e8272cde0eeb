"""Check-ins, common problems, group products and their reviews (docs/progress.md)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peerlearn.progress import states

#: The questions of a check-in, in the order they are asked. A round asks
#: all of them unless the facilitator leaves some out (``CheckInRound.prompts``).
PROMPT_CHOICES = (
    ("completed", _("What did you complete?")),
    ("achieved", _("What did you achieve against your objectives?")),
    ("stuck", _("Where are you stuck?")),
    ("help", _("What help do you need?")),
    ("next_steps", _("What are your next steps?")),
    ("progress", _("How far along are you?")),
)
PROMPT_KEYS = [key for key, _label in PROMPT_CHOICES]

PROGRESS_CHOICES = (
    (1, _("1 – not started")),
    (2, _("2 – early")),
    (3, _("3 – half way")),
    (4, _("4 – nearly there")),
    (5, _("5 – done")),
)

#: The fields of a check-in kept in each version.
CHECKIN_FIELDS = (
    "completed",
    "achieved",
    "stuck",
    "help_peers",
    "help_authoriser",
    "help_training",
    "next_steps",
    "progress",
)


class ProgressSettings(models.Model):
    """Per programme: whether evaluators read check-ins and products (default: no)."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="progress_settings"
    )
    evaluators_see_progress = models.BooleanField(
        _("evaluators may read check-ins and products"), default=False
    )

    class Meta:
        verbose_name = _("progress settings")
        verbose_name_plural = _("progress settings")

    def __str__(self) -> str:
        return str(self.programme)


class CheckInRound(models.Model):
    """A date by which every current group of a cohort reports its progress.

    ``session_id`` is a hook for the sessions of the delivery app: the id of
    the session at which the round is held, a plain integer (no foreign key,
    so this app does not depend on that one). Empty when the round is
    chosen by date only.
    """

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="check_in_rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    prompts = models.JSONField(_("questions asked"), default=list, blank=True)
    session_id = models.PositiveIntegerField(_("session"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("check-in round")
        verbose_name_plural = _("check-in rounds")

    def __str__(self) -> str:
        return self.title

    def asks(self, key: str) -> bool:
        return not self.prompts or key in self.prompts


class CheckIn(models.Model):
    """What a group reports in one round; edits raise ``version`` and keep the old text.

    Saving is a conditional UPDATE on the version the writer started from
    (:func:`peerlearn.progress.checkins.save_check_in`): of two members
    editing at once, the second is told and loses nothing silently.
    """

    round = models.ForeignKey(CheckInRound, on_delete=models.CASCADE, related_name="check_ins")
    group = models.ForeignKey(
        "programmes.Group", on_delete=models.CASCADE, related_name="check_ins"
    )
    completed = models.TextField(_("completed"), blank=True, max_length=5000)
    achieved = models.TextField(_("achieved"), blank=True, max_length=5000)
    stuck = models.TextField(_("where we are stuck"), blank=True, max_length=5000)
    help_peers = models.TextField(_("help needed from peers"), blank=True, max_length=5000)
    help_authoriser = models.TextField(
        _("help needed from an authoriser"), blank=True, max_length=5000
    )
    help_training = models.TextField(_("training needed"), blank=True, max_length=5000)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=5000)
    progress = models.PositiveSmallIntegerField(
        _("self-rated progress"),
        choices=PROGRESS_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    author = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round__due_date", "group__name"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint("round", "group", name="check_in_once_per_round"),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__gte=1, progress__lte=5),
                name="check_in_progress_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} – {self.round}"

    def snapshot(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in CHECKIN_FIELDS}


class CheckInVersion(models.Model):
    """One saved state of a check-in: every edit is kept."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    fields = models.JSONField(default=dict)
    author = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint("check_in", "number", name="check_in_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.check_in} v{self.number}"


class CommonProblem(models.Model):
    """A problem the engine found in several groups' check-ins, kept for the facilitator.

    ``label`` is made of the texts' own words; ``excerpts`` lists
    ``[check_in_id, field]`` pairs. Turning it into a working group sets
    ``working_group`` with a conditional UPDATE (only while it is empty), so
    two facilitators pressing the button at once create one group.
    """

    STATUS_CHOICES = (
        ("proposed", _("proposed")),
        ("dismissed", _("dismissed")),
        ("converted", _("turned into a working group")),
    )

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="common_problems"
    )
    label = models.CharField(_("label"), max_length=300)
    key_terms = models.JSONField(default=list)
    group_ids = models.JSONField(default=list)
    excerpts = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default="proposed")
    working_group = models.ForeignKey(
        "programmes.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("common problem")
        verbose_name_plural = _("common problems")

    def __str__(self) -> str:
        return self.label


class WorkingGroup(models.Model):
    """Marks a programmes.Group as a cross-group working group, and where it came from.

    The group itself is an ordinary group of the cohort (members, notes,
    check-ins and products work the same); this row says which groups its
    members were drawn from, from which problem or by which role.
    """

    group = models.OneToOneField(
        "programmes.Group", on_delete=models.CASCADE, related_name="working_group"
    )
    problem = models.ForeignKey(
        CommonProblem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_group_ids = models.JSONField(default=list)
    role_term = models.CharField(_("role or profession"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.group)


PRODUCT_KIND_CHOICES = (
    ("report", _("report")),
    ("policy_brief", _("policy brief")),
    ("action_plan", _("action plan")),
    ("presentation", _("presentation")),
    ("toolkit", _("toolkit or guide")),
    ("other", _("other")),
)

PRODUCT_STATE_CHOICES = (
    (states.DRAFT, _("draft")),
    (states.SUBMITTED, _("submitted")),
    (states.IN_REVIEW, _("in review")),
    (states.REVISE, _("to revise")),
    (states.ACCEPTED, _("accepted")),
    (states.PUBLISHED, _("published")),
)


class Rubric(models.Model):
    """The criteria products of a programme are reviewed against."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="product_rubric"
    )

    def __str__(self) -> str:
        return str(self.programme)


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what reviewers look for"), blank=True, max_length=2000)
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=4, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.title


class Product(models.Model):
    """A concrete result a group produces: a file or a link, in versions, then reviewed."""

    group = models.ForeignKey("programmes.Group", on_delete=models.CASCADE, related_name="products")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PRODUCT_KIND_CHOICES)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=PRODUCT_STATE_CHOICES, default=states.DRAFT
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "title"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.title

    @property
    def latest_version(self) -> ProductVersion | None:
        return self.versions.order_by("-number").first()


class ProductVersion(models.Model):
    """One version of a product: a file (kept in the database, checked) or a link."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    link = models.URLField(_("link"), blank=True, max_length=500)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(default=b"", blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    author = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint("product", "number", name="product_version_unique"),
            models.CheckConstraint(
                condition=~Q(link="") | ~Q(filename=""), name="product_version_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} v{self.number}"


class Review(models.Model):
    """A reviewer's scores (per criterion id) and comments on one product.

    A reviewer is never a member of the product's group nor from the same
    organisation as any member (:mod:`peerlearn.engine.reviewers`, checked
    when the reviewer is assigned).
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="product_reviews"
    )
    scores = models.JSONField(default=dict, blank=True)
    comments = models.TextField(_("comments"), blank=True, max_length=10000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint("product", "reviewer", name="review_once_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} – {self.product}"

"""Group products: versions, moves through the review, reviewers and their reviews."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from peerlearn.core import uploads as files
from peerlearn.engine import reviewers as engine
from peerlearn.people.models import Person
from peerlearn.programmes.models import GroupMember, Membership, Programme
from peerlearn.progress import states
from peerlearn.progress.models import Product, ProductVersion, Review, Rubric, RubricCriterion


class ProductError(Exception):
    """A refused change, with a message for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(settings.PRODUCT_MAX_BYTES)


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


def add_version(
    product: Product,
    *,
    author: Person | None,
    link: str = "",
    upload: Upload | None = None,
    note: str = "",
) -> ProductVersion:
    """A new version (file or link) while the product is a draft or sent back to revise.

    The product row is locked while the number is chosen, and the state is
    read under that lock: a version is never added to a product already
    submitted by another member a moment earlier.
    """
    sniffed: files.Sniffed | None = None
    if upload is not None:
        sniffed = files.sniff(upload.data, upload.filename, max_bytes=max_bytes())
        if sniffed.error:
            raise ProductError(file_message(sniffed.error))
    if sniffed is None and not link:
        raise ProductError(_("Upload a file or give a link."))
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        if locked.state not in states.EDITABLE:
            raise ProductError(_("This product is under review: it cannot change now."))
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ProductVersion(
            product=locked, number=number, link=link, note=note.strip(), author=author
        )
        if sniffed is not None and upload is not None:
            version.data = upload.data
            version.size = len(upload.data)
            version.filename = sniffed.stored_name(upload.filename)
            version.content_type = sniffed.content_type
        version.save()
    return version


def file_message(code: str) -> str:
    limit = max_bytes() // (1024 * 1024) or 1
    messages = {
        files.EMPTY: _("The file is empty."),
        files.TOO_LARGE: _("The file is too large: at most %(limit)s MB.") % {"limit": limit},
        files.TYPE: _(
            "This kind of file is not accepted. Upload a PDF, Word (.docx), Excel (.xlsx), "
            "PowerPoint (.pptx), OpenDocument text (.odt), PNG or JPEG file, or give a link."
        ),
        files.MACROS: _(
            "The file contains macros, which can run programs. Save it without macros "
            "(.docx, .xlsx or .pptx) and upload that."
        ),
        files.ACTIVE_PDF: _(
            "The PDF contains scripts or actions that can run programs. Print it to a new "
            "PDF and upload that."
        ),
        files.DAMAGED: _("The file looks damaged and cannot be read."),
    }
    return messages[code]


def move(product: Product, move_name: str, *, by: str) -> bool:
    """Make a move of :mod:`peerlearn.progress.states`: a conditional UPDATE on its source state.

    Returns False when the product had already left that state (someone
    else moved it first, or the page was old): nothing is written.
    Submitting needs at least one version.
    """
    step = states.move_named(move_name)
    if step is None or step.by != by:
        return False
    if step.target == states.SUBMITTED and not product.versions.exists():
        return False  # versions are never deleted: checking first cannot race
    rows = Product.objects.filter(pk=product.pk, state=step.source)
    return rows.update(state=step.target, state_changed_at=timezone.now()) == 1


#: The starting criteria (marked for translation, translated when written).
DEFAULT_CRITERIA = (
    (
        gettext_noop("Answers the problem the group set out to solve"),
        gettext_noop("Does it deal with the problem the group named, in the group's own setting?"),
    ),
    (
        gettext_noop("Rests on evidence"),
        gettext_noop("Are its claims backed by data, cases or what peers have lived through?"),
    ),
    (
        gettext_noop("Can be put to use"),
        gettext_noop("Could the members' organisations act on it with the means they have?"),
    ),
    (
        gettext_noop("Clear to its readers"),
        gettext_noop("Would a busy official understand it on a first reading?"),
    ),
)


def rubric_for(programme: Programme) -> Rubric:
    """The programme's rubric, with a starting set of criteria the first time."""
    rubric, created = Rubric.objects.get_or_create(programme=programme)
    if created:
        RubricCriterion.objects.bulk_create(
            RubricCriterion(rubric=rubric, position=i, title=_(title), description=_(text))
            for i, (title, text) in enumerate(DEFAULT_CRITERIA)
        )
    return rubric


def _as_reviewer(person: Person) -> engine.Reviewer:
    return engine.Reviewer(person.pk, organisation_id=person.organisation_id)


def _reviewed(product: Product) -> engine.Reviewed:
    members = Person.objects.filter(group_memberships__group=product.group)
    return engine.Reviewed(product.pk, members=tuple(_as_reviewer(m) for m in members))


def conflict_message(reasons: Sequence[str]) -> str:
    if engine.MEMBER in reasons:
        return _("A member of the group cannot review its own product.")
    return _(
        "This person works for the same organisation as a member of the group: "
        "choose a reviewer from another organisation."
    )


def possible_reviewers(product: Product) -> list[Person]:
    """Peers in the other current groups of the programme, and its facilitators."""
    programme_id = product.group.cohort.programme_id
    peers = GroupMember.objects.filter(
        group__cohort__programme_id=programme_id, group__archived_at__isnull=True
    ).exclude(group=product.group)
    facilitators = Membership.objects.filter(programme_id=programme_id, role="facilitator")
    people = Person.objects.filter(
        Q(pk__in=peers.values("person_id")) | Q(pk__in=facilitators.values("person_id"))
    )
    return list(people.select_related("organisation").order_by("name", "pk"))


def reviewer_conflicts(product: Product, people: Sequence[Person]) -> Mapping[int, list[str]]:
    reviewed = _reviewed(product)
    return {p.pk: engine.conflicts(_as_reviewer(p), reviewed) for p in people}


def propose_reviewers(product: Product, per_product: int = 2) -> list[Person]:
    """Reviewers the engine proposes, none in conflict, fewest reviews first."""
    pool = possible_reviewers(product)
    existing = list(product.reviews.values_list("reviewer_id", flat=True))
    chosen = engine.assign_reviewers(
        [_reviewed(product)],
        [_as_reviewer(p) for p in pool],
        per_product=per_product,
        existing={product.pk: existing},
        prior_load=_loads(product.group.cohort.programme_id),
        seed=product.pk,
    )[product.pk]
    by_pk = {p.pk: p for p in pool}
    return [by_pk[pk] for pk in chosen if pk in by_pk and pk not in existing]


def _loads(programme_id: int) -> dict[Hashable, int]:
    loads: dict[Hashable, int] = {}
    for pid in Review.objects.filter(product__group__cohort__programme_id=programme_id).values_list(
        "reviewer_id", flat=True
    ):
        loads[pid] = loads.get(pid, 0) + 1
    return loads


def assign_reviewer(product: Product, person: Person) -> Review:
    """Make ``person`` a reviewer of ``product``, refusing any conflict of interest."""
    reasons = engine.conflicts(_as_reviewer(person), _reviewed(product))
    if reasons:
        raise ProductError(conflict_message(reasons))
    try:
        with transaction.atomic():
            return Review.objects.create(product=product, reviewer=person)
    except IntegrityError as error:
        raise ProductError(_("This person already reviews this product.")) from error


def submit_review(review: Review, *, scores: dict[str, int], comments: str) -> bool:
    """Save a review while the product is in review: one conditional UPDATE.

    Returns False when the review closed in the meantime (accepted or sent
    back): the scores are not written after the decision.
    """
    updated = Review.objects.filter(pk=review.pk, product__state__in=states.REVIEWABLE).update(
        scores=scores, comments=comments.strip(), submitted_at=timezone.now()
    )
    return updated == 1

"""Who reads and writes check-ins, products and reviews (docs/privacy.md, "Progress").

* A group's check-ins and products: the group's members, the facilitators of
  its cohort (or of the programme), and evaluators only when the programme's
  facilitator switched that on (:class:`ProgressSettings`). Never other
  participants or observers.
* Only members file and edit their group's check-ins and products.
* A reviewer reads the product they review (page and file), nothing else of
  the group.
* Reviews reach the group: members read every submitted review's scores and
  comments, without the reviewer's name; facilitators read the names.
"""

from __future__ import annotations

from peerlearn.people.models import Person
from peerlearn.programmes.models import Group, Programme
from peerlearn.programmes.permissions import Access, AnyUser, is_group_member
from peerlearn.progress.models import Product, ProgressSettings


def evaluators_see_progress(programme: Programme) -> bool:
    return ProgressSettings.objects.filter(
        programme=programme, evaluators_see_progress=True
    ).exists()


def evaluator_reads(access: Access, programme: Programme) -> bool:
    return "evaluator" in access.programme_roles and evaluators_see_progress(programme)


def can_see_progress(user: AnyUser, group: Group, access: Access, programme: Programme) -> bool:
    """A group's check-ins and products."""
    return (
        access.manages_cohort(group.cohort_id)
        or is_group_member(user, group)
        or evaluator_reads(access, programme)
    )


def can_write_for(user: AnyUser, group: Group) -> bool:
    """Filing check-ins and products: the group's own members, while the group is current."""
    return not group.is_archived and is_group_member(user, group)


def reviews_product(person: Person | None, product: Product) -> bool:
    return person is not None and product.reviews.filter(reviewer=person).exists()


def can_see_product(
    user: AnyUser, person: Person | None, product: Product, access: Access, programme: Programme
) -> bool:
    return can_see_progress(user, product.group, access, programme) or reviews_product(
        person, product
    )


def sees_overview(access: Access, programme: Programme) -> bool:
    """The side-by-side view of every group: facilitators, and evaluators when allowed."""
    return access.manages_any_cohort or evaluator_reads(access, programme)

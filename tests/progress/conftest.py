"""Progress fixtures on top of the shared ``world``: a round, check-ins, a product, a reviewer."""

from __future__ import annotations

import datetime as dt

from peerlearn.people.models import Organisation
from peerlearn.progress import checkins, products
from peerlearn.progress.models import CheckInRound, Product, ProgressSettings

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_round(world, cohort=None, title="Week 1", due=dt.date(2026, 3, 6)) -> CheckInRound:
    return CheckInRound.objects.create(cohort=cohort or world.event, title=title, due_date=due)


def file_check_in(world, group, round, **fields):
    member = group.members.first()
    return checkins.save_check_in(
        round=round, group=group, author=member, fields=fields, expected_version=None
    )


def pairs_run(world, pairs, *, cohort=None):
    """A finished pairs run (not published): ``pairs`` maps a label to two people, or three.

    A trio is stored as the engine's peer mode makes it: three rows (a
    triangle), one label.
    """
    from itertools import combinations

    from peerlearn.matching.models import MatchingRun

    rows = [
        {"label": label, "a": str(a.pk), "b": str(b.pk)}
        for label, people in pairs.items()
        for a, b in combinations(people, 2)
    ]
    return MatchingRun.objects.create(
        cohort=cohort or world.event,
        kind="pairs",
        parameters={"mode": "peer"},
        status="done",
        result={"mode": "peer", "pairs": rows, "problems": []},
    )


def publish(run, **kwargs):
    """Publish ``run`` the way the page does (checked), and return the outcome."""
    from peerlearn.matching import services

    outcome = services.publish(run, run.version, **kwargs)
    assert outcome.ok, outcome
    run.refresh_from_db()
    return outcome


def pair_group(world, people=("participant", "module_facilitator"), label="P1"):
    """The published pair of two personas (participant and module facilitator by default)."""
    from peerlearn.programmes.models import Group

    publish(pairs_run(world, {label: [world.people[k] for k in people]}))
    return Group.objects.get(kind="pair", archived_at__isnull=True, name=f"Pair {label}")


def other_organisation(world, key: str) -> Organisation:
    """Give persona ``key`` an organisation of their own (the world puts everyone in one)."""
    org = Organisation.objects.create(name=f"Agency of {key}", country="GH")
    world.people[key].organisation = org
    world.people[key].save()
    return org


def make_product(world, group=None, *, with_file=True, state=None) -> Product:
    group = group or world.group_a
    product = Product.objects.create(group=group, title="Land data plan", kind="action_plan")
    if with_file:
        products.add_version(
            product,
            author=group.members.first(),
            upload=products.Upload(PDF, "plan.pdf"),
        )
    if state:
        Product.objects.filter(pk=product.pk).update(state=state)
        product.refresh_from_db()
    return product


def reviewed_by_peer(world, state="in_review"):
    """A product of group A in review, with the peer (group B, another organisation) reviewing."""
    other_organisation(world, "peer")
    product = make_product(world, state=state)
    review = products.assign_reviewer(product, world.people["peer"])
    return product, review


def let_evaluators_read(world) -> None:
    ProgressSettings.objects.update_or_create(
        programme=world.programme, defaults={"evaluators_see_progress": True}
    )


def fill_progress_models(programme, cohort, a, b) -> None:
    """A row in every progress model, for the backup round trip (tests/site/test_backup.py)."""
    import datetime as dt

    from peerlearn.programmes.models import Group, GroupMember
    from peerlearn.progress.models import CommonProblem, Product, Review, WorkingGroup

    ProgressSettings.objects.create(programme=programme, evaluators_see_progress=True)
    group = Group.objects.create(cohort=cohort, name="Progress group")
    GroupMember.objects.create(group=group, person=a)
    round = CheckInRound.objects.create(cohort=cohort, title="Week 1", due_date=dt.date(2026, 3, 6))
    check_in = checkins.save_check_in(
        round=round, group=group, author=a, fields={"stuck": "Land records"}, expected_version=None
    )
    problem = CommonProblem.objects.create(
        cohort=cohort, label="land records", group_ids=[group.pk], excerpts=[[check_in.pk, "stuck"]]
    )
    WorkingGroup.objects.create(group=group, problem=problem, source_group_ids=[group.pk])
    product = Product.objects.create(group=group, title="Plan", kind="report")
    products.add_version(product, author=a, upload=products.Upload(PDF, "plan.pdf"))
    products.rubric_for(programme)
    Review.objects.create(product=product, reviewer=b, scores={"1": 3}, comments="Good")

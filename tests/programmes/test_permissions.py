"""A permission test for every view, with every persona.

Outsiders get 404 (a programme's existence is private), members without
the role get 403, anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.roster.models import RosterUpload

PERSONAS = [
    "anonymous",
    "outsider",
    "participant",
    "peer",
    "module_facilitator",
    "evaluator",
    "observer",
    "facilitator",
]

MEMBERS = {"participant", "peer", "module_facilitator", "evaluator", "observer", "facilitator"}


def expect(allowed: set[str], *, outsider: int = 404, member: int = 403, ok: int = 200):
    """Expected status per persona: ok for allowed, member/outsider codes for the rest."""
    table = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            table[persona] = 302
        elif persona in allowed:
            table[persona] = ok
        elif persona in MEMBERS:
            table[persona] = member
        else:
            table[persona] = outsider
    return table


def _pair(world):
    from tests.progress.conftest import pair_group

    return pair_group(world)


def _upload(world):
    return RosterUpload.objects.create(
        programme=world.programme, filename="r.csv", data=b"email,name\na@example.org,A\n"
    ).pk


def request_as(world, login, persona, name, url, method, expected):
    """Open ``url`` as ``persona`` and check the status (and the sign-in redirect)."""
    client = login(None if persona == "anonymous" else world.users[persona])
    response = getattr(client, method)(url(world))
    assert response.status_code == expected[persona], f"{name} as {persona}"
    if response.status_code == 302 and persona == "anonymous":
        assert reverse("accounts:login") in response["Location"]
    return response


# (name, url builder, method, expected statuses)
CASES = [
    (
        "programmes:list",
        lambda w: reverse("programmes:list"),
        "get",
        expect(set(PERSONAS) - {"anonymous"}),
    ),
    (
        "programmes:create",
        lambda w: reverse("programmes:create"),
        "get",
        expect({"facilitator", "outsider"}, outsider=403),
    ),
    (
        "programmes:detail",
        lambda w: reverse("programmes:detail", args=[w.programme.slug]),
        "get",
        expect(MEMBERS),
    ),
    (
        "programmes:edit",
        lambda w: reverse("programmes:edit", args=[w.programme.slug]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "programmes:cohort_create",
        lambda w: reverse("programmes:cohort_create", args=[w.programme.slug]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "programmes:cohort_edit event",
        lambda w: reverse("programmes:cohort_edit", args=[w.programme.slug, w.event.pk]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "programmes:cohort_edit module",
        lambda w: reverse("programmes:cohort_edit", args=[w.programme.slug, w.module.pk]),
        "get",
        expect({"facilitator", "module_facilitator"}),
    ),
    (
        "programmes:group",
        lambda w: reverse("programmes:group", args=[w.programme.slug, w.group_a.pk]),
        "get",
        expect({"facilitator", "participant", "evaluator"}, member=404),
    ),
    (
        # a published pair (participant + module facilitator) is a group of kind "pair"
        "programmes:group of a pair",
        lambda w: reverse("programmes:group", args=[w.programme.slug, _pair(w).pk]),
        "get",
        expect({"facilitator", "participant", "module_facilitator", "evaluator"}, member=404),
    ),
    (
        "people:list",
        lambda w: reverse("people:list", args=[w.programme.slug]),
        "get",
        expect(MEMBERS),
    ),
    (
        # The participant did not agree to be contacted: hidden from other participants
        # and observers (tests/roster/test_person_detail_privacy.py).
        "people:detail",
        lambda w: reverse("people:detail", args=[w.programme.slug, w.people["participant"].pk]),
        "get",
        expect({"facilitator", "module_facilitator", "evaluator", "participant"}, member=404),
    ),
    (
        "people:create",
        lambda w: reverse("people:create", args=[w.programme.slug]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:edit",
        lambda w: reverse("people:edit", args=[w.programme.slug, w.people["participant"].pk]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:invite",
        lambda w: reverse("people:invite", args=[w.programme.slug]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:invite_one",
        lambda w: reverse("people:invite_one", args=[w.programme.slug, w.people["participant"].pk]),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "people:role_add",
        lambda w: reverse("people:role_add", args=[w.programme.slug, w.people["participant"].pk]),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "people:role_remove",
        lambda w: reverse(
            "people:role_remove",
            args=[
                w.programme.slug,
                w.people["module_facilitator"].pk,
                w.people["module_facilitator"].memberships.first().pk,
            ],
        ),
        "post",
        expect({"facilitator"}, ok=302),
    ),
    (
        "people:import",
        lambda w: reverse("people:import", args=[w.programme.slug]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:import_preview",
        lambda w: reverse("people:import_preview", args=[w.programme.slug, _upload(w)]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:template csv",
        lambda w: reverse("people:template", args=[w.programme.slug, "csv"]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:template xlsx",
        lambda w: reverse("people:template", args=[w.programme.slug, "xlsx"]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:export csv",
        lambda w: reverse("people:export", args=[w.programme.slug, "csv"]),
        "get",
        expect({"facilitator"}),
    ),
    (
        "people:export xlsx",
        lambda w: reverse("people:export", args=[w.programme.slug, "xlsx"]),
        "get",
        expect({"facilitator"}),
    ),
    ("people:me", lambda w: reverse("people:me"), "get", expect(set(PERSONAS) - {"anonymous"})),
    (
        "people:my_challenges",
        lambda w: reverse("people:my_challenges", args=[w.programme.slug]),
        "get",
        expect(MEMBERS),
    ),
    (
        "people:organisations",
        lambda w: reverse("people:organisations"),
        "get",
        expect({"facilitator", "module_facilitator", "outsider"}, outsider=403, member=403),
    ),
    (
        "people:organisation_create",
        lambda w: reverse("people:organisation_create"),
        "get",
        expect({"facilitator", "module_facilitator", "outsider"}, outsider=403, member=403),
    ),
    (
        "people:organisation_edit",
        lambda w: reverse(
            "people:organisation_edit", args=[w.people["participant"].organisation_id]
        ),
        "get",
        expect({"facilitator", "module_facilitator", "outsider"}, outsider=403, member=403),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_public_pages_open_to_anonymous(client, db):
    for name in ("accounts:login", "accounts:link_request"):
        assert client.get(reverse(name)).status_code == 200


def test_admin_is_for_staff_only(world, login):
    assert login(world.users["facilitator"]).get("/admin/").status_code == 302
    world.users["facilitator"].is_staff = True
    world.users["facilitator"].is_superuser = True
    world.users["facilitator"].save()
    assert login(world.users["facilitator"]).get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("persona", "sees_secret"),
    [("facilitator", True), ("participant", True), ("evaluator", False)],
)
def test_group_notes_private_to_members_and_facilitators(world, login, persona, sees_secret):
    response = login(world.users[persona]).get(
        reverse("programmes:group", args=[world.programme.slug, world.group_a.pk])
    )
    assert response.status_code == 200
    assert ("Secret of group A" in response.content.decode()) is sees_secret


def test_evaluator_cannot_post_to_a_group(world, login):
    url = reverse("programmes:group", args=[world.programme.slug, world.group_a.pk])
    response = login(world.users["evaluator"]).post(url, {"text": "hello"})
    assert response.status_code == 403
    assert not world.group_a.notes.filter(text="hello").exists()


@pytest.mark.parametrize(
    ("persona", "sees_emails"),
    [("facilitator", True), ("participant", False), ("evaluator", False), ("observer", False)],
)
def test_emails_only_for_facilitators(world, login, persona, sees_emails):
    response = login(world.users[persona]).get(reverse("people:list", args=[world.programme.slug]))
    assert ("peer@example.org" in response.content.decode()) is sees_emails


def test_programme_list_shows_only_own_programmes(world, login):
    body = login(world.users["participant"]).get(reverse("programmes:list")).content.decode()
    assert "Reform leaders" in body
    assert "Other network" not in body


def test_every_view_has_a_permission_case():
    """A new page without a row in CASES fails here."""
    from peerlearn.accounts import urls as accounts_urls
    from peerlearn.programmes import urls as programmes_urls
    from peerlearn.roster import urls as people_urls

    covered = {name.split(" ")[0] for name, *_ in CASES}
    covered |= {"accounts:login", "accounts:link_request"}  # public, tested above
    covered |= {"accounts:logout", "accounts:link"}  # tested in test_accounts.py
    for module in (accounts_urls, people_urls, programmes_urls):
        for pattern in module.urlpatterns:
            assert f"{module.app_name}:{pattern.name}" in covered, pattern.name


def test_module_facilitator_sees_only_their_modules_emails(world, login):
    from peerlearn.programmes.models import Membership

    Membership.objects.create(
        person=world.people["peer"],
        programme=world.programme,
        cohort=world.module,
        role="participant",
    )
    body = (
        login(world.users["module_facilitator"])
        .get(reverse("people:list", args=[world.programme.slug]))
        .content.decode()
    )
    assert "peer@example.org" in body, "peer takes part in the module"
    assert "participant@example.org" not in body, "participant is only in the event"


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_visible_groups_agrees_with_can_see_group_for_every_persona(world, persona):
    from peerlearn.programmes.models import Group
    from peerlearn.programmes.permissions import access_for, can_see_group, visible_groups

    user = world.users.get(persona)
    groups = list(Group.objects.filter(cohort__programme=world.programme))
    access = access_for(user, world.programme)
    expected = [g for g in groups if can_see_group(user, g, access)]
    assert visible_groups(user, groups, access) == expected

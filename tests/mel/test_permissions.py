"""A permission test for every mel page, with every persona.

Ledgers of the programme, groups and organisations: facilitators and
evaluators.  A person's ledger: the person, their facilitators, evaluators
(others 404, as if hidden).  Recording: participants and facilitators.
Confirming: the other side only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.mel import urls as mel_urls
from tests.mel.conftest import learned
from tests.programmes.test_permissions import MEMBERS, PERSONAS, expect, request_as

READERS = {"facilitator", "module_facilitator", "evaluator"}
# module_facilitator facilitates the module; participant and peer are in the event.
EVENT_READERS = {"facilitator", "evaluator"}


def url(name, args=lambda w: []):
    return lambda w: reverse(f"mel:{name}", args=[w.programme.slug, *args(w)])


def hidden(allowed, *, forbidden=()):
    out = expect(set(allowed), member=404)
    for persona in forbidden:
        out[persona] = 403
    return out


CASES = [
    ("mel:ledger", url("ledger"), "get", expect(READERS)),
    ("mel:mine", url("mine"), "get", expect(MEMBERS)),
    (
        "mel:record",
        url("record"),
        "get",
        expect({"participant", "peer", "module_facilitator", "facilitator"}),
    ),
    (
        # peer is the other side of what participant recorded; the participant cannot
        # confirm their own record (403); the facilitator sees it but is no side (403).
        "mel:confirm",
        url("confirm", lambda w: [learned(w).pk]),
        "post",
        hidden({"peer"}, forbidden={"participant", "facilitator", "evaluator"}) | {"peer": 302},
    ),
    (
        "mel:person",
        url("person", lambda w: [w.people["participant"].pk]),
        "get",
        hidden(EVENT_READERS | {"participant"}),
    ),
    (
        "mel:pair",
        url("pair", lambda w: [w.people["participant"].pk, w.people["peer"].pk]),
        "get",
        hidden(EVENT_READERS | {"participant", "peer"}),
    ),
    (
        "mel:group",
        url("group", lambda w: [w.group_a.pk]),
        "get",
        expect(READERS, member=403) | {"module_facilitator": 404},
    ),
    (
        "mel:organisation",
        url("organisation", lambda w: [w.people["participant"].organisation_id]),
        "get",
        expect(READERS),
    ),
    (
        # group A's member only; the group's facilitator may read, not write (403).
        "mel:group_learned",
        url("group_learned", lambda w: [w.group_a.pk]),
        "get",
        hidden({"participant"}, forbidden={"facilitator"}),
    ),
    (
        # one exchange: its two people, the facilitators of the programme or of either
        # person's cohort (not the module's), evaluators; others 404, as if hidden
        "mel:exchange",
        url("exchange", lambda w: [learned(w).pk]),
        "get",
        hidden({"participant", "peer", "facilitator", "evaluator"}),
    ),
    (
        "mel:from_survey",
        url("from_survey"),
        "get",
        expect({"facilitator", "module_facilitator"}),
    ),
    ("mel:network", url("network"), "get", expect(READERS)),
    ("mel:network_export", url("network_export", lambda w: ["csv"]), "get", expect(READERS)),
    (
        "mel:network_export graphml",
        url("network_export", lambda w: ["graphml"]),
        "get",
        expect(READERS),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_every_mel_url_has_a_permission_row():
    """A new mel page without a row in CASES fails here."""
    covered = {name.split(" ")[0] for name, *_ in CASES}
    declared = {f"{mel_urls.app_name}:{p.name}" for p in mel_urls.urlpatterns}
    assert not declared - covered, f"no permission test for {sorted(declared - covered)}"

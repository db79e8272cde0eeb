"""Exchanges from survey answers: a "who did you learn from, and what?" item.

The surveys app stores a response's answers as one flat dict, question name
to value (``Response.answers``); repeat groups are not there yet. A survey
that asks the item uses these question names (:data:`DEFAULT_FIELDS`):

* ``learned_from``: whom (their e-mail address or their name as the
  programme lists it; a select whose choice values are e-mails works too);
* ``learned_what``: what was learned (text);
* ``learned_kind``: optional, one of the exchange kinds (default advice);
* ``learned_applied``: optional, yes / no / unknown.

Only *identified* responses map (the respondent is the receiver): a
pseudonymous or anonymous answer never becomes a named exchange. The day is
the response's submission day. Every refusal is returned with a code, and
what maps is written exchange by exchange through the same checks as the
pages (:func:`peerlearn.mel.services.record_exchange`), so a re-run skips
what is already there as a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from peerlearn.mel import services
from peerlearn.mel.access import programme_people
from peerlearn.mel.models import APPLIED_CHOICES, KIND_CHOICES
from peerlearn.people.models import Person

DEFAULT_FIELDS = {
    "who": "learned_from",
    "what": "learned_what",
    "kind": "learned_kind",
    "applied": "learned_applied",
}
KINDS = {code for code, _label in KIND_CHOICES}
APPLIED = {code for code, _label in APPLIED_CHOICES}


@dataclass
class Mapped:
    """Exchange ids written, and (response id, code) for each answer not mapped."""

    created: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _find(people: Iterable[Person], named: str) -> Person | None:
    key = named.strip().casefold()
    matches = [p for p in people if key in (p.email.casefold(), p.name.strip().casefold())]
    return matches[0] if len(matches) == 1 else None


def exchanges_from_responses(
    responses: Iterable[Any], fields: Mapping[str, str] = DEFAULT_FIELDS
) -> Mapped:
    """Map each response's item to an exchange (``responses`` of one programme's surveys)."""
    out = Mapped()
    people_of: dict[int, list[Person]] = {}
    for response in responses:
        answers = response.answers or {}
        named = answers.get(fields["who"])
        if not named:
            continue
        if response.person_id is None or response.submitted_at is None:
            out.skipped.append((response.pk, "not_identified"))
            continue
        programme = response.survey.programme
        if programme.pk not in people_of:
            people_of[programme.pk] = list(programme_people(programme))
        giver = _find(people_of[programme.pk], str(named))
        if giver is None:
            out.skipped.append((response.pk, "unknown_person"))
            continue
        kind = answers.get(fields["kind"]) or "advice"
        applied = answers.get(fields["applied"]) or "unknown"
        try:
            exchange = services.record_exchange(
                programme,
                giver=giver,
                receiver=response.person,
                when=response.submitted_at.date(),
                kind=kind if kind in KINDS else "advice",
                learned=str(answers.get(fields["what"]) or "")[:2000],
                applied=applied if applied in APPLIED else "unknown",
                recorded_by=response.person,
                source="survey",
            )
        except services.ExchangeError as error:
            out.skipped.append((response.pk, error.code))
        else:
            out.created.append(exchange.pk)
    return out

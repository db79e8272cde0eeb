"""Exchanges from survey answers: the "who did you learn from, and what?" item.

The built-in session pulse and follow-ups ask it as a repeat group, one
instance per peer (``surveys.instruments.kit.learned_from_item``); the surveys
app stores the instances as a list under the repeat's name in
``Response.answers``.  An imported form may also ask it once, as flat
questions.  Either way the question names are :data:`DEFAULT_FIELDS`:

* ``learned_from``: whom (their e-mail address or their name as the
  programme lists it; a select whose choice values are e-mails works too);
* ``learned_what``: what was learned (text);
* ``learned_kind``: optional, one of the exchange kinds (default advice);
* ``learned_applied``: optional, yes / no / unknown.

Only *identified* responses map (the respondent is the receiver): a
pseudonymous or anonymous answer never becomes a named exchange. The day is
the response's submission day.  Every answer that does not map is returned
with its response, its instance and a code; what maps is written exchange by
exchange through the same checks as the pages
(:func:`peerlearn.mel.services.record_exchange`), carrying the response and
the instance it came from, so mapping the same answer again writes nothing
(``already_mapped``), whoever runs it: the task after a submission
(:mod:`peerlearn.mel.tasks`) or a facilitator's "import from survey".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from peerlearn.mel import services
from peerlearn.mel.access import programme_people
from peerlearn.mel.models import APPLIED_CHOICES, KIND_CHOICES, Exchange
from peerlearn.people.models import Person

#: The repeat the built-in instruments ask the item in.
REPEAT = "learned"
DEFAULT_FIELDS = {
    "who": "learned_from",
    "what": "learned_what",
    "kind": "learned_kind",
    "applied": "learned_applied",
}
KINDS = {code for code, _label in KIND_CHOICES}
APPLIED = {code for code, _label in APPLIED_CHOICES}


@dataclass(frozen=True)
class Skipped:
    """An answer that did not become an exchange: ``instance`` 0 is the flat item,
    ``n`` the repeat's n-th instance; ``code`` says why."""

    response: int
    instance: int
    code: str


@dataclass
class Mapped:
    """Exchange ids written, and every answer not mapped."""

    created: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many answers were skipped, by code (for the import page's summary)."""
        out: dict[str, int] = {}
        for item in self.skipped:
            out[item.code] = out.get(item.code, 0) + 1
        return out


def carries_item(answers: Mapping[str, Any] | None, fields: Mapping[str, str] = DEFAULT_FIELDS):
    """Whether a response's answers hold the item at all (cheap: no database)."""
    answers = answers or {}
    return bool(answers.get(fields["who"])) or bool(answers.get(REPEAT))


def answer_sets(
    answers: Mapping[str, Any] | None, fields: Mapping[str, str] = DEFAULT_FIELDS
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """``(instance, answers)`` for each filled item: 0 for flat answers, n for the n-th instance.

    >>> list(answer_sets({"learned": [{"learned_from": "a@x.org"}, {}, {"learned_from": "b"}]}))
    [(1, {'learned_from': 'a@x.org'}), (3, {'learned_from': 'b'})]
    >>> list(answer_sets({"learned_from": "Ana", "learned_what": "Costing"}))
    [(0, {'learned_from': 'Ana', 'learned_what': 'Costing'})]
    """
    answers = answers or {}
    if answers.get(fields["who"]):
        yield 0, answers
    instances = answers.get(REPEAT)
    if isinstance(instances, list):
        for number, instance in enumerate(instances, start=1):
            if isinstance(instance, Mapping) and instance.get(fields["who"]):
                yield number, instance


def _find(people: Iterable[Person], named: str) -> Person | None:
    key = " ".join(named.split()).casefold()
    matches = [
        p for p in people if key in (p.email.casefold(), " ".join(p.name.split()).casefold())
    ]
    return matches[0] if len(matches) == 1 else None


class _People:
    """The programme's people, read once per programme for a batch of responses."""

    def __init__(self) -> None:
        self._of: dict[int, list[Person]] = {}

    def of(self, programme: Any) -> list[Person]:
        if programme.pk not in self._of:
            self._of[programme.pk] = list(programme_people(programme))
        return self._of[programme.pk]


def exchanges_from_responses(
    responses: Iterable[Any], fields: Mapping[str, str] = DEFAULT_FIELDS
) -> Mapped:
    """Map each response's item (flat or every repeat instance) to exchanges."""
    out = Mapped()
    people = _People()
    for response in responses:
        sets = list(answer_sets(response.answers, fields))
        if not sets:
            continue
        if response.person_id is None or response.submitted_at is None:
            out.skipped += [Skipped(response.pk, n, "not_identified") for n, _a in sets]
            continue
        done = set(
            Exchange.objects.filter(response=response).values_list("response_item", flat=True)
        )
        for number, answers in sets:
            if number in done:
                out.skipped.append(Skipped(response.pk, number, "already_mapped"))
                continue
            code, exchange = _map_one(response, number, answers, fields, people)
            if exchange is not None:
                out.created.append(exchange.pk)
            else:
                out.skipped.append(Skipped(response.pk, number, code))
    return out


def _map_one(
    response: Any,
    number: int,
    answers: Mapping[str, Any],
    fields: Mapping[str, str],
    people: _People,
) -> tuple[str, Exchange | None]:
    programme = response.survey.programme
    giver = _find(people.of(programme), str(answers.get(fields["who"])))
    if giver is None:
        return "unknown_person", None
    kind = answers.get(fields["kind"]) or "advice"
    applied = answers.get(fields["applied"]) or "unknown"
    try:
        exchange = services.record_exchange(
            programme,
            giver=giver,
            receiver=response.person,
            when=timezone.localdate(response.submitted_at),
            kind=kind if kind in KINDS else "advice",
            learned=str(answers.get(fields["what"]) or "")[:2000],
            applied=applied if applied in APPLIED else "unknown",
            recorded_by=response.person,
            source="survey",
            response=response,
            response_item=number,
        )
    except services.ExchangeError as error:
        return error.code, None
    return "", exchange


def survey_responses(survey: Any) -> Any:
    """The submitted responses of ``survey`` the mapping reads (identified ones carry a person)."""
    from peerlearn.surveys.models import Response

    return (
        Response.objects.filter(survey=survey, submitted_at__isnull=False)
        .select_related("survey__programme", "person")
        .order_by("pk")
    )

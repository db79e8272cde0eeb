"""Share-forward reach and candidate outcome stories from follow-up answers (no Django).

A follow-up (three months after the programme, six months, any schedule)
asks each participant whether they shared what they learned at home, with
whom, in which form, how many people, and what changed.  This module turns
those answers, as plain dicts, into:

* **reach** per participant and per organisation (:func:`share_forward`):
  respondents, how many of them shared, people reached (the sum of the
  "how many" answers, when asked), and counts by audience (role or
  organisation reached) and by form (report-back session, document,
  community of practice);
* **candidate outcome stories** (:func:`candidates`): answers that report a
  change, for a facilitator to turn into a story (outcome harvesting);
* which groups to **suppress** below ``k`` respondents (:func:`suppressed`),
  the rule of ``peerlearn.surveys.analysis`` (a group below k, plus one more
  when exactly one is hidden, so it cannot be recovered by subtraction).

Decisions
---------
* Question names come from :data:`FIELDS`; the defaults are those of the
  built-in ``followup_3m`` instrument (``shared``, ``shared_with``,
  ``shared_what``) plus the names a richer follow-up may carry
  (``shared_form``, ``shared_how_many``, ``what_changed``).  A missing
  question is simply not counted: reach in people is ``None`` when nobody
  was asked how many.
* A respondent "shared" when ``shared`` is ``"yes"``, or (if the question
  is absent) when they named an audience or a form.  Audiences and forms of
  someone who did not share are ignored, as ODK blanks non-relevant answers.
* Responses without a person key count in the total only.  Responses
  without an organisation are grouped under ``""``.
* Results are data (keys and counts); pages word them.

>>> answers = [
...     {"key": "r1", "person": "p1", "organisation": "MoF",
...      "answers": {"shared": "yes", "shared_with": ["team", "manager"],
...                  "shared_form": "report_back", "shared_how_many": "12"}},
...     {"key": "r2", "person": "p2", "organisation": "MoF",
...      "answers": {"shared": "no"}},
... ]
>>> [(r.key, r.respondents, r.shared, r.people) for r in share_forward(answers, by="organisation")]
[('MoF', 2, 1, 12)]
>>> share_forward(answers, by="person")[0].audiences
{'manager': 1, 'team': 1}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: The forms of sharing a follow-up may offer (choice names).
FORMS = ("report_back", "document", "community_of_practice")

#: Question names, by meaning.  Defaults: the built-in follow-up's names.
FIELDS: dict[str, str] = {
    "shared": "shared",
    "audience": "shared_with",
    "what": "shared_what",
    "form": "shared_form",
    "how_many": "shared_how_many",
}

#: Text questions whose answer reports a change, with the kind of change
#: they suggest ("" when the harvester must choose).  ``joint_task_what`` of
#: the built-in follow-up is a joint task done with peers: an action.
CHANGE_FIELDS: dict[str, str] = {"what_changed": "", "joint_task_what": "action"}

#: Answers no longer than this are not candidates ("no", "n/a", "-").
MIN_CHANGE_LENGTH = 12


@dataclass
class Reach:
    """Share-forward reach of one participant or organisation (``key``)."""

    key: str
    respondents: int = 0
    shared: int = 0
    people: int | None = None
    audiences: dict[str, int] = field(default_factory=dict)
    forms: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """A follow-up answer that reports a change (``key`` is ``response key:question``)."""

    key: str
    person: str
    organisation: str
    question: str
    text: str
    kind: str


def _codes(value: object) -> list[str]:
    """Choice codes of a select_one or select_multiple answer (list or space-separated)."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value if str(v).strip()]
    return [part for part in str(value).split() if part]


def _count(value: object) -> int | None:
    """A "how many people" answer as a non-negative whole number, else None.

    >>> _count("12"), _count(3.0), _count("-2"), _count("many")
    (12, 3, None, None)
    """
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if number < 0 or number != int(number):
        return None
    return int(number)


def did_share(answers: Mapping[str, object], fields: Mapping[str, str] = FIELDS) -> bool:
    """Whether this respondent shared what they learned.

    >>> did_share({"shared": "yes"}), did_share({"shared": "no", "shared_with": "team"})
    (True, False)
    >>> did_share({"shared_with": "team"})
    True
    """
    name = fields["shared"]
    if name in answers:
        return _codes(answers[name]) == ["yes"]
    return bool(_codes(answers.get(fields["audience"])) or _codes(answers.get(fields["form"])))


def share_forward(
    responses: Iterable[Mapping[str, object]],
    *,
    by: str = "person",
    fields: Mapping[str, str] = FIELDS,
) -> list[Reach]:
    """Reach per ``person`` or per ``organisation``, sorted by key.

    Each response is ``{"person": key or "", "organisation": name or "",
    "answers": {...}}``.  By person, responses without a person are left out.

    >>> share_forward([{"person": "", "answers": {"shared": "yes"}}], by="person")
    []
    """
    if by not in ("person", "organisation"):
        raise ValueError(f"by must be 'person' or 'organisation', not {by!r}")
    rows: dict[str, Reach] = {}
    for response in responses:
        key = str(response.get(by) or "")
        if by == "person" and not key:
            continue
        reach = rows.setdefault(key, Reach(key))
        _add(reach, _answers(response), fields)
    return [rows[key] for key in sorted(rows)]


def total(responses: Iterable[Mapping[str, object]], fields: Mapping[str, str] = FIELDS) -> Reach:
    """Reach over every response (key ``""``)."""
    reach = Reach("")
    for response in responses:
        _add(reach, _answers(response), fields)
    return reach


def _answers(response: Mapping[str, object]) -> Mapping[str, object]:
    answers = response.get("answers") or {}
    return answers if isinstance(answers, Mapping) else {}


def _add(reach: Reach, answers: Mapping[str, object], fields: Mapping[str, str]) -> None:
    reach.respondents += 1
    if not did_share(answers, fields):
        return
    reach.shared += 1
    for code in sorted(set(_codes(answers.get(fields["audience"])))):
        reach.audiences[code] = reach.audiences.get(code, 0) + 1
    for code in sorted(set(_codes(answers.get(fields["form"])))):
        reach.forms[code] = reach.forms.get(code, 0) + 1
    reach.audiences = dict(sorted(reach.audiences.items()))
    reach.forms = dict(sorted(reach.forms.items()))
    how_many = _count(answers.get(fields["how_many"]))
    if how_many is not None:
        reach.people = (reach.people or 0) + how_many


def check_reach(responses: Sequence[Mapping[str, object]], result: Sequence[Reach]) -> None:
    """Checker beside :func:`share_forward` (by organisation): raise if the figures disagree.

    Every response is in exactly one row; each row's shared count is at most
    its respondents, and each audience or form count at most its shared count.

    >>> rs = [{"organisation": "A", "answers": {"shared": "yes", "shared_with": "team"}}]
    >>> check_reach(rs, share_forward(rs, by="organisation"))
    """
    if sum(r.respondents for r in result) != len(responses):
        raise AssertionError("rows do not add up to the responses")
    if len({r.key for r in result}) != len(result):
        raise AssertionError("a key appears twice")
    for reach in result:
        if not 0 <= reach.shared <= reach.respondents:
            raise AssertionError(f"{reach.key}: shared outside 0..respondents")
        for count in (*reach.audiences.values(), *reach.forms.values()):
            if not 0 < count <= reach.shared:
                raise AssertionError(f"{reach.key}: a count outside 1..shared")
        if reach.people is not None and reach.people < 0:
            raise AssertionError(f"{reach.key}: negative reach")


def candidates(
    responses: Iterable[Mapping[str, object]],
    change_fields: Mapping[str, str] = CHANGE_FIELDS,
    *,
    min_length: int = MIN_CHANGE_LENGTH,
) -> list[Candidate]:
    """Answers that report a change, in response order, for a harvester to look at.

    >>> found = candidates([{"key": "r7", "person": "p1", "organisation": "MoF",
    ...     "answers": {"what_changed": "The budget unit now publishes quarterly reports"}}])
    >>> [(c.key, c.kind) for c in found]
    [('r7:what_changed', '')]
    >>> candidates([{"key": "r8", "answers": {"what_changed": "nothing"}}])
    []
    """
    out: list[Candidate] = []
    for response in responses:
        answers = _answers(response)
        for question, kind in change_fields.items():
            text = answers.get(question)
            if not isinstance(text, str) or len(text.strip()) < min_length:
                continue
            out.append(
                Candidate(
                    key=f"{response.get('key', '')}:{question}",
                    person=str(response.get("person") or ""),
                    organisation=str(response.get("organisation") or ""),
                    question=question,
                    text=text.strip(),
                    kind=kind,
                )
            )
    return out


def suppressed(sizes: Sequence[int], k: int) -> set[int]:
    """Indexes of the groups to hide: those below ``k``, and one more if exactly one is.

    The complementary one is the smallest other group (ties: the first), as
    in ``peerlearn.surveys.analysis``, because the total is shown beside the
    groups and a single hidden group could be recovered by subtraction.

    >>> sorted(suppressed([10, 2, 7, 30], k=5))
    [1, 2]
    >>> sorted(suppressed([1, 2, 30], k=5))
    [0, 1]
    >>> suppressed([5, 6], k=5)
    set()
    """
    hidden = {i for i, size in enumerate(sizes) if size < k}
    if len(hidden) == 1 and len(sizes) >= 2:
        others = [i for i in range(len(sizes)) if i not in hidden]
        hidden.add(min(others, key=lambda i: (sizes[i], i)))
    return hidden

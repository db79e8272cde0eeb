"""One intake: the built-in intake instrument's answers become the person's challenges.

The intake app's own form and the built-in "Intake and needs assessment"
survey ask the same questions. So that a facilitator may use either without
the engine missing anything, an *identified* response to a survey of the
built-in ``intake`` instrument is written through
:func:`peerlearn.intake.answers.write_answers` like every other intake
answer: ``challenge_1`` … ``challenge_4`` (blank ones dropped) become the
challenges, tagged with the ``challenge_kinds`` chosen, and
``learning_expectations`` the expectation; the write is versioned and counts
as the person's answer. It runs when the response is submitted (the surveys
app's :data:`~peerlearn.surveys.signals.response_submitted`), so the surveys
app knows nothing of intake.

Nothing is written when the response is pseudonymous or anonymous (no one to
write for), when the respondent is not a member of the survey's programme
(e.g. a control-group colleague), or when it names no challenge at all (an
empty answer never erases challenges given elsewhere). The instrument's role,
organisation kind and years in role stay survey answers: a person's
organisation belongs to the roster (see docs/privacy.md on who may change it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peerlearn.intake.answers import Answers, Entry, write_answers
from peerlearn.programmes.models import Membership

#: The built-in instrument whose answers are intake answers.
INSTRUMENT = "intake"
CHALLENGE_FIELDS = ("challenge_1", "challenge_2", "challenge_3", "challenge_4")
KINDS_FIELD = "challenge_kinds"
EXPECTATION_FIELD = "learning_expectations"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def answers_from(values: Mapping[str, Any]) -> Answers | None:
    """The intake answers a response's ``values`` hold, or ``None`` when it names no challenge."""
    texts = [_text(values.get(name)) for name in CHALLENGE_FIELDS]
    challenges = [text for text in texts if text]
    if not challenges:
        return None
    kinds = values.get(KINDS_FIELD) or []
    tags = tuple(str(kind) for kind in (kinds if isinstance(kinds, list) else [kinds]) if kind)
    expectation = _text(values.get(EXPECTATION_FIELD))
    return Answers(
        challenges={n: Entry(text, tags) for n, text in enumerate(challenges, start=1)},
        expectations={1: expectation} if expectation else {},
    )


def write_from_response(response: Any) -> bool:
    """Write ``response``'s intake answers for its respondent; whether anything was written."""
    survey = response.survey
    if survey.instrument.builtin != INSTRUMENT or response.person_id is None:
        return False
    programme = survey.programme
    if not Membership.objects.filter(programme=programme, person_id=response.person_id).exists():
        return False
    answers = answers_from(response.answers)
    if answers is None:
        return False
    write_answers(
        programme,
        {response.person_id: answers},
        entered_by=response.person,
        on_behalf=False,
        answered=True,
        always_version=True,
    )
    return True


def on_response_submitted(sender: object, response: Any, **kwargs: object) -> None:
    """Receiver of :data:`peerlearn.surveys.signals.response_submitted`."""
    write_from_response(response)

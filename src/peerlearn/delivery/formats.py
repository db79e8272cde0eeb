"""The built-in library of meeting formats, in the project's own words.

Each format is an ordered agenda of timed steps; each step names who speaks
and what they are asked.  Built-ins are installed into a programme as
ordinary rows (so facilitators can change them); while a copy is untouched it
is shown from this module, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerlearn.delivery.models import FormatStep, MeetingFormat
from peerlearn.programmes.models import Programme


@dataclass(frozen=True)
class Step:
    title: Promise
    minutes: int
    speaker: Promise
    prompt: Promise


@dataclass(frozen=True)
class Builtin:
    key: str
    name: Promise
    purpose: Promise
    steps: tuple[Step, ...]


LIBRARY: tuple[Builtin, ...] = (
    Builtin(
        "problem_clinic",
        _("Problem clinic"),
        _(
            "One peer brings a live, stuck problem; the others act as fixers who "
            "help them find a next move they can make this week."
        ),
        (
            Step(
                _("The problem, as it stands"),
                5,
                _("The problem owner"),
                _("What are you trying to change, what have you tried, and where does it stick?"),
            ),
            Step(
                _("Questions to understand"),
                5,
                _("The fixers"),
                _("Ask only to understand: no advice yet. Who else is involved? What is at stake?"),
            ),
            Step(
                _("Fixers at work"),
                10,
                _("The fixers, while the owner takes notes"),
                _("Offer options, contacts and examples from your own work; build on each other."),
            ),
            Step(
                _("The next move"),
                5,
                _("The problem owner"),
                _("Which idea will you try first, by when, and who will you tell how it went?"),
            ),
        ),
    ),
    Builtin(
        "troika",
        _("Troika consulting"),
        _(
            "Three peers take turns: one is the client with a challenge, two are "
            "consultants. Short, strict turns keep every voice in the room."
        ),
        (
            Step(
                _("The challenge"),
                2,
                _("The client"),
                _("Say the challenge in your own words and what help you want."),
            ),
            Step(
                _("Questions"),
                2,
                _("The consultants"),
                _("Ask clarifying questions; no advice yet."),
            ),
            Step(
                _("Consultants talk, the client listens"),
                5,
                _("The consultants (the client turns away and listens)"),
                _("Talk to each other about what you heard, what you would try, and why."),
            ),
            Step(
                _("Reflection"),
                2,
                _("The client"),
                _("What was useful? What will you do with it?"),
            ),
        ),
    ),
    Builtin(
        "action_learning",
        _("Action-learning set"),
        _(
            "A small, steady set of peers meets over months; each meeting gives one "
            "or two members time on their own work and holds them to what they said "
            "they would do."
        ),
        (
            Step(
                _("Round of actions"),
                10,
                _("Each member in turn"),
                _("What did you do since last time, and what happened?"),
            ),
            Step(
                _("Time on one member's issue"),
                25,
                _("The presenter, then the set"),
                _("Open questions only: help the presenter see their issue differently."),
            ),
            Step(
                _("Commitments"),
                10,
                _("The presenter"),
                _("What will you do before we meet again?"),
            ),
            Step(
                _("How did we work?"),
                5,
                _("Everyone"),
                _("Did everyone speak? Did we give advice too soon?"),
            ),
        ),
    ),
    Builtin(
        "progress_checkin",
        _("Progress check-in"),
        _(
            "Each team says briefly what it completed, what it achieved and where "
            "it is stuck, so shared problems surface and help can be found."
        ),
        (
            Step(
                _("Completed and achieved"),
                3,
                _("Each team's speaker"),
                _("What did the team finish since the last check-in, and what did it change?"),
            ),
            Step(
                _("Stuck and help needed"),
                3,
                _("Each team's speaker"),
                _("Where are you stuck? Whose help would move you: peers, authorisers, trainers?"),
            ),
            Step(
                _("Shared problems"),
                10,
                _("The facilitator, then everyone"),
                _("Which problems came up in more than one team? Who will work on them together?"),
            ),
            Step(
                _("Next steps"),
                4,
                _("Each team's speaker"),
                _("One next step per team, with a name and a date."),
            ),
        ),
    ),
    Builtin(
        "report_back",
        _("Report-back to the home organisation"),
        _(
            "A peer tells colleagues and managers at home what they learned, so the "
            "lessons travel beyond the person who went."
        ),
        (
            Step(
                _("What we set out to learn"),
                5,
                _("The returning peer"),
                _("Remind colleagues of the problem you took into the programme."),
            ),
            Step(
                _("What we learned, and from whom"),
                10,
                _("The returning peer"),
                _("Two or three lessons, with the evidence or the peer behind each."),
            ),
            Step(
                _("What it means here"),
                10,
                _("Colleagues and managers"),
                _("What would we do differently? What stands in the way?"),
            ),
            Step(
                _("Who does what"),
                5,
                _("The manager present"),
                _("Agree one change, its owner and when you will look at it again."),
            ),
        ),
    ),
)

BY_KEY = {builtin.key: builtin for builtin in LIBRARY}


@dataclass(frozen=True)
class AgendaStep:
    """A step as shown: translated for built-ins nobody edited."""

    position: int
    title: str
    minutes: int
    speaker: str
    prompt: str


def agenda(meeting_format: MeetingFormat) -> list[AgendaStep]:
    """The format's steps in order, in the reader's language when untouched."""
    builtin = BY_KEY.get(meeting_format.builtin_key)
    if builtin is not None and not meeting_format.customised:
        return [
            AgendaStep(n, str(s.title), s.minutes, str(s.speaker), str(s.prompt))
            for n, s in enumerate(builtin.steps, start=1)
        ]
    return [
        AgendaStep(n, s.title, s.minutes, s.speaker, s.prompt)
        for n, s in enumerate(meeting_format.steps.all(), start=1)
    ]


def shown_name(meeting_format: MeetingFormat) -> str:
    builtin = BY_KEY.get(meeting_format.builtin_key)
    if builtin is not None and not meeting_format.customised:
        return str(builtin.name)
    return meeting_format.name


def install_library(programme: Programme) -> int:
    """Copy the built-ins the programme lacks; returns how many were added."""
    have = set(
        MeetingFormat.objects.filter(programme=programme).values_list("builtin_key", flat=True)
    )
    added = 0
    for builtin in LIBRARY:
        if builtin.key in have:
            continue
        try:
            _install(programme, builtin)
        except IntegrityError:  # a concurrent click installed it first: nothing to add
            continue
        added += 1
    return added


def _install(programme: Programme, builtin: Builtin) -> None:
    """One built-in as rows; the unique (programme, builtin_key) makes it once only."""
    with transaction.atomic():
        meeting_format = MeetingFormat.objects.create(
            programme=programme,
            name=str(builtin.name),
            purpose=str(builtin.purpose),
            builtin_key=builtin.key,
        )
        FormatStep.objects.bulk_create(
            FormatStep(
                format=meeting_format,
                position=n,
                title=str(s.title),
                minutes=s.minutes,
                speaker=str(s.speaker),
                prompt=str(s.prompt),
            )
            for n, s in enumerate(builtin.steps, start=1)
        )

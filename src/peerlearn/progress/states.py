"""The life of a group product, as plain data (no Django): states and who moves them.

    draft → submitted → in review → accepted → published
                            ↓   ↑
                          revise → (submitted again)

The group moves its own work forward (submit, resubmit); facilitators run
the review (start it, ask for a revision, accept, publish). Every move is a
conditional UPDATE on the state it starts from (:mod:`peerlearn.progress.products`),
so two people pressing two buttons at once cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
REVISE = "revise"
ACCEPTED = "accepted"
PUBLISHED = "published"

STATES = (DRAFT, SUBMITTED, IN_REVIEW, REVISE, ACCEPTED, PUBLISHED)

#: Who may make a move: the group's members or the cohort's facilitators.
GROUP = "group"
FACILITATOR = "facilitator"


@dataclass(frozen=True)
class Move:
    name: str
    source: str
    target: str
    by: str


MOVES = (
    Move("submit", DRAFT, SUBMITTED, GROUP),
    Move("start_review", SUBMITTED, IN_REVIEW, FACILITATOR),
    Move("ask_revision", IN_REVIEW, REVISE, FACILITATOR),
    Move("resubmit", REVISE, SUBMITTED, GROUP),
    Move("accept", IN_REVIEW, ACCEPTED, FACILITATOR),
    Move("publish", ACCEPTED, PUBLISHED, FACILITATOR),
)

#: States in which the group may add a new version of the file or link.
EDITABLE = frozenset({DRAFT, REVISE})
#: States in which reviewers may write their review.
REVIEWABLE = frozenset({IN_REVIEW})


def move_named(name: str) -> Move | None:
    """The move called ``name``, or ``None``.

    >>> move_named("submit").target
    'submitted'
    >>> move_named("fly") is None
    True
    """
    return next((m for m in MOVES if m.name == name), None)


def moves_from(state: str, by: str) -> list[Move]:
    """The moves ``by`` (GROUP or FACILITATOR) may make from ``state``.

    >>> [m.name for m in moves_from(IN_REVIEW, FACILITATOR)]
    ['ask_revision', 'accept']
    >>> moves_from(IN_REVIEW, GROUP)
    []
    """
    return [m for m in MOVES if m.source == state and m.by == by]

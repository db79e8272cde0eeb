"""What an edit or a publish did (shared by the editing and publishing modules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from peerlearn.matching.models import Move


@dataclass
class Outcome:
    """What an edit did: ``ok``, or why not (``conflict``, ``problems``, ``error``)."""

    ok: bool = False
    conflict: bool = False
    #: Rule problems as stored records (matching.wording.problem_text words them).
    problems: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    move: Move | None = None
    moves: list[Move] = field(default_factory=list)  # a swap: both moves
    stale_preview: bool = False
    groups: int = 0  # published: groups written (pairs, for a pairs run)
    archived: int = 0  # published: groups moved to the earlier groupings

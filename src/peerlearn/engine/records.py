"""What the engine reports, as data: violations, conflicts and shared attributes.

The engine never writes sentences for people to read. Every checker and
explanation returns these records: a ``kind`` (which rule or reason), the ids
concerned, the group, the names taken from the data (an organisation, a
country, a role) and the numbers. Two modules put them into words: the CLI in
English (:mod:`peerlearn.engine.wording`) and the web app through gettext
(``peerlearn.matching.wording``), so a Spanish page shows no English and a
web page shows no command-line option.

Records round-trip through JSON (:meth:`Finding.as_dict`,
:meth:`Finding.from_dict`) because matching runs store them.

Examples
--------
>>> f = Finding("organisation_limit", group="G1", names=("Acme",), numbers={"count": 2, "max": 1})
>>> Finding.from_dict(f.as_dict()) == f
True
>>> f.as_dict()["kind"]
'organisation_limit'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Conflict", "Finding", "Shared"]


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in (value or ()))


@dataclass(frozen=True)
class Finding:
    """One violated requirement of a grouping or of pairs.

    Attributes
    ----------
    kind
        The rule, e.g. ``"group_size"``, ``"organisation_limit"``,
        ``"pair_same_country"`` (the wording modules list them all).
    group
        The group label, when the rule is about one group.
    ids
        The people concerned, in a fixed order (a pair: giver first).
    names
        Values taken from the data (an organisation, a country, a role, the
        pairing mode, each member's languages); never English prose.
    numbers
        The counts and limits, by name (``count``, ``max``, ``min``, ...).
    """

    kind: str
    group: str = ""
    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    numbers: Mapping[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON (stored in matching runs)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.group:
            out["group"] = self.group
        if self.ids:
            out["ids"] = list(self.ids)
        if self.names:
            out["names"] = list(self.names)
        if self.numbers:
            out["numbers"] = dict(self.numbers)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """The record :meth:`as_dict` wrote."""
        return cls(
            kind=str(data["kind"]),
            group=str(data.get("group") or ""),
            ids=_strs(data.get("ids")),
            names=_strs(data.get("names")),
            numbers={str(k): int(v) for k, v in (data.get("numbers") or {}).items()},
        )


@dataclass(frozen=True)
class Conflict:
    """One reason why the constraints cannot all hold (before or after the search).

    Attributes
    ----------
    constraint
        The setting to relax (``"max_per_organisation"``, ``"size"``, ...).
    kind
        The precise reason (``"organisation_limit_too_tight"``, ...); the
        wording modules say what is wrong and what to relax from it.
    amount
        By how much it fails (people or groups short, over the limit, ...).
    ids, group, names, numbers
        As for :class:`Finding`.
    causes
        Violations behind the conflict (the search's left-overs, the rule a
        keep-together set breaks).
    """

    constraint: str
    kind: str
    amount: int = 0
    group: str = ""
    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    numbers: Mapping[str, int] = field(default_factory=dict)
    causes: tuple[Finding, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON (a failed matching run stores its conflicts)."""
        out: dict[str, Any] = {"constraint": self.constraint, "kind": self.kind}
        out["amount"] = self.amount
        if self.group:
            out["group"] = self.group
        if self.ids:
            out["ids"] = list(self.ids)
        if self.names:
            out["names"] = list(self.names)
        if self.numbers:
            out["numbers"] = dict(self.numbers)
        if self.causes:
            out["causes"] = [c.as_dict() for c in self.causes]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Conflict:
        """The record :meth:`as_dict` wrote."""
        return cls(
            constraint=str(data["constraint"]),
            kind=str(data["kind"]),
            amount=int(data.get("amount") or 0),
            group=str(data.get("group") or ""),
            ids=_strs(data.get("ids")),
            names=_strs(data.get("names")),
            numbers={str(k): int(v) for k, v in (data.get("numbers") or {}).items()},
            causes=tuple(Finding.from_dict(c) for c in data.get("causes") or ()),
        )


@dataclass(frozen=True)
class Shared:
    """An attribute a person shares with others of their group (or their partner).

    ``attribute`` is ``"policy_area"``, ``"role"``, ``"region"``,
    ``"country"`` or ``"language"``; ``value`` the normalised value(s);
    ``count`` how many others share it (0 for languages: shared by all).
    """

    attribute: str
    value: str
    count: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"attribute": self.attribute, "value": self.value, "count": self.count}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shared:
        """The record :meth:`as_dict` wrote."""
        return cls(str(data["attribute"]), str(data["value"]), int(data.get("count") or 0))


@dataclass(frozen=True)
class Tie:
    """The challenge sentences that tie a member to one of their closest peers.

    ``mine`` / ``theirs`` index the two people's challenges (as given to the
    engine), ``mine_sentence`` / ``theirs_sentence`` the sentence within it
    (:func:`peerlearn.engine.explain.split_sentences`), ``score`` the two
    challenges' similarity. The web layer quotes the sentences, or not, as
    the reader may see them.
    """

    peer: str
    mine: int
    theirs: int
    mine_sentence: int = 0
    theirs_sentence: int = 0
    score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON."""
        return {
            "peer": self.peer,
            "mine": self.mine,
            "theirs": self.theirs,
            "mine_sentence": self.mine_sentence,
            "theirs_sentence": self.theirs_sentence,
            "score": self.score,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tie:
        """The record :meth:`as_dict` wrote."""
        return cls(
            str(data["peer"]),
            int(data["mine"]),
            int(data["theirs"]),
            int(data.get("mine_sentence") or 0),
            int(data.get("theirs_sentence") or 0),
            float(data.get("score") or 0.0),
        )

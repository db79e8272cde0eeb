"""The typed shape of a matching run: its parameters and its result.

``MatchingRun.parameters`` and ``MatchingRun.result`` are JSON columns. Every
read goes through one reader (:meth:`RunParameters.from_json`,
:meth:`RunResult.from_json`) and every write through one writer
(``to_json``), so the keys and their defaults live here once: groups of
:data:`DEFAULT_MIN_SIZE`-:data:`DEFAULT_MAX_SIZE`, pairing mode
:data:`DEFAULT_MODE`. Keys this module does not know (older or newer runs,
``copied_from`` of the intake) are kept as they are in ``extra``.

The readers are shallow (no deep copies): a 10,000-person result is read in
microseconds, so pages and edits may read it freely.

Examples
--------
>>> p = RunParameters.from_json({"min_size": 0, "weights": {"problems": 3, "role": 0}})
>>> p.min_size, p.max_size, p.mode, p.criteria()
(5, 6, 'external-local', {'problems': 3.0})
>>> RunParameters.from_json(p.to_json()) == p
True
>>> r = RunResult.from_json({"labels": ["G1"], "assignment": {"1": "G1"}, "x": 1})
>>> r.groups_in_order(), r.extra
({'G1': ['1']}, {'x': 1})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = [
    "CRITERIA",
    "DEFAULT_MAX_SIZE",
    "DEFAULT_MIN_SIZE",
    "DEFAULT_MODE",
    "RunParameters",
    "RunResult",
]

DEFAULT_MIN_SIZE = 5
DEFAULT_MAX_SIZE = 6
DEFAULT_MODE = "external-local"
CRITERIA = ("problems", "role", "policy", "context")


def _known(cls: type) -> set[str]:
    return {f.name for f in fields(cls)} - {"extra"}


def _opt_int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


@dataclass
class RunParameters:
    """What the facilitator asked for (the form), plus the locks of a re-run.

    ``max_per_organisation`` and ``max_per_country`` are ``None`` when the
    form left them empty: no limit (the engine's own default of one per
    organisation applies to the CLI only).
    """

    weights: dict[str, float] = field(default_factory=dict)
    role_mode: str = "equal"
    min_size: int = DEFAULT_MIN_SIZE
    max_size: int = DEFAULT_MAX_SIZE
    max_per_organisation: int | None = None
    max_per_country: int | None = None
    min_countries: int = 0
    keep_together: list[list[str]] = field(default_factory=list)
    keep_apart: list[list[str]] = field(default_factory=list)
    avoid_repeats: bool = False
    shared_language: bool = True
    time_limit: float | None = None
    mode: str = DEFAULT_MODE
    capacity: int | None = None
    locked: dict[str, str] = field(default_factory=dict)
    locked_pairs: list[list[str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RunParameters:
        """The one reader of ``MatchingRun.parameters`` (defaults for missing or empty keys)."""
        d = dict(data or {})
        return cls(
            weights={str(k): float(v or 0) for k, v in (d.get("weights") or {}).items()},
            role_mode=str(d.get("role_mode") or "equal"),
            min_size=int(d.get("min_size") or DEFAULT_MIN_SIZE),
            max_size=int(d.get("max_size") or DEFAULT_MAX_SIZE),
            max_per_organisation=_opt_int(d.get("max_per_organisation")),
            max_per_country=_opt_int(d.get("max_per_country")),
            min_countries=int(d.get("min_countries") or 0),
            keep_together=[[str(i) for i in s] for s in d.get("keep_together") or []],
            keep_apart=[[str(i) for i in s] for s in d.get("keep_apart") or []],
            avoid_repeats=bool(d.get("avoid_repeats")),
            shared_language=bool(d.get("shared_language", True)),
            time_limit=float(d["time_limit"]) if d.get("time_limit") else None,
            mode=str(d.get("mode") or DEFAULT_MODE),
            capacity=int(d["capacity"]) if d.get("capacity") else None,
            locked={str(k): str(v) for k, v in (d.get("locked") or {}).items()},
            locked_pairs=[[str(x) for x in row] for row in d.get("locked_pairs") or []],
            extra={k: v for k, v in d.items() if k not in _known(cls)},
        )

    def to_json(self) -> dict[str, Any]:
        """The one writer: every key, so a stored run says exactly what it used."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        return {**self.extra, **out}

    def criteria(self) -> dict[str, float]:
        """The positive criterion weights of the form (``problems`` alone when none is)."""
        weights = {k: float(self.weights.get(k, 0) or 0) for k in CRITERIA}
        weights = {k: v for k, v in weights.items() if v > 0}
        return weights or {"problems": 1.0}


@dataclass
class RunResult:
    """What a run produced, and the state edits and publishing left it in.

    Groups: ``labels`` (order), ``assignment`` (person id -> label),
    ``groups`` (label -> themes, mean), ``members`` (id -> fit, closest,
    mostly, shared, moved), ``locked`` (ids kept by a re-run), ``group_ids``
    (label -> ``programmes.Group`` once published). Pairs: ``mode``,
    ``capacity``, ``pairs`` (rows with label, a, b, affinity, locked, moved),
    ``locked_pairs`` (labels), ``left_out`` (people a re-pair left alone).
    Both: ``problems`` (the engine's finding records) and, for a failed run,
    ``conflicts`` (its conflict records).
    """

    labels: list[str] = field(default_factory=list)
    assignment: dict[str, str] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    locked: list[str] = field(default_factory=list)
    group_ids: dict[str, int] = field(default_factory=dict)
    mode: str = ""
    capacity: int | None = None
    pairs: list[dict[str, Any]] = field(default_factory=list)
    locked_pairs: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RunResult:
        """The one reader of ``MatchingRun.result`` (shallow: no copies of big maps)."""
        d = data or {}
        return cls(
            labels=list(d.get("labels") or []),
            assignment=dict(d.get("assignment") or {}),
            groups=d.get("groups") or {},
            members=dict(d.get("members") or {}),
            locked=list(d.get("locked") or []),
            group_ids=dict(d.get("group_ids") or {}),
            mode=str(d.get("mode") or ""),
            capacity=d.get("capacity"),
            pairs=list(d.get("pairs") or []),
            locked_pairs=list(d.get("locked_pairs") or []),
            left_out=[str(i) for i in d.get("left_out") or []],
            problems=list(d.get("problems") or []),
            conflicts=list(d.get("conflicts") or []),
            extra={k: v for k, v in d.items() if k not in _known(cls)},
        )

    def to_json(self) -> dict[str, Any]:
        """The one writer (every key; the problems always, so "no problems" is stored)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        return {**self.extra, **out}

    def pair_mode(self, parameters: RunParameters) -> str:
        """The pairing mode: the result's, else the parameters' (else the default)."""
        return self.mode or parameters.mode

    def groups_in_order(self) -> dict[str, list[str]]:
        """``label -> [person ids]`` in label order, members by id."""
        out: dict[str, list[str]] = {label: [] for label in self.labels}
        for pid, label in self.assignment.items():
            out.setdefault(label, []).append(pid)
        for members in out.values():
            members.sort(key=lambda x: int(x) if x.isdigit() else 0)
        return out

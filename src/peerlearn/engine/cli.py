"""Command line of the matching engine: ``peerlearn match``, ``pair`` and ``topics``.

The project's ``peerlearn`` command calls :func:`register`; this module also
runs on its own (``python -m peerlearn.engine.cli match ...``) through
:func:`main`. Every subcommand returns an exit code: 0 success, 2 unusable
input or options, 3 constraints that cannot all be met (the message names
them, says by how much and what to relax). Never a traceback for bad input.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> rows = ["id,organisation,challenges"] + [f"p{i},org{i},land registry gaps" for i in range(6)]
>>> _ = (d / "in.csv").write_text("\\n".join(rows) + "\\n", encoding="utf-8")
>>> main(["match", str(d / "in.csv"), "--out", str(d / "g.csv"), "--size", "3-3", "--quiet"])
0
>>> (d / "g.csv").read_text(encoding="utf-8").splitlines()[0].startswith("id,group,")
True
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlearn.engine.constraints import Constraints, InfeasibleError, Quotas
from peerlearn.engine.io import (
    InputError,
    read_assignment,
    read_history,
    read_id_sets,
    read_people,
    write_csv,
)
from peerlearn.engine.wording import member_reason, pair_reason

if TYPE_CHECKING:
    from peerlearn.engine.pairing import Pair

__all__ = ["main", "register"]

EXIT_INPUT = 2
EXIT_INFEASIBLE = 3


def _size(text: str) -> tuple[int, int]:
    lo, sep, hi = text.partition("-")
    try:
        a = int(lo)
        b = int(hi) if sep else a
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 5-6 or 5, got {text!r}") from None
    if a < 1 or b < a:
        raise argparse.ArgumentTypeError(f"size range must be 1 <= min <= max, got {text!r}")
    return a, b


def _limit(text: str) -> int | None:
    if text.strip().lower() in ("none", "off", "0", ""):
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number or 'none', got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="INPUT", help="roster: UTF-8 CSV or XLSX with an id column")
    p.add_argument(
        "--by",
        default="problems",
        metavar="CRITERIA",
        help="criterion or weights, e.g. problems | role | policy | context | "
        "problems=3,context=1 (also seniority_balance, gender_balance, "
        "external_balance) (default: problems)",
    )
    p.add_argument(
        "--role-mode",
        choices=("equal", "mix"),
        default="equal",
        help="role criterion: peers of equal seniority or a senior/junior mix",
    )
    p.add_argument(
        "--max-per-organisation",
        "--max-per-organization",
        type=_limit,
        default=1,
        metavar="N",
        help="at most N per organisation together ('none': no limit; default 1)",
    )
    p.add_argument(
        "--max-per-country",
        type=_limit,
        default=None,
        metavar="N",
        help="at most N per country together (default: no limit)",
    )
    p.add_argument(
        "--keep-apart",
        metavar="FILE",
        help="sets of ids to keep apart, one set per line (comma separated)",
    )
    p.add_argument(
        "--history",
        metavar="FILE",
        action="append",
        default=[],
        help="earlier GROUPS.csv / PAIRS.csv or id pairs who must not meet again (repeatable)",
    )
    p.add_argument(
        "--no-shared-language", action="store_true", help="do not require a shared working language"
    )
    p.add_argument("--backend", default="tfidf", help="text similarity backend (tfidf, semantic)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="search budget (default grows with the cohort, 2-300 s)",
    )
    p.add_argument(
        "--max-passes",
        type=int,
        default=None,
        metavar="N",
        help="deterministic search budget: at most N passes; alone, no time limit "
        "(same result on any machine)",
    )
    p.add_argument("--report", metavar="REPORT.json", help="write a JSON report of the run")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``match``, ``pair`` and ``topics`` subcommands.

    Each subparser sets ``func(args) -> int``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="peerlearn")
    >>> register(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["match", "in.csv", "--out", "g.csv", "--size", "4-6"])
    >>> args.size, args.max_per_organisation, args.func.__name__
    ((4, 6), 1, 'cli_match')
    """
    _add_match(subparsers)
    _add_pair(subparsers)
    _add_topics(subparsers)


def _add_match(subparsers: argparse._SubParsersAction[Any]) -> None:
    """``match``: the common options, then size and lists, composition, rounds."""
    m = subparsers.add_parser(
        "match",
        help="form groups of peers",
        description="Form groups that share problems (or the chosen criteria) under hard "
        "constraints; writes GROUPS.csv (id, group, then explanations).",
    )
    _common(m)
    m.add_argument("--out", required=True, metavar="GROUPS.csv", help="output CSV")
    m.add_argument(
        "--size",
        type=_size,
        default=(5, 6),
        metavar="MIN-MAX",
        help="group size range (default 5-6)",
    )
    m.add_argument(
        "--groups", type=int, default=None, metavar="N", help="force the number of groups"
    )
    m.add_argument(
        "--min-countries",
        type=int,
        default=0,
        metavar="K",
        help="at least K distinct countries per group",
    )
    m.add_argument(
        "--keep-together", metavar="FILE", help="sets of ids to keep together, one set per line"
    )
    m.add_argument(
        "--lock",
        metavar="GROUPS.csv",
        help="placements to keep (id,group; with a 'locked' column only rows marked true)",
    )
    _composition_arguments(m)
    _rounds_arguments(m)
    m.set_defaults(func=cli_match)


def _composition_arguments(m: argparse.ArgumentParser) -> None:
    """Quotas: who every group must contain (groups only; pairs have roles instead)."""
    m.add_argument(
        "--min-external",
        type=int,
        default=0,
        metavar="N",
        help="at least N external peers per group",
    )
    m.add_argument(
        "--min-local", type=int, default=0, metavar="N", help="at least N local peers per group"
    )
    m.add_argument(
        "--mentor-ratio",
        type=int,
        default=None,
        metavar="R",
        help="at least one alumni mentor per R other members",
    )
    m.add_argument(
        "--require-role",
        action="append",
        default=[],
        metavar="ROLE",
        help="every group needs a member with this role (repeatable)",
    )


def _rounds_arguments(m: argparse.ArgumentParser) -> None:
    """Several rounds and the bound: what a multi-round plan and its report need."""
    m.add_argument(
        "--rounds",
        type=int,
        default=1,
        metavar="R",
        help="plan R rounds in which nobody meets twice (GROUPS.csv gets a round column)",
    )
    m.add_argument(
        "--repeats",
        choices=("forbid", "penalise"),
        default="forbid",
        help="across rounds: forbid repeat meetings, or penalise them with decay",
    )
    m.add_argument(
        "--no-bound", action="store_true", help="skip the cohesion upper bound (O(n^2) time)"
    )


def _add_pair(subparsers: argparse._SubParsersAction[Any]) -> None:
    """``pair``: the common options plus the mode and the givers' capacity."""
    p = subparsers.add_parser(
        "pair",
        help="form pairs (external-local, mentor, peer)",
        description="Pair external peers with local peers, alumni mentors with newcomers, or "
        "peers with peers; writes PAIRS.csv.",
    )
    _common(p)
    p.add_argument("--out", required=True, metavar="PAIRS.csv", help="output CSV")
    p.add_argument(
        "--mode",
        choices=("external-local", "mentor", "peer"),
        default="external-local",
        help="kind of pairs (default external-local)",
    )
    p.add_argument(
        "--capacity",
        type=int,
        default=None,
        metavar="N",
        help="most partners per external peer / mentor (default: the fewest that "
        "lets everyone be matched)",
    )
    p.set_defaults(func=cli_pair)


def _add_topics(subparsers: argparse._SubParsersAction[Any]) -> None:
    """``topics``: its own options (defined beside the topic proposer)."""
    from peerlearn.engine.topics import add_topics_arguments, cli_topics

    t = subparsers.add_parser(
        "topics",
        help="propose topics from the cohort's challenges",
        description="Cluster all challenges into candidate topics with labels, member counts "
        "and representative excerpts.",
    )
    add_topics_arguments(t)
    t.set_defaults(func=cli_topics)


def _constraints(args: argparse.Namespace, people_ids: set[str]) -> Constraints:
    lo, hi = getattr(args, "size", (5, 6))
    history: list[tuple[str, str]] = []
    for path in args.history:
        history.extend(read_history(path))
    keep_together = read_id_sets(args.keep_together) if getattr(args, "keep_together", None) else ()
    keep_apart = read_id_sets(args.keep_apart) if args.keep_apart else ()
    for name, sets in (("--keep-together", keep_together), ("--keep-apart", keep_apart)):
        unknown = sorted({i for s in sets for i in s} - people_ids)
        if unknown:
            raise InputError(f"{name}: unknown ids {', '.join(map(repr, unknown[:10]))}")
    locked = read_assignment(args.lock) if getattr(args, "lock", None) else {}
    unknown = sorted(set(locked) - people_ids)
    if unknown:
        raise InputError(f"--lock: unknown ids {', '.join(map(repr, unknown[:10]))}")
    return Constraints(
        min_size=lo,
        max_size=hi,
        max_per_organisation=args.max_per_organisation,
        max_per_country=args.max_per_country,
        min_countries=getattr(args, "min_countries", 0),
        keep_together=keep_together,
        keep_apart=keep_apart,
        locked=locked,
        history=tuple(history),
        shared_language=not args.no_shared_language,
        quotas=Quotas(
            min_external=getattr(args, "min_external", 0),
            min_local=getattr(args, "min_local", 0),
            mentor_ratio=getattr(args, "mentor_ratio", None),
            required_roles=tuple(getattr(args, "require_role", [])),
        ),
        n_groups=getattr(args, "groups", None),
    )


def _fail(command: str, exc: Exception) -> int:
    code = EXIT_INFEASIBLE if isinstance(exc, InfeasibleError) else EXIT_INPUT
    print(f"peerlearn {command}: {exc}", file=sys.stderr)
    return code


def cli_match(args: argparse.Namespace) -> int:
    """Run ``peerlearn match``; returns the exit code."""
    from peerlearn.engine.criteria import parse_weights
    from peerlearn.engine.explain import explain
    from peerlearn.engine.schedule import solve_rounds

    try:
        weights = parse_weights(args.by)
        people = read_people(args.input)
        c = _constraints(args, {p.id for p in people})
        if args.rounds < 1:
            raise InputError("--rounds must be at least 1")
        results = solve_rounds(
            people,
            c,
            weights,
            rounds=args.rounds,
            repeats=args.repeats,
            backend=args.backend,
            role_mode=args.role_mode,
            seed=args.seed,
            time_limit=args.time_limit,
            max_passes=args.max_passes,
        )
        header = (
            ["id", "group"]
            + (["round"] if args.rounds > 1 else [])
            + ["group_size", "fit", "why", "closest", "group_themes", "group_excerpt"]
        )
        rows: list[list[object]] = []
        reports = []
        for r, result in enumerate(results, start=1):
            ex = explain(result, bound=not args.no_bound)
            reports.append(ex.as_dict())
            for p in result.people:
                label = result.assignment[p.id]
                m = ex.members[p.id]
                g = ex.groups[label]
                rows.append(
                    [p.id, label]
                    + ([r] if args.rounds > 1 else [])
                    + [
                        len(g.members),
                        round(m.fit, 3),
                        member_reason(m.mostly, m.closest, m.shared),
                        "|".join(i for i, _ in m.closest),
                        "; ".join(g.themes),
                        g.excerpts[0] if g.excerpts else "",
                    ]
                )
        write_csv(args.out, header, rows)
        report: dict[str, Any] = reports[0] if len(reports) == 1 else {"rounds": reports}
        if args.report:
            Path(args.report).write_text(
                json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
            )
        if not args.quiet:
            for k, rep in enumerate(reports, start=1):
                s = rep["summary"]
                prefix = f"round {k}: " if len(reports) > 1 else ""
                ratio = s["cohesion_ratio"]
                print(
                    f"{prefix}{s['people']} people in {s['groups']} groups; cohesion "
                    f"{s['cohesion']:.2f}"
                    + (f" of at most {s['upper_bound']:.2f} ({ratio:.0%})" if ratio else "")
                    + f"; worst group {s['worst_group']} at {s['worst_group_affinity']:.3f} vs "
                    f"mean {s['mean_group_affinity']:.3f}; violations: "
                    f"{len(s['violations'])}; written to {args.out}"
                )
    except (InputError, InfeasibleError, ValueError, ImportError, OSError) as exc:
        return _fail("match", exc)
    return 0


def _pair_why(p: Pair) -> str:
    return pair_reason(p.mostly, p.terms, p.shared)


def cli_pair(args: argparse.Namespace) -> int:
    """Run ``peerlearn pair``; returns the exit code."""
    from peerlearn.engine.criteria import parse_weights
    from peerlearn.engine.pairing import explain_pairs, solve_pairs

    try:
        weights = parse_weights(args.by)
        people = read_people(args.input)
        c = _constraints(args, {p.id for p in people})
        if args.capacity is not None and args.capacity < 1:
            raise InputError("--capacity must be at least 1")
        result = solve_pairs(
            people,
            args.mode,
            c,
            weights,
            capacity=args.capacity,
            backend=args.backend,
            seed=args.seed,
            time_limit=args.time_limit,
            max_passes=args.max_passes,
        )
        explain_pairs(result)
        write_csv(
            args.out,
            ["pair", "id", "partner", "affinity", "why"],
            [[p.label, p.a, p.b, round(p.affinity, 3), _pair_why(p)] for p in result.pairs],
        )
        if args.report:
            report = {
                "summary": result.summary,
                "pairs": [
                    {
                        "pair": p.label,
                        "id": p.a,
                        "partner": p.b,
                        "affinity": round(p.affinity, 4),
                        "why": _pair_why(p),
                    }
                    for p in result.pairs
                ],
            }
            Path(args.report).write_text(
                json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
            )
        if not args.quiet:
            s = result.summary
            print(
                f"{s['pairs']} pairs ({args.mode}); total affinity {s['total_affinity']} of at "
                f"most {s['upper_bound']}; violations: {len(s['violations'])}; written to "  # type: ignore[arg-type]
                f"{args.out}"
            )
    except (InputError, InfeasibleError, ValueError, ImportError, OSError) as exc:
        return _fail("pair", exc)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone ``peerlearn`` parser with the engine's subcommands.

    Examples
    --------
    >>> build_parser().prog
    'peerlearn'
    """
    parser = argparse.ArgumentParser(prog="peerlearn", description="peer-learning matching engine")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The engine's records in English words, for the command line (and nothing else).

The engine returns data (:mod:`peerlearn.engine.records`); this module is the
one place that writes it as English sentences, with the command-line options
to relax (``--max-per-organisation``). The web app has its own translated
wording (``peerlearn.matching.wording``) without option names; its tests use
:data:`ENGLISH_PHRASES` to prove no English from here reaches a Spanish or
French page.

Examples
--------
>>> from peerlearn.engine.records import Finding
>>> describe(Finding("organisation_limit", group="1", names=("A",),
...                  numbers={"count": 2, "max": 1}))
"group '1': 2 members from organisation 'A' (max 1)"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from peerlearn.engine.records import Conflict, Finding, Shared

__all__ = [
    "CRITERION_WORDS",
    "ENGLISH_PHRASES",
    "conflict_message",
    "conflict_suggestion",
    "conflict_text",
    "describe",
    "member_reason",
    "pair_reason",
    "shared_text",
]

CRITERION_WORDS = {
    "problems": "similar challenges",
    "role": "same role",
    "policy": "same policy area",
    "context": "shared context",
    "seniority_mix": "seniority mix",
    "seniority_balance": "seniority balance",
    "gender_balance": "gender balance",
    "external_balance": "external/local balance",
}

#: Violations about one group: written after "group 'G1': ".
GROUP_FINDINGS = {
    "group_size": "{size} members (allowed {min}-{max})",
    "organisation_limit": "{count} members from organisation {name} (max {max})",
    "country_limit": "{count} members from country {name} (max {max})",
    "min_countries": "{count} distinct countries (at least {min})",
    "no_shared_language": "no working language shared by all members ({languages})",
    "min_external": "{count} external peers (at least {min})",
    "min_local": "{count} local peers (at least {min})",
    "mentor_ratio": "{count} alumni mentors for {others} others (at least one per {ratio}, "
    "so {need})",
    "required_role": "no member with role {name}",
}

#: Violations of the whole assignment, and of pairs.
FINDINGS = {
    "duplicate_person": "person {id} appears more than once in the input",
    "unplaced": "person {id} is in no group",
    "unknown_person": "unknown person {id} in the grouping",
    "keep_together_split": "keep-together: {ids} are split across groups",
    "keep_apart": "keep-apart: {a} and {b} are both in group {group}",
    "repeat": "repeat: {a} and {b} met before and are again in group {group}",
    "locked_moved": "locked: {id} must stay in group {group}, is in {placed}",
    "pair_unknown_person": "pair ({a}, {b}) names an unknown person",
    "pair_self": "{id} is paired with themselves",
    "pair_twice": "pair ({a}, {b}) appears twice",
    "pair_same_organisation": "pair ({a}, {b}): same organisation {name}",
    "pair_same_country": "pair ({a}, {b}): same country {name}",
    "pair_kept_apart": "pair ({a}, {b}): keep-apart or met before",
    "pair_no_shared_language": "pair ({a}, {b}): no shared language",
    "no_partner": "{id} has no partner",
    "too_many_partners": "{id} has {count} partners",
    "trios": "{count} people in trios; only one trio, and only for an odd number, is allowed",
    "not_a_giver": "pair ({a}, {b}): {a} is not an {role}",
    "receiver_is_giver": "pair ({a}, {b}): {b} is an {role}, not a receiver",
    "no_giver": "{id} has no {role}",
    "several_givers": "{id} has {count} {role}s",
    "over_capacity": "{id} has {count} partners (capacity {capacity})",
}

#: Why a pair is not allowed, in the short form of a conflict's detail.
PAIR_REASONS = {
    "pair_same_organisation": "same organisation",
    "pair_same_country": "same country",
    "pair_kept_apart": "keep-apart or met before",
    "pair_no_shared_language": "no shared language",
}

#: Conflict kind -> (what is wrong, what to relax).
CONFLICTS: dict[str, tuple[str, str]] = {
    "size_invalid": ("invalid size range {lo}-{hi}", ""),
    "nobody": ("there is nobody to group", ""),
    "too_few_people": (
        "{n} people cannot be split into groups of {lo}-{hi}",
        "allow groups of {new_lo}-{new_hi}",
    ),
    "size_unsplittable": (
        "{n} people cannot be split into groups of {lo}-{hi}",
        "widen the size range (e.g. {new_lo}-{hi})",
    ),
    "n_groups_impossible": (
        "{groups} groups of {lo}-{hi} cannot hold {n} people",
        "use between {g_lo} and {g_hi} groups",
    ),
    "limit_invalid": ("the limit must be at least 1, got {limit}", ""),
    "organisation_limit_too_tight": (
        "max {limit} per organisation is impossible: organisation {name} has {count} people "
        "but {n} people make at most {g_hi} groups of {lo}-{hi}",
        "relax to --max-per-organisation {relax}, or allow groups of {new_lo}-{hi} "
        "({new_groups} groups)",
    ),
    "country_limit_too_tight": (
        "max {limit} per country is impossible: country {name} has {count} people "
        "but {n} people make at most {g_hi} groups of {lo}-{hi}",
        "relax to --max-per-country {relax}, or allow groups of {new_lo}-{hi} "
        "({new_groups} groups)",
    ),
    "locked_too_many_groups": (
        "locked placements use {locked} groups but {n} people make at most {g_hi} groups "
        "of {lo}-{hi}",
        "unlock some placements or allow smaller groups",
    ),
    "external_short": (
        "{groups} groups need {need} external peers ({per} each) but there are {count}",
        "lower the external quota or recruit more external peers",
    ),
    "local_short": (
        "{groups} groups need {need} local peers ({per} each) but there are {count}",
        "lower the local quota",
    ),
    "role_short": (
        "{groups} groups need {need} members with role {name} ({per} each) but there are {count}",
        "drop role {name} from the required roles or allow bigger groups",
    ),
    "mentors_short": (
        "{groups} groups need at least {need} alumni mentors (one per {ratio} others) but "
        "there are {count}",
        "raise the mentor ratio or recruit more alumni",
    ),
    "countries_too_few": (
        "at least {min} countries per group but the cohort has only {count}",
        "lower --min-countries to {count}",
    ),
    "country_places_short": (
        "{groups} groups with {min} countries each need {need} country places but the "
        "countries can fill only {slots}",
        "lower --min-countries or allow bigger groups (fewer groups)",
    ),
    "countries_exceed_size": (
        "{min} countries cannot fit in groups of at most {hi}",
        "lower --min-countries to {hi}",
    ),
    "keep_together_unknown": ("unknown ids {ids}", ""),
    "keep_together_too_big": (
        "{ids} must be together but groups hold at most {max}",
        "split the keep-together set or allow bigger groups",
    ),
    "keep_together_apart": (
        "{cause_a} and {cause_b} must be kept apart (or met before) but are in the "
        "keep-together set {ids}",
        "remove one of the two lists' entries",
    ),
    "keep_together_locked_apart": (
        "{ids} must be together but are locked into groups {labels}",
        "unlock one placement",
    ),
    "keep_together_breaks_limit": (
        "{ids}: {cause}",
        "split the keep-together set or relax the limit",
    ),
    "locked_unknown": ("locked id {id} is not in the input", ""),
    "locked_too_many": (
        "{count} people are locked into group {group}, more than {max}",
        "unlock some or allow bigger groups",
    ),
    "locked_apart": (
        "{a} and {b} are locked into group {group} but must be kept apart (or met before)",
        "unlock one of them",
    ),
    "search_failed": ("the search could not meet it in {count} case(s): {shown}", "{advice}"),
    "no_receivers": ("there are no {role_b} to pair", ""),
    "no_givers": ("there are no {role_a} in the input", "mark some people {flag}=true"),
    "capacity_short": (
        "{takers} {role_b} need an {role_a1} but {givers} {role_a} x capacity {cap} = "
        "{places} places",
        "raise --capacity to {need} or add {add} {role_a}",
    ),
    "receiver_has_no_giver": (
        "{id} has no allowed {role_a1}: {reasons}",
        "relax the organisation/country limit or the language rule, or add external peers",
    ),
    "receivers_unmatched": (
        "{count} {role_b} cannot all get an allowed {role_a1} within capacity {cap} (e.g. {ids})",
        "raise --capacity or relax the organisation/country limits",
    ),
    "too_few_for_pairs": ("at least two people are needed for pairs", ""),
    "round_repeats": (
        "round {round} cannot avoid repeat meetings",
        "plan at most {rounds} rounds, or use repeats='penalise' (--repeats penalise)",
    ),
}

#: What to relax when the search left violations of one kind of constraint.
SEARCH_ADVICE = {
    "max_per_organisation": "raise --max-per-organisation by one or widen the size range",
    "max_per_country": "raise --max-per-country or widen the size range",
    "min_countries": "lower --min-countries",
    "shared_language": "people with a language nobody else speaks cannot form a group: "
    "add a shared language or drop --require-shared-language",
    "size": "widen the size range",
    "keep_apart": "shorten the keep-apart list or the history, or allow repeats with a "
    "penalty (--repeats penalise)",
    "quotas": "lower the quotas",
}

#: Mode -> (givers, receivers, one giver, the flag that makes a giver).
ROLES = {
    "external-local": ("external peers", "local peers", "external peer", "external"),
    "mentor": ("alumni mentors", "newcomers", "alumni mentor", "alumni"),
}

SHARED_WORDS = {
    "policy_area": "policy area",
    "role": "role",
    "region": "region",
    "country": "country",
}


def _values(
    ids: Sequence[str], group: str, names: Sequence[str], numbers: Mapping[str, int]
) -> dict[str, Any]:
    values: dict[str, Any] = dict(numbers)
    values["group"] = repr(group)
    values["ids"] = ", ".join(map(repr, ids))
    if ids:
        values["id"] = values["a"] = repr(ids[0])
    if len(ids) > 1:
        values["b"] = repr(ids[1])
    values["name"] = repr(names[0]) if names else ""
    values["placed"] = repr(names[0]) if names else "None"
    mode = names[0] if names else ""
    if mode in ROLES:
        role_a, role_b, role_a1, flag = ROLES[mode]
        values.update(role_a=role_a, role_b=role_b, role_a1=role_a1, flag=flag, role=role_a1)
    values["labels"] = ", ".join(map(repr, names))
    values["languages"] = "; ".join(f"{i}: {langs}" for i, langs in zip(ids, names, strict=False))
    return values


def finding_body(f: Finding) -> str:
    """A violation without its "group 'G1': " prefix."""
    template = GROUP_FINDINGS.get(f.kind) or FINDINGS.get(f.kind)
    if template is None:
        raise KeyError(f"no wording for finding kind {f.kind!r}")
    return template.format(**_values(f.ids, f.group, f.names, f.numbers))


def describe(f: Finding) -> str:
    """One violation in English.

    Examples
    --------
    >>> describe(Finding("unplaced", ids=("c",)))
    "person 'c' is in no group"
    """
    body = finding_body(f)
    return f"group {f.group!r}: {body}" if f.kind in GROUP_FINDINGS else body


def _conflict_values(c: Conflict) -> dict[str, Any]:
    values = _values(c.ids, c.group, c.names, c.numbers)
    if c.causes:
        values["cause"] = finding_body(c.causes[0])
        cause_ids = c.causes[0].ids
        values["cause_a"] = repr(cause_ids[0]) if cause_ids else ""
        values["cause_b"] = repr(cause_ids[1]) if len(cause_ids) > 1 else ""
    if c.kind == "search_failed":
        more = c.numbers.get("count", 0) - len(c.causes)
        values["shown"] = "; ".join(describe(x) for x in c.causes) + (
            f"; and {more} more" if more > 0 else ""
        )
        values["advice"] = SEARCH_ADVICE.get(c.constraint, "")
    if c.kind == "receiver_has_no_giver":
        values["reasons"] = ", ".join(
            f"{PAIR_REASONS.get(k, k)} ({v})" for k, v in c.numbers.items()
        )
    return values


def conflict_message(c: Conflict) -> str:
    """What is wrong, with numbers."""
    return CONFLICTS[c.kind][0].format(**_conflict_values(c))


def conflict_suggestion(c: Conflict) -> str:
    """What to relax, naming the command-line options ('' when nothing helps)."""
    return CONFLICTS[c.kind][1].format(**_conflict_values(c))


def conflict_text(c: Conflict) -> str:
    """``constraint: message; suggestion`` (one line of the CLI's error).

    Examples
    --------
    >>> conflict_text(Conflict("size", "too_few_people", 2,
    ...               numbers={"n": 3, "lo": 5, "hi": 6, "new_lo": 3, "new_hi": 6}))
    'size: 3 people cannot be split into groups of 5-6; allow groups of 3-6'
    """
    text = f"{c.constraint}: {conflict_message(c)}"
    suggestion = conflict_suggestion(c)
    return f"{text}; {suggestion}" if suggestion else text


def shared_text(s: Shared, *, one_other: bool = False) -> str:
    """``"policy area tax with 2"``; ``one_other`` drops "with 1" (a pair has one other)."""
    if s.attribute == "language":
        return f"language {s.value}"
    text = f"{SHARED_WORDS.get(s.attribute, s.attribute)} {s.value}"
    if one_other and s.count == 1:
        return text
    return f"{text} with {s.count}"


def member_reason(
    mostly: str, closest: Iterable[tuple[str, float]], shared: Iterable[Shared]
) -> str:
    """Why one member is in their group (the CSV's ``why`` column)."""
    parts = []
    if mostly:
        parts.append(f"mostly {CRITERION_WORDS.get(mostly, mostly)}")
    close = list(closest)
    if close and close[0][1] > 0:
        parts.append("closest to " + ", ".join(f"{j} ({a:.2f})" for j, a in close if a > 0))
    shared = list(shared)
    if shared:
        parts.append("shares " + "; ".join(shared_text(s) for s in shared))
    return "; ".join(parts) if parts else "placed to meet the group constraints"


def pair_reason(mostly: str, terms: Iterable[str], shared: Iterable[Shared]) -> str:
    """Why two people are paired (the CSV's ``why`` column)."""
    parts = []
    if mostly:
        parts.append(f"mostly {CRITERION_WORDS.get(mostly, mostly)}")
    terms = list(terms)
    if terms:
        parts.append("shared terms: " + ", ".join(terms))
    shared = list(shared)
    if shared:
        parts.append("shares " + "; ".join(shared_text(s, one_other=True) for s in shared))
    return "; ".join(parts) if parts else "allowed pair with the best available fit"


def _phrases(templates: Iterable[str]) -> set[str]:
    """The literal words between placeholders, long enough to be unmistakably English."""
    out: set[str] = set()
    for template in templates:
        for piece in template.replace("{", "}").split("}")[::2]:
            piece = piece.strip(" :;,.()=x'")
            if len(piece) >= 12:
                out.add(piece)
    return out


#: English phrases this module writes; no Spanish or French page may contain one.
ENGLISH_PHRASES = frozenset(
    _phrases(
        [
            *GROUP_FINDINGS.values(),
            *FINDINGS.values(),
            *(t for pair in CONFLICTS.values() for t in pair),
            *SEARCH_ADVICE.values(),
        ]
    )
    | set(CRITERION_WORDS.values())
    | {"mostly ", "closest to ", "shares ", "--max-per", "--capacity", "--min-countries"}
)

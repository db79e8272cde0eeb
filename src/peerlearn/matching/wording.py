"""The engine's records in the facilitator's language (gettext), for the web pages.

The engine returns data (:mod:`peerlearn.engine.records`): a ``kind``, ids,
a group, names from the data and numbers. This module is the web's one place
that puts them into words, one translated sentence per kind, naming people by
name and settings by their form labels (never a command-line option: the CLI
has its own English in :mod:`peerlearn.engine.wording`).

Runs stored before the engine returned records hold English strings; they are
shown as stored (:func:`problem_text` and :func:`conflict_text` accept them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peerlearn.engine.records import Conflict, Finding, Shared

__all__ = [
    "group_why",
    "country_name",
    "excerpt",
    "quoting_reason",
    "conflict_text",
    "contribution_lines",
    "closeness_text",
    "criterion_text",
    "moves_text",
    "member_reason",
    "problem_text",
    "shared_text",
]

Names = Mapping[str, str]

CRITERIA: dict[str, Promise] = {
    "problems": gettext_lazy("similar challenges"),
    "role": gettext_lazy("same role"),
    "policy": gettext_lazy("same policy area"),
    "context": gettext_lazy("shared context"),
    "seniority_mix": gettext_lazy("seniority mix"),
    "seniority_balance": gettext_lazy("seniority balance"),
    "gender_balance": gettext_lazy("gender balance"),
    "external_balance": gettext_lazy("external/local balance"),
}

SHARED: dict[str, Promise] = {
    "policy_area": gettext_lazy("policy area %(value)s with %(count)s"),
    "role": gettext_lazy("role %(value)s with %(count)s"),
    "region": gettext_lazy("region %(value)s with %(count)s"),
    "country": gettext_lazy("country %(value)s with %(count)s"),
    "language": gettext_lazy("language %(value)s"),
}

#: Mode -> (givers, receivers, one giver).
ROLES: dict[str, tuple[Promise, Promise, Promise]] = {
    "external-local": (
        gettext_lazy("external peers"),
        gettext_lazy("local peers"),
        gettext_lazy("external peer"),
    ),
    "mentor": (
        gettext_lazy("alumni mentors"),
        gettext_lazy("newcomers"),
        gettext_lazy("alumni mentor"),
    ),
}

FINDINGS: dict[str, Promise] = {
    "group_size": gettext_lazy("Group %(group)s: %(size)s members (allowed %(min)s-%(max)s)."),
    "organisation_limit": gettext_lazy(
        "Group %(group)s: %(count)s members from organisation %(name)s (max %(max)s)."
    ),
    "country_limit": gettext_lazy(
        "Group %(group)s: %(count)s members from country %(name)s (max %(max)s)."
    ),
    "min_countries": gettext_lazy(
        "Group %(group)s: %(count)s different countries (at least %(min)s)."
    ),
    "no_shared_language": gettext_lazy(
        "Group %(group)s: no working language shared by all members (%(languages)s)."
    ),
    "min_external": gettext_lazy("Group %(group)s: %(count)s external peers (at least %(min)s)."),
    "min_local": gettext_lazy("Group %(group)s: %(count)s local peers (at least %(min)s)."),
    "mentor_ratio": gettext_lazy(
        "Group %(group)s: %(count)s alumni mentors for %(others)s others "
        "(one per %(ratio)s needed, so %(need)s)."
    ),
    "required_role": gettext_lazy("Group %(group)s: nobody with the role %(name)s."),
    "duplicate_person": gettext_lazy("%(id)s appears more than once."),
    "unplaced": gettext_lazy("%(id)s is in no group."),
    "unknown_person": gettext_lazy("%(id)s is in the grouping but not in the cohort."),
    "keep_together_split": gettext_lazy("%(ids)s should be together but are in different groups."),
    "keep_apart": gettext_lazy("%(a)s and %(b)s should be apart but are both in group %(group)s."),
    "repeat": gettext_lazy(
        "%(a)s and %(b)s met in an earlier round and are again in group %(group)s."
    ),
    "locked_moved": gettext_lazy("%(id)s is locked in group %(group)s but is in %(placed)s."),
    "pair_unknown_person": gettext_lazy("The pair %(a)s – %(b)s names someone not in the cohort."),
    "pair_self": gettext_lazy("%(id)s is paired with themselves."),
    "pair_twice": gettext_lazy("The pair %(a)s – %(b)s appears twice."),
    "pair_same_organisation": gettext_lazy(
        "%(a)s and %(b)s are from the same organisation, %(name)s."
    ),
    "pair_same_country": gettext_lazy("%(a)s and %(b)s are from the same country, %(name)s."),
    "pair_kept_apart": gettext_lazy(
        "%(a)s and %(b)s should be kept apart or met in an earlier round."
    ),
    "pair_no_shared_language": gettext_lazy("%(a)s and %(b)s share no working language."),
    "no_partner": gettext_lazy("%(id)s has no partner."),
    "too_many_partners": gettext_lazy("%(id)s has %(count)s partners."),
    "trios": gettext_lazy(
        "%(count)s people are in trios; only one trio is allowed, and only for an odd number."
    ),
    "not_a_giver": gettext_lazy("Pair %(a)s – %(b)s: %(a)s is not an %(role_a1)s."),
    "receiver_is_giver": gettext_lazy("%(b)s is one of the %(role_a)s, not someone to pair."),
    "no_giver": gettext_lazy("%(id)s has none of the %(role_a)s."),
    "several_givers": gettext_lazy("%(id)s has %(count)s of the %(role_a)s."),
    "over_capacity": gettext_lazy("%(id)s has %(count)s partners (capacity %(capacity)s)."),
}

#: Conflict kind -> (what is wrong, what to relax), in the form's words.
CONFLICTS: dict[str, tuple[Promise, Promise | None]] = {
    "size_invalid": (gettext_lazy("The group size %(lo)s-%(hi)s is not a valid range"), None),
    "nobody": (gettext_lazy("There is nobody to group"), None),
    "too_few_people": (
        gettext_lazy("%(n)s people cannot be split into groups of %(lo)s-%(hi)s"),
        gettext_lazy("allow groups of %(new_lo)s-%(new_hi)s"),
    ),
    "size_unsplittable": (
        gettext_lazy("%(n)s people cannot be split into groups of %(lo)s-%(hi)s"),
        gettext_lazy("widen the group size (for example %(new_lo)s-%(hi)s)"),
    ),
    "n_groups_impossible": (
        gettext_lazy("%(groups)s groups of %(lo)s-%(hi)s cannot hold %(n)s people"),
        gettext_lazy("use between %(g_lo)s and %(g_hi)s groups"),
    ),
    "limit_invalid": (gettext_lazy("A limit must be at least 1, not %(limit)s"), None),
    "organisation_limit_too_tight": (
        gettext_lazy(
            "At most %(limit)s per organisation is impossible: %(name)s has %(count)s people, "
            "but %(n)s people make at most %(g_hi)s groups of %(lo)s-%(hi)s"
        ),
        gettext_lazy(
            "raise “At most this many people of one organisation together” to %(relax)s, "
            "or allow groups of %(new_lo)s-%(hi)s (%(new_groups)s groups)"
        ),
    ),
    "country_limit_too_tight": (
        gettext_lazy(
            "At most %(limit)s per country is impossible: %(name)s has %(count)s people, "
            "but %(n)s people make at most %(g_hi)s groups of %(lo)s-%(hi)s"
        ),
        gettext_lazy(
            "raise “At most this many people of one country together” to %(relax)s, "
            "or allow groups of %(new_lo)s-%(hi)s (%(new_groups)s groups)"
        ),
    ),
    "locked_too_many_groups": (
        gettext_lazy(
            "Locked placements use %(locked)s groups, but %(n)s people make at most %(g_hi)s "
            "groups of %(lo)s-%(hi)s"
        ),
        gettext_lazy("unlock some placements or allow smaller groups"),
    ),
    "external_short": (
        gettext_lazy(
            "%(groups)s groups need %(need)s external peers (%(per)s each) but there are %(count)s"
        ),
        gettext_lazy("lower the external quota or add external peers"),
    ),
    "local_short": (
        gettext_lazy(
            "%(groups)s groups need %(need)s local peers (%(per)s each) but there are %(count)s"
        ),
        gettext_lazy("lower the local quota"),
    ),
    "role_short": (
        gettext_lazy(
            "%(groups)s groups need %(need)s people with the role %(name)s but there are %(count)s"
        ),
        gettext_lazy("stop requiring the role %(name)s or allow bigger groups"),
    ),
    "mentors_short": (
        gettext_lazy(
            "%(groups)s groups need at least %(need)s alumni mentors (one per %(ratio)s others) "
            "but there are %(count)s"
        ),
        gettext_lazy("raise the mentor ratio or add alumni"),
    ),
    "countries_too_few": (
        gettext_lazy(
            "At least %(min)s countries per group, but the cohort has only %(count)s countries"
        ),
        gettext_lazy("lower “At least this many countries in each group” to %(count)s"),
    ),
    "country_places_short": (
        gettext_lazy(
            "%(groups)s groups with %(min)s countries each need %(need)s places for countries, "
            "but the countries can fill only %(slots)s"
        ),
        gettext_lazy(
            "lower “At least this many countries in each group” or allow bigger (fewer) groups"
        ),
    ),
    "countries_exceed_size": (
        gettext_lazy("%(min)s countries cannot fit in groups of at most %(hi)s"),
        gettext_lazy("lower “At least this many countries in each group” to %(hi)s"),
    ),
    "keep_together_unknown": (
        gettext_lazy("The keep-together list names people not in the cohort: %(ids)s"),
        None,
    ),
    "keep_together_too_big": (
        gettext_lazy("%(ids)s must be together, but groups hold at most %(max)s"),
        gettext_lazy("split the keep-together set or allow bigger groups"),
    ),
    "keep_together_apart": (
        gettext_lazy(
            "%(cause_a)s and %(cause_b)s must be kept apart (or met before), but are in the "
            "keep-together set %(ids)s"
        ),
        gettext_lazy("remove one of the two entries"),
    ),
    "keep_together_locked_apart": (
        gettext_lazy("%(ids)s must be together, but are locked into groups %(labels)s"),
        gettext_lazy("unlock one placement"),
    ),
    "keep_together_breaks_limit": (
        gettext_lazy("The keep-together set %(ids)s breaks a rule: %(cause)s"),
        gettext_lazy("split the keep-together set or relax the rule"),
    ),
    "locked_unknown": (gettext_lazy("A locked person is not in the cohort: %(id)s"), None),
    "locked_too_many": (
        gettext_lazy("%(count)s people are locked into group %(group)s, more than %(max)s"),
        gettext_lazy("unlock some or allow bigger groups"),
    ),
    "locked_apart": (
        gettext_lazy(
            "%(a)s and %(b)s are locked into group %(group)s but must be kept apart (or met before)"
        ),
        gettext_lazy("unlock one of them"),
    ),
    "search_failed": (
        gettext_lazy("The search could not meet a rule in %(count)s cases: %(shown)s"),
        None,  # the advice depends on the constraint: SEARCH_ADVICE
    ),
    "no_receivers": (gettext_lazy("There are no %(role_b)s to pair"), None),
    "no_givers": (
        gettext_lazy("There are no %(role_a)s in the cohort"),
        gettext_lazy("mark some participants as %(role_a)s"),
    ),
    "capacity_short": (
        gettext_lazy(
            "%(takers)s %(role_b)s need a partner but %(givers)s %(role_a)s with capacity "
            "%(cap)s give %(places)s places"
        ),
        gettext_lazy("raise the capacity to %(need)s or add %(add)s %(role_a)s"),
    ),
    "receiver_has_no_giver": (
        gettext_lazy("%(id)s cannot be paired with any of the %(role_a)s: %(reasons)s"),
        gettext_lazy(
            "relax the organisation or country limit or the language rule, or add %(role_a)s"
        ),
    ),
    "receivers_unmatched": (
        gettext_lazy(
            "%(count)s %(role_b)s cannot all get an allowed partner within capacity %(cap)s "
            "(for example %(ids)s)"
        ),
        gettext_lazy("raise the capacity or relax the organisation or country limits"),
    ),
    "too_few_for_pairs": (gettext_lazy("At least two people are needed for pairs"), None),
    "round_repeats": (
        gettext_lazy("Round %(round)s cannot avoid repeat meetings"),
        gettext_lazy("plan at most %(rounds)s rounds, or allow repeats"),
    ),
}

SEARCH_ADVICE: dict[str, Promise] = {
    "max_per_organisation": gettext_lazy(
        "raise “At most this many people of one organisation together” by one "
        "or widen the group size"
    ),
    "max_per_country": gettext_lazy(
        "raise “At most this many people of one country together” or widen the group size"
    ),
    "min_countries": gettext_lazy("lower “At least this many countries in each group”"),
    "shared_language": gettext_lazy(
        "people with a language nobody else speaks cannot form a group: add a shared "
        "language or stop requiring one"
    ),
    "size": gettext_lazy("widen the group size"),
    "keep_apart": gettext_lazy("shorten the keep-apart list, or allow repeat meetings"),
    "quotas": gettext_lazy("lower the quotas"),
}

PAIR_REASONS: dict[str, Promise] = {
    "pair_same_organisation": gettext_lazy("same organisation"),
    "pair_same_country": gettext_lazy("same country"),
    "pair_kept_apart": gettext_lazy("kept apart or met before"),
    "pair_no_shared_language": gettext_lazy("no shared language"),
}


def _who(pid: str, names: Names) -> str:
    return names.get(pid) or pid


def _values(
    ids: tuple[str, ...],
    group: str,
    names: tuple[str, ...],
    numbers: Mapping[str, int],
    people: Names,
) -> dict[str, Any]:
    values: dict[str, Any] = dict(numbers)
    who = [_who(i, people) for i in ids]
    values.update(group=group, ids=", ".join(who), name=names[0] if names else "")
    values.update(
        id=who[0] if who else "", a=who[0] if who else "", b=who[1] if len(who) > 1 else ""
    )
    values["placed"] = names[0] if names else "–"
    values["labels"] = ", ".join(names)
    values["languages"] = "; ".join(f"{w}: {langs}" for w, langs in zip(who, names, strict=False))
    if names and names[0] in ROLES:
        role_a, role_b, role_a1 = ROLES[names[0]]
        values.update(role_a=str(role_a), role_b=str(role_b), role_a1=str(role_a1))
    return values


def _finding(data: Finding | Mapping[str, Any]) -> Finding:
    return data if isinstance(data, Finding) else Finding.from_dict(data)


def problem_text(problem: Finding | Mapping[str, Any] | str, people: Names | None = None) -> str:
    """One rule problem of a grouping or of pairs, translated (``people``: id -> name)."""
    if isinstance(problem, str):  # stored by a run made before records
        return problem
    f = _finding(problem)
    template = FINDINGS.get(f.kind)
    if template is None:
        return f.kind
    return str(template) % _values(f.ids, f.group, f.names, f.numbers, people or {})


def _conflict_values(c: Conflict, people: Names) -> dict[str, Any]:
    values = _values(c.ids, c.group, c.names, c.numbers, people)
    if c.causes:
        values["cause"] = problem_text(c.causes[0], people)
        cause = [_who(i, people) for i in c.causes[0].ids]
        values["cause_a"] = cause[0] if cause else ""
        values["cause_b"] = cause[1] if len(cause) > 1 else ""
    if c.kind == "search_failed":
        shown = " ".join(problem_text(x, people) for x in c.causes)
        more = c.numbers.get("count", 0) - len(c.causes)
        if more > 0:
            shown += " " + _("And %(count)s more.") % {"count": more}
        values["shown"] = shown
    if c.kind == "receiver_has_no_giver":
        values["reasons"] = ", ".join(
            f"{PAIR_REASONS[k]} ({v})" if k in PAIR_REASONS else str(v)
            for k, v in c.numbers.items()
        )
    return values


def conflict_text(conflict: Conflict | Mapping[str, Any] | str, people: Names | None = None) -> str:
    """Why a run failed and what to relax, translated, in the form's words."""
    if isinstance(conflict, str):
        return conflict
    c = conflict if isinstance(conflict, Conflict) else Conflict.from_dict(conflict)
    if c.kind not in CONFLICTS:
        return c.kind
    message, suggestion = CONFLICTS[c.kind]
    values = _conflict_values(c, people or {})
    text = str(message) % values
    if c.kind == "search_failed" and c.constraint in SEARCH_ADVICE:
        text += "; " + str(SEARCH_ADVICE[c.constraint])
    elif suggestion is not None:
        text += "; " + str(suggestion) % values
    return text


def criterion_text(key: str) -> str:
    """A criterion key (``"problems"``) in words; unknown keys (old runs) as stored."""
    return str(CRITERIA[key]) if key in CRITERIA else key


def country_name(code: str) -> str:
    """A country code ("ke", "KE") as its name in the reader's language (pycountry's
    ISO 3166 catalogues, offline); anything else as given."""
    import gettext

    import pycountry
    from django.utils.translation import get_language

    found = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if found is None:
        return code
    language = (get_language() or "en").split("-")[0]
    if language == "en":
        return str(getattr(found, "common_name", None) or found.name)
    catalogue = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    return catalogue.gettext(found.name)


def shared_text(shared: Shared | Mapping[str, Any] | str) -> str:
    """An attribute shared with others of the group, translated (countries by name)."""
    if isinstance(shared, str):
        return shared
    s = shared if isinstance(shared, Shared) else Shared.from_dict(shared)
    template = SHARED.get(s.attribute)
    if template is None:
        return s.value
    value = country_name(s.value) if s.attribute == "country" else s.value
    return str(template) % {"value": value, "count": s.count}


#: Longest quoted excerpt of a challenge sentence, in characters.
EXCERPT_WIDTH = 70


def excerpt(text: str, width: int = EXCERPT_WIDTH) -> str:
    """A sentence shortened at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] or text[: width - 1]
    return cut.rstrip(" ,;:") + "…"


def quoting_reason(
    quotes: Iterable[tuple[str, str, str]],
    closest: Iterable[str],
    theme: str,
    mostly: str,
    shared: Iterable[Shared | Mapping[str, Any] | str],
) -> str:
    """Why a member is in their group, quoting what ties them first.

    ``quotes`` holds ``(peer name, my excerpt, their excerpt)`` for the peers
    whose sentences the reader may see; ``closest`` the closest peers' names
    (used when there is nothing to quote). Then the group's theme, then
    context, role and language as secondary reasons.
    """
    parts = []
    quoted = list(quotes)
    if quoted:
        parts.append(
            "; ".join(
                _("closest to %(name)s: “%(mine)s” / “%(theirs)s”")
                % {"name": name, "mine": mine, "theirs": theirs}
                for name, mine, theirs in quoted
            )
        )
    else:
        close = list(closest)
        if close:
            parts.append(_("closest to %(names)s") % {"names": ", ".join(close)})
    if theme:
        parts.append(_("shared theme: %(theme)s") % {"theme": theme})
    if mostly and mostly != "problems":
        parts.append(_("mostly %(criterion)s") % {"criterion": criterion_text(mostly)})
    shared = list(shared)
    if shared:
        parts.append(_("also %(what)s") % {"what": "; ".join(shared_text(s) for s in shared)})
    if not parts:
        parts.append(_("placed to meet the group rules"))
    return "; ".join(parts)


def member_reason(
    mostly: str, closest: Iterable[str], shared: Iterable[Shared | Mapping[str, Any] | str]
) -> str:
    """Why a member is in their group: leading criterion, closest members, what they share.

    ``closest`` holds names already (the page knows them).
    """
    parts = []
    if mostly:
        parts.append(_("mostly %(criterion)s") % {"criterion": criterion_text(mostly)})
    close = list(closest)
    if close:
        parts.append(_("closest to %(names)s") % {"names": ", ".join(close)})
    shared = list(shared)
    if shared:
        parts.append(_("shares %(what)s") % {"what": "; ".join(shared_text(s) for s in shared)})
    if not parts:
        parts.append(_("placed to meet the group rules"))
    return "; ".join(parts)


#: What each criterion's share is about, as the run page names it.
SHARE_SUBJECT: dict[str, Promise] = {
    "problems": gettext_lazy("Shared problems"),
    "role": gettext_lazy("Same role"),
    "policy": gettext_lazy("Same policy area"),
    "context": gettext_lazy("Shared context (country, region, language)"),
    "seniority_mix": gettext_lazy("Seniority mix"),
}


def contribution_lines(
    shares: Mapping[str, Mapping[str, float]], weights: Mapping[str, float]
) -> list[str]:
    """Each criterion's contribution in plain words, the heaviest first.

    ``shares`` is the engine's :func:`~peerlearn.engine.explain.criterion_shares`
    as stored; a share of 0.72 reads "these groups share 72 % of what the
    closest possible grouping would", with the criterion's weight.
    """
    weights = {**weights, "seniority_mix": weights.get("role", 0)}  # the role criterion's
    order = sorted(shares, key=lambda k: (-float(weights.get(k, 0)), k))
    lines = []
    for key in order:
        share = float(shares[key].get("share") or 0.0)
        subject = SHARE_SUBJECT.get(key, key)
        lines.append(
            _(
                "%(subject)s (weight %(weight)s): these groups share %(percent)d %% of what "
                "the closest possible grouping would."
            )
            % {
                "subject": subject,
                "weight": f"{float(weights.get(key, 0)):g}",
                "percent": round(100 * share),
            }
        )
    return lines


def moves_text(moves: int, people: int) -> str:
    """Hand edits after a run: "3 moves among 55 people" (the run page, the report)."""
    return ngettext(
        "%(moves)d move among %(people)d people",
        "%(moves)d moves among %(people)d people",
        moves,
    ) % {"moves": moves, "people": people}


def closeness_text(kind: str, ratio: float | None) -> str:
    """A pairing's total affinity against the upper bound on any pairing's, in words
    (groups say it per criterion: :func:`contribution_lines`); empty when not computed."""
    if kind != "pairs" or ratio is None:
        return ""
    return _("These pairs reach %(percent)d %% of what the closest possible pairing would.") % {
        "percent": round(100 * ratio)
    }


def group_why(themes: Iterable[str], members: Iterable[Mapping[str, Any]]) -> list[str]:
    """A group's "why" in at most two lines a facilitator can read aloud.

    First the shared problems (the group's themes), then what links most
    members (their leading criterion) and the most shared secondary attribute
    (country by name, language, role, policy area) with how many share it.
    """
    lines = []
    themes = [t for t in themes if t][:3]
    if themes:
        lines.append(_("Shared problems: %(themes)s.") % {"themes": ", ".join(themes)})
    infos = list(members)
    mostly = Counter(str(m.get("mostly") or "") for m in infos if m.get("mostly"))
    second = []
    if mostly:
        key, count = mostly.most_common(1)[0]
        second.append(
            _("%(count)d of %(total)d are linked mostly by %(criterion)s")
            % {"count": count, "total": len(infos), "criterion": criterion_text(key)}
        )
    attributes: Counter[tuple[str, str]] = Counter()
    for m in infos:
        for row in m.get("shared") or []:
            if isinstance(row, Mapping) and row.get("attribute") != "language":
                attributes[(str(row["attribute"]), str(row["value"]))] += 1
    if attributes:
        (attribute, value), count = attributes.most_common(1)[0]
        if count >= 2:
            second.append(
                _("%(count)d share %(what)s")
                % {"count": count, "what": _share_subject(attribute, value)}
            )
    if second:
        lines.append("; ".join(second) + ".")
    return lines


def _share_subject(attribute: str, value: str) -> str:
    """ "country Kenya", "role auditor": an attribute and its value, translated."""
    names = {
        "country": _("country %(value)s"),
        "region": _("region %(value)s"),
        "role": _("role %(value)s"),
        "policy_area": _("policy area %(value)s"),
    }
    shown = country_name(value) if attribute == "country" else value
    return names.get(attribute, "%(value)s") % {"value": shown}

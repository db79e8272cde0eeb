"""Words, charts and tables for the MEL figures (:mod:`peerlearn.evidence.mel_figures`).

Labels are the apps' own (verification statuses and kinds of stories from
``harvest``, quadrants, capabilities and correlation reasons from
``experiments.views_dual``, cautions and errors from ``experiments.views``,
node kinds and statuses from ``theory.builtin``), so a figure reads the
same here as on the app's page.  Every share is written "n of N"; a
suppressed figure says why instead of showing a number.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from peerlearn.evidence.figures import Figures, Share
from peerlearn.evidence.mel_figures import OutcomeFigure
from peerlearn.evidence.presenting import Chart, Line, Section, Table, share_text
from peerlearn.objectives.rules import of


def number(value: float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return formats.number_format(round(value, places), decimal_pos=places)


def signed(value: float, places: int = 2) -> str:
    text = number(value, places)
    return "+" + text if value > 0 else text


def percent(part: int, whole: int) -> str:
    return _("%(percent)d%%") % {"percent": round(100 * part / whole)} if whole else "—"


def _whole_programme(f: Figures, section: Section) -> None:
    if f.scope.narrowed:
        section.notes.append(
            _("For the whole programme: these figures are not narrowed by cohort or period.")
        )


def _not_readable(section: Section) -> Section:
    section.note = _("Your role in this programme does not let you read these figures.")
    return section


# ----------------------------------------------------------------- mutuality


def _mutuality(f: Figures) -> Section:
    section = Section("mutuality", _("Mutuality and network"))
    m = f.mutuality
    if m is None:
        return _not_readable(section)
    if f.outside:
        section.notes.append(
            # promise: tests/evidence/test_mel_sections.py::test_report_leaves_out_check_in_exchanges_and_private_stories
            _("Exchanges recorded inside a group's check-in are private to the group: left out.")
        )
    if not m.exchanges:
        section.note = _("No learning exchange recorded yet.")
        return section
    section.lines = [Line(_("Learning exchanges recorded"), str(m.exchanges))]
    if not m.shown:
        section.note = _(
            # promise: tests/evidence/test_mel_sections.py::test_mutuality_below_k_shows_no_figure
            "Fewer than %(k)d people took part in these exchanges, "
            "so no figure about them is shown."
        ) % {"k": m.k}
        return section
    section.lines += [
        Line(_("People in the exchanges"), str(m.people)),
        Line(_("Ties returned (edgewise reciprocity)"), share_text(m.ties_returned)),
        Line(_("Pairs learning both ways (dyadic reciprocity)"), share_text(m.pairs_mutual)),
        Line(
            _("One-way relationships (of people with %(n)d exchanges or more)") % {"n": m.flag_min},
            share_text(m.one_way),
        ),
        Line(
            _("Of them, only giving · only receiving"),
            f"{m.resources or 0} · {m.recipients or 0}",
        ),
        Line(
            _("Ties across organisations (of ties where both are known)"),
            share_text(m.cross_organisation),
        ),
        Line(
            _("Ties across countries (of ties where both are known)"),
            share_text(m.cross_country),
        ),
    ]
    pairs = m.pairs_mutual
    if pairs.whole:
        mutual = pairs.part or 0
        section.charts.append(
            Chart(
                "chart-pairs",
                _("Pairs that exchanged, by direction"),
                [(_("Both ways"), mutual), (_("One way"), pairs.whole - mutual)],
            )
        )
    crossing = [
        (label, share)
        for label, share in (
            (_("Across organisations"), m.cross_organisation),
            (_("Across countries"), m.cross_country),
        )
        if share.whole
    ]
    if crossing:
        section.charts.append(
            Chart(
                "chart-crossing",
                _("Ties that cross a boundary"),
                [(label, share.part or 0) for label, share in crossing],
                [share.whole or 0 for _label, share in crossing],
            )
        )
    return section


# ----------------------------------------------------------------- stories


def _stories(f: Figures) -> Section:
    from peerlearn.harvest.models import KIND_CHOICES, VERIFICATION_LABELS

    section = Section("stories", _("Outcome stories"))
    s = f.stories
    if s is None:
        return _not_readable(section)
    if f.outside:
        # promise: tests/evidence/test_mel_sections.py::test_report_leaves_out_check_in_exchanges_and_private_stories
        section.notes.append(_("Stories private to the facilitators are left out."))
    if not s.total:
        section.note = _("No outcome story harvested yet.")
        return section
    kinds = {code: str(label) for code, label in KIND_CHOICES}
    statuses = {code: str(label) for code, label in VERIFICATION_LABELS.items()}
    section.lines = [
        Line(_("Outcome stories"), str(s.total)),
        Line(_("Substantiated by the people asked"), share_text(s.substantiated)),
        Line(_("Negative changes"), of(s.negative, s.total)),
    ]
    section.charts = [
        Chart(
            "chart-story-status",
            _("Stories by verification"),
            [(statuses.get(code, code), n) for code, n in s.by_verification],
        ),
        Chart(
            "chart-story-kind",
            _("Stories by kind of change"),
            [(kinds.get(code, code), n) for code, n in s.by_kind],
        ),
    ]
    table = Table(
        "table-stories",
        _("Stories, substantiated ones first"),
        [_("Story"), _("Kind of change"), _("Verification")],
        [
            [story.title, kinds.get(story.kind, story.kind), statuses[story.verification]]
            for story in s.stories
        ],
    )
    if s.total > len(s.stories):
        table.notes.append(
            _("The first %(shown)d of %(total)d stories; the outcome stories page lists them all.")
            % {"shown": len(s.stories), "total": s.total}
        )
    section.tables = [table]
    return section


# ----------------------------------------------------------------- reach


def _reach(f: Figures) -> Section:
    from peerlearn.harvest.views import FORM_LABELS

    section = Section("reach", _("Diffusion: what was shared back home"))
    r = f.reach
    if r is None:
        return _not_readable(section)
    if not r.surveys:
        section.note = _("No follow-up survey asking what was shared yet.")
        return section
    section.lines = [Line(_("Follow-up responses"), str(r.respondents))]
    if not r.shown:
        section.note = _(
            # promise: tests/evidence/test_mel_sections.py::test_reach_below_k_shows_no_figure
            "Fewer than %(k)d follow-up responses, so no figure about them is shown."
        ) % {"k": r.k}
        return section
    shared = r.shared.part or 0
    section.lines += [
        Line(_("Shared what they learned"), share_text(r.shared)),
        Line(
            _("People reached, as the respondents counted them"),
            str(r.people_reached) if r.people_reached is not None else _("not given"),
        ),
    ]

    def worded(code: str) -> str:
        return r.labels.get(code) or str(FORM_LABELS.get(code, code))

    for key, title, rows in (
        ("chart-reach-audience", _("With whom they shared (of those who shared)"), r.audiences),
        ("chart-reach-form", _("How they shared (of those who shared)"), r.forms),
    ):
        if rows:
            section.charts.append(
                Chart(key, title, [(worded(code), n) for code, n in rows], [shared] * len(rows))
            )
    return section


# ----------------------------------------------------------------- theory of change


def _theory(f: Figures) -> Section:
    from peerlearn.theory.builtin import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS

    section = Section("theory", _("Theory of change"))
    t = f.theory
    if t is None:
        return _not_readable(section)
    _whole_programme(f, section)
    if t.revision is None:
        section.note = _("No theory of change approved yet.")
        return section
    approved = formats.date_format(t.approved_at) if t.approved_at else ""
    section.lines = [
        Line(
            _("Map in force"),
            _("revision %(number)d, approved on %(date)s")
            % {"number": t.revision, "date": approved},
        ),
        Line(_("Ceiling of accountability"), capfirst(str(KIND_LABELS.get(t.ceiling, t.ceiling)))),
    ]
    total = len(t.nodes)
    for status, n in t.by_status():
        section.lines.append(
            Line(
                _("Nodes %(status)s") % {"status": STATUS_LABELS[status]},
                of(n, total),
            )
        )
    links = sum(n for _status, n in t.links)
    for status, n in t.links:
        section.lines.append(
            Line(_("Links %(status)s") % {"status": STATUS_LABELS[status]}, of(n, links))
        )
    section.charts = [
        Chart(
            "chart-theory-status",
            _("Nodes by evidence status"),
            [(capfirst(str(STATUS_LABELS[s])), n) for s, n in t.by_status()],
        )
    ]
    rows = []
    for node in t.nodes:
        kind = capfirst(str(KIND_LABELS.get(node.kind, node.kind)))
        if node.level:
            kind += f" ({LEVEL_LABELS.get(node.level, node.level)})"
        status = capfirst(str(STATUS_LABELS[node.status]))
        if node.overridden:
            status += " · " + _("set by a facilitator")
        if node.beyond_ceiling:
            status += " · " + _("beyond the ceiling")
        evidence = _("%(supports)d for, %(contradicts)d against") % {
            "supports": node.supports,
            "contradicts": node.contradicts,
        }
        rows.append([node.label, kind, status, evidence])
    section.tables = [
        Table(
            "table-theory",
            _("Every node and its evidence status"),
            [_("Node"), _("Kind"), _("Status"), _("Evidence")],
            rows,
        )
    ]
    return section


# ----------------------------------------------------------------- experiments


def _p_value(value: float) -> str:
    return "< " + number(0.001, 3) if value < 0.001 else number(value, 3)


def _arm_cells(outcome: OutcomeFigure, arm) -> list[str]:
    if arm.suppressed:
        # promise: tests/evidence/test_mel_sections.py::test_experiment_arm_below_k_shows_no_figure
        return [arm.name, _("fewer than %(k)d: not shown") % {"k": outcome.k}, "", "", ""]
    if arm.n is None:
        return [arm.name, "—", "", "", ""]
    if outcome.kind == "binary":
        result = f"{of(arm.count or 0, arm.n)} ({percent(arm.count or 0, arm.n)})"
    else:
        result = _("mean %(mean)s (SD %(sd)s) over %(n)d") % {
            "mean": number(arm.mean),
            "sd": number(arm.sd),
            "n": arm.n,
        }
    contrast = next((c for c in outcome.contrasts if c.arm == arm.name), None)
    if contrast is None:
        return [arm.name, result, _("reference") if arm is outcome.arms[0] else "", "", ""]
    scale = 100.0 if outcome.kind == "binary" else 1.0
    places = 0 if outcome.kind == "binary" else 2
    unit = _(" points") if outcome.kind == "binary" else ""
    difference = _("%(difference)s%(unit)s (95%% CI %(low)s to %(high)s)") % {
        "difference": signed(contrast.difference * scale, places),
        "unit": unit,
        "low": number(contrast.low * scale, places),
        "high": number(contrast.high * scale, places),
    }
    tests = {"fisher_exact": _("Fisher's exact test"), "welch_t": _("Welch's t-test")}
    p_value = f"{_p_value(contrast.p_value)} ({tests.get(contrast.test, contrast.test)})"
    effect = ""
    if contrast.effect is not None:
        effect = _("Hedges' g %(g)s (%(low)s to %(high)s)") % {
            "g": number(contrast.effect),
            "low": number(contrast.effect_low),
            "high": number(contrast.effect_high),
        }
    return [arm.name, result, difference, p_value, effect]


def _experiments(f: Figures) -> Section:
    from peerlearn.engine import experiments as engine
    from peerlearn.experiments.models import DESIGN_CHOICES
    from peerlearn.experiments.views import CAUTIONS, ERRORS

    section = Section("experiments", _("Experiments"))
    found = f.experiments
    if found is None:
        return _not_readable(section)
    _whole_programme(f, section)
    if not found:
        section.note = _("No experiment set up yet.")
        return section
    designs = {code: str(label) for code, label in DESIGN_CHOICES}
    header = [
        _("Arm"),
        _("Result"),
        _("Difference from the first arm"),
        _("p-value"),
        _("Effect size"),
    ]
    for experiment in found:
        section.lines.append(Line(experiment.name, designs.get(experiment.design, "")))
        if not experiment.outcomes:
            section.lines.append(Line(experiment.name, _("no outcome to compare yet")))
        for index, outcome in enumerate(experiment.outcomes):
            key = f"experiment-{experiment.pk}-{index}"
            table = Table(
                f"table-{key}",
                f"{experiment.name}: {outcome.label}",
                header,
                [_arm_cells(outcome, arm) for arm in outcome.arms],
            )
            table.notes += [
                str(ERRORS[kind]) % {"arm": arm} for kind, arm in outcome.errors if kind in ERRORS
            ]
            table.notes += [
                str(CAUTIONS[flag]) % {"small": engine.SMALL_ARM}
                for flag in outcome.flags
                if flag in CAUTIONS
            ]
            shown = [a for a in outcome.arms if a.n is not None and a.count is not None]
            if outcome.kind == "binary" and shown:
                table.chart = Chart(
                    f"chart-{key}",
                    f"{experiment.name}: {outcome.label}",
                    [(a.name, a.count or 0) for a in shown],
                    [a.n or 0 for a in shown],
                )
            section.tables.append(table)
    return section


# ----------------------------------------------------------------- dual tracking


def _dual(f: Figures) -> Section:
    from peerlearn.experiments.views_dual import CORRELATION_REASONS, QUADRANTS

    section = Section("dual", _("Partnership health and results"))
    d = f.dual
    if d is None:
        return _not_readable(section)
    _whole_programme(f, section)
    if d.anonymous_surveys:
        section.notes.append(
            # promise: tests/evidence/test_mel_sections.py::test_dual_group_below_k_is_not_placed
            _("Anonymous partnership-health surveys cannot be split by group: left out.")
        )
    if not d.groups:
        section.note = _("No group yet.")
        return section
    if not d.surveys:
        section.note = _("No partnership-health survey yet.")
        return section
    placed = d.placed.part or 0
    section.lines = [
        Line(
            # promise: tests/evidence/test_mel_sections.py::test_dual_group_below_k_is_not_placed
            _("Groups with a health figure (k or more answers)"),
            share_text(d.placed),
        ),
        Line(
            _("Echo chamber warnings (high trust, little challenge)"), of(d.echo_chambers, placed)
        ),
    ]
    if d.r is None:
        section.notes.append(str(CORRELATION_REASONS.get(d.correlation_reason, "")))
    else:
        section.lines.append(
            Line(
                _("Health and results"),
                _(
                    "correlation r = %(r)s (95%% CI %(low)s to %(high)s), "
                    "p = %(p)s, over %(n)d groups"
                )
                % {
                    "r": number(d.r),
                    "low": number(d.low),
                    "high": number(d.high),
                    "p": _p_value(d.p_value) if d.p_value is not None else "—",
                    "n": d.correlation_n,
                },
            )
        )
    if d.quadrants:
        section.charts.append(
            Chart(
                "chart-quadrants",
                _("Groups by health and results"),
                [(str(QUADRANTS.get(q, q)), n) for q, n in d.quadrants],
                [placed] * len(d.quadrants),
            )
        )
    return section


def _capabilities(f: Figures) -> Section:
    from peerlearn.experiments.views_dual import CAPABILITIES, LEVELS

    section = Section("capabilities", _("Capability change"))
    d = f.dual
    if d is None:
        return _not_readable(section)
    _whole_programme(f, section)
    if not d.capabilities:
        section.note = _(
            "Capability change needs two capability self-assessments, at the start and at the end."
        )
        return section
    rows = []
    for line in d.capabilities:
        name = str(CAPABILITIES.get(line.capability, line.capability))
        level = str(LEVELS.get(line.level, line.level))
        if line.suppressed:
            # promise: tests/evidence/test_mel_sections.py::test_capability_below_k_is_not_shown
            hidden = _("fewer than %(k)d people answered both: not shown")
            hidden %= {"k": d.capability_k}
            rows.append([name, level, hidden, "", "", ""])
        elif not line.n:
            rows.append([name, level, "0", "—", "—", "—"])
        else:
            rows.append(
                [
                    name,
                    level,
                    str(line.n),
                    number(line.start),
                    number(line.end),
                    signed(line.change) if line.change is not None else "—",
                ]
            )
    section.tables = [
        Table(
            "table-capabilities",
            _("Self-assessed capabilities (1 to 4), start and end, paired by respondent"),
            [
                _("Capability"),
                _("Level"),
                _("People who answered both"),
                _("Start"),
                _("End"),
                _("Change"),
            ],
            rows,
        )
    ]
    return section


BUILDERS: dict[str, Callable[[Figures], Section]] = {
    "mutuality": _mutuality,
    "stories": _stories,
    "reach": _reach,
    "theory": _theory,
    "experiments": _experiments,
    "dual": _dual,
    "capabilities": _capabilities,
}

__all__ = ["BUILDERS", "Share", "number", "percent", "signed"]

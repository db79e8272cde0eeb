"""How they were matched and why: the report's and the dashboard's matching section.

Per cohort of the scope, the grouping and the pairing in force (the latest
published run of each kind), summarised by
:func:`peerlearn.matching.summary.published_summaries`, the one computation
the run page reads too (:func:`~peerlearn.matching.summary.run_summary`):
groups or pairs and their sizes, the criteria and their weights, each
criterion's share of the closest possible grouping (the run page's
sentences, :func:`peerlearn.matching.wording.contribution_lines`), the hand
edits and the themes common to several groups.

Decisions
---------
* **Who reads it**: a cohort is summarised for a reader of its runs
  (:func:`~peerlearn.matching.summary.reads_runs`: its facilitators and the
  programme's evaluators, as on the run page).  The report reads as the
  evaluators do, so it shows every cohort's runs.
* **No challenge text**: only counts and the run page's group themes (key
  phrases of at most four words), each counted by the groups holding it
  ("land registry: 4 of 48 groups"), the most held first; a theme that is a
  whole challenge as someone wrote it (a challenge of a few words) is left
  out.  Never a challenge, an excerpt, a member's reason or a name.
* **Not narrowed by the period**: the groupings in force now (the section
  says so when a period is chosen).
* Four queries whatever the number of cohorts (cohorts, runs, moves, short
  challenges).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models.functions import Length
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerlearn.evidence.figures import Figures, Scope
from peerlearn.evidence.presenting import Chart, Line, Section, Table
from peerlearn.intake.models import Challenge
from peerlearn.matching import wording
from peerlearn.matching.summary import RunSummary, published_summaries, reads_runs
from peerlearn.objectives.rules import of
from peerlearn.programmes.models import Cohort
from peerlearn.programmes.permissions import Access

#: Themes listed per grouping (the most groups first).
THEMES_SHOWN = 8
#: Room for spaces and punctuation a challenge may have around a theme's words.
SPACING = 20


@dataclass(frozen=True)
class CohortMatching:
    cohort_id: int
    name: str
    #: The grouping first, then the pairing (each the latest published of its kind).
    runs: list[RunSummary] = field(default_factory=list)


@dataclass(frozen=True)
class MatchingFigure:
    #: Cohorts of the scope whose runs the reader reads, in the programme's order.
    cohorts: list[CohortMatching]

    @property
    def published(self) -> int:
        """Cohorts with a published grouping or pairing."""
        return sum(1 for c in self.cohorts if c.runs)


def matching(scope: Scope, access: Access) -> MatchingFigure | None:
    """The published runs of the scope's cohorts the reader may read (``None``: none)."""
    cohorts = Cohort.objects.filter(programme=scope.programme)
    if scope.cohort is not None:
        cohorts = cohorts.filter(pk=scope.cohort.pk)
    readable = [(c.pk, c.name) for c in cohorts.only("pk", "name") if reads_runs(access, c.pk)]
    if not readable:
        return None
    summaries = published_summaries(pk for pk, _name in readable)
    quoted = _whole_challenges(scope, summaries)
    runs: dict[int, list[RunSummary]] = {}
    for summary in summaries:
        themes = [(t, n) for t, n in summary.themes if _plain(t) not in quoted][:THEMES_SHOWN]
        runs.setdefault(summary.cohort_id, []).append(replace(summary, themes=themes))
    return MatchingFigure(
        [
            CohortMatching(pk, name, sorted(runs.get(pk, []), key=lambda r: r.kind != "groups"))
            for pk, name in readable
        ]
    )


def _plain(text: str) -> str:
    """Case, spacing and end punctuation aside: how a theme is compared with a challenge."""
    return " ".join(text.split()).casefold().rstrip(".!?;:,…")


def _whole_challenges(scope: Scope, summaries: list[RunSummary]) -> set[str]:
    """The programme's challenges short enough to be a theme, as :func:`_plain` writes them:
    one query over the few short texts, never every challenge."""
    longest = max((len(t) for s in summaries for t, _n in s.themes), default=0)
    if not longest:
        return set()
    short = Challenge.objects.annotate(length=Length("text")).filter(
        programme=scope.programme, length__lte=longest + SPACING
    )
    return {_plain(text) for text in short.values_list("text", flat=True)}


# ----------------------------------------------------------------- words


def criteria_text(weights: dict[str, float]) -> str:
    """ "similar challenges (weight 10), shared context (weight 1)", the heaviest first."""
    order = sorted(weights, key=lambda k: (-weights[k], k))
    return ", ".join(
        _("%(criterion)s (weight %(weight)s)")
        % {"criterion": wording.criterion_text(key), "weight": f"{weights[key]:g}"}
        for key in order
    )


def _size_label(kind: str, size: int) -> str:
    if kind == "pairs":
        named = {2: _("Pairs (2 people)"), 3: _("Trios (3 people)")}
        return named.get(size) or ngettext("%(n)d person", "%(n)d people", size) % {"n": size}
    return ngettext("%(n)d member", "%(n)d members", size) % {"n": size}


def _run_table(cohort: CohortMatching, run: RunSummary) -> Table:
    published = formats.date_format(run.published_at) if run.published_at else ""
    if run.kind == "pairs":
        caption = _("%(cohort)s: pairs published on %(date)s") % {
            "cohort": cohort.name,
            "date": published,
        }
        units = ngettext("%(n)d pair", "%(n)d pairs", run.units) % {"n": run.units}
    else:
        caption = _("%(cohort)s: groups published on %(date)s") % {
            "cohort": cohort.name,
            "date": published,
        }
        units = ngettext("%(n)d group", "%(n)d groups", run.units) % {"n": run.units}
    rows = [
        [
            _("Matched"),
            _("%(units)s for %(people)d people") % {"units": units, "people": run.people},
        ],
        [_("Criteria and their weights"), criteria_text(run.weights)],
    ]
    rows += [
        [_("What the groups share"), line]
        for line in wording.contribution_lines(run.criteria, run.weights)
    ]
    closeness = wording.closeness_text(run.kind, run.ratio)
    if closeness:
        rows.append([_("How close the pairs are"), closeness])
    rows.append([_("Changed by hand after the run"), wording.moves_text(run.moves, run.people)])
    # promise: tests/evidence/test_matching_section.py::test_the_report_never_quotes_a_challenge
    for theme, n in run.themes:
        rows.append(
            [
                _("Theme of the groups"),
                _("%(theme)s: %(groups)s groups") % {"theme": theme, "groups": of(n, run.units)},
            ]
        )
    table = Table(f"table-matching-{run.run_id}", caption, [_("Figure"), _("Value")], rows)
    if run.kind == "groups" and not run.criteria:
        table.notes.append(
            _(
                "Each criterion's share of the closest possible grouping was not computed "
                "for this run (large cohorts skip it)."
            )
        )
    return table


def _sizes_chart(cohort: CohortMatching, run: RunSummary) -> Chart:
    title = (
        _("%(cohort)s: pairs by size") if run.kind == "pairs" else _("%(cohort)s: groups by size")
    ) % {"cohort": cohort.name}
    return Chart(
        f"chart-matching-{run.run_id}-sizes",
        title,
        [(_size_label(run.kind, size), n) for size, n in run.sizes],
    )


def section(f: Figures) -> Section:
    out = Section("matching", _("How they were matched and why"))
    m = f.matching
    if m is None:
        out.note = _("Your role in this programme does not let you read these figures.")
        return out
    if f.scope.start or f.scope.end:
        out.notes.append(_("The groupings and pairings in force now: not narrowed by the period."))
    if not m.published:
        out.note = _("No grouping or pairing published yet.")
        return out
    out.lines = [
        Line(_("Cohorts with a published grouping or pairing"), of(m.published, len(m.cohorts)))
    ]
    for cohort in m.cohorts:
        for run in cohort.runs:
            table = _run_table(cohort, run)
            table.chart = _sizes_chart(cohort, run)
            out.tables.append(table)
    return out

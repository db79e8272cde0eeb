"""Words and charts for :class:`~peerlearn.evidence.figures.Figures`: the dashboard,
the HTML report and the PDF report all draw these same sections.

A chart is a server-rendered SVG of horizontal bars (no script, nothing
fetched) and always comes with its numbers as a table, so a screen reader
and a printer get the same figures as the eye.  A bar either counts against
the chart's total, or (``wholes``) is a share of its own denominator
("12 of 40"), drawn against that denominator.  Tables carry what bars
cannot (an experiment's arms, a theory's nodes); the MEL sections are
worded in :mod:`peerlearn.evidence.mel_sections`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pycountry
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlearn.evidence.figures import FEW, NOT_GIVEN, Figures, Share, Tally
from peerlearn.objectives.models import OUTCOME_REVIEW_CHOICES
from peerlearn.objectives.rules import of
from peerlearn.people.choices import ORGANISATION_KIND_CHOICES, SENIORITY_CHOICES
from peerlearn.progress.models import PRODUCT_STATE_CHOICES

#: The sections each audience sees, in order (the funder's follows the issue's report).
ROLE_SECTIONS = {
    "facilitator": [
        "people",
        "matching",
        "rhythm",
        "products",
        "objectives",
        "outcomes",
        "mutuality",
        "dual",
        "capabilities",
        "stories",
        "reach",
        "theory",
        "experiments",
        "surveys",
    ],
    "evaluator": [
        "people",
        "matching",
        "objectives",
        "outcomes",
        "capabilities",
        "dual",
        "stories",
        "theory",
        "experiments",
        "mutuality",
        "reach",
        "surveys",
        "rhythm",
        "products",
    ],
    "funder": [
        "people",
        "matching",
        "rhythm",
        "products",
        "objectives",
        "dual",
        "capabilities",
        "mutuality",
        "outcomes",
        "stories",
        "reach",
        "theory",
        "experiments",
    ],
}
ROLE_LABELS = {
    "facilitator": gettext_lazy("Facilitator"),
    "evaluator": gettext_lazy("Evaluator"),
    "funder": gettext_lazy("Funder"),
}


@dataclass
class Line:
    label: str
    value: str


@dataclass
class Chart:
    key: str
    title: str
    rows: list[tuple[str, int]]
    #: Each row's own denominator (a share of it), else every row is of the total.
    wholes: list[int] | None = None

    @property
    def total(self) -> int:
        return sum(count for _label, count in self.rows)

    def denominators(self) -> list[int]:
        return self.wholes if self.wholes is not None else [self.total] * len(self.rows)

    def shares(self) -> list[tuple[str, int, str]]:
        """Each row with its count and "n of its denominator"."""
        return [
            (label, count, of(count, whole))
            for (label, count), whole in zip(self.rows, self.denominators(), strict=True)
        ]

    def svg(self) -> SafeString:
        return bar_chart(self.key, self.title, self.rows, self.wholes)


@dataclass
class Table:
    """A table of words and numbers (already worded), with notes under it."""

    key: str
    caption: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    #: A chart drawn just above the table (an experiment's outcome), with its own numbers.
    chart: Chart | None = None

    def labelled(self) -> list[list[tuple[str, str]]]:
        """Each row's cells with their column's heading (a phone shows it beside the cell)."""
        return [list(zip(self.header, row, strict=True)) for row in self.rows]


@dataclass
class Section:
    key: str
    title: str
    lines: list[Line] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def all_charts(self) -> list[Chart]:
        """The section's charts and those drawn above its tables."""
        return self.charts + [t.chart for t in self.tables if t.chart is not None]


# ----------------------------------------------------------------- SVG

BAR_HEIGHT = 22
LABEL_WIDTH = 150
BAR_WIDTH = 170


def bar_chart(
    key: str, title: str, rows: list[tuple[str, int]], wholes: list[int] | None = None
) -> SafeString:
    """Horizontal bars, one per row, the count written after each bar.

    With ``wholes``, each bar is drawn against its own denominator (a pale
    bar the length of the whole behind it) and reads "count of whole".
    """
    height = max(1, len(rows)) * BAR_HEIGHT + 4
    width = LABEL_WIDTH + BAR_WIDTH + 64
    largest = max([count for _label, count in rows] or [1]) or 1
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{key}-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{key}-title">{escape(title)}</title>'
    ]
    for index, (label, count) in enumerate(rows):
        y = index * BAR_HEIGHT + 2
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(short)}</text>"
        )
        text = str(count)
        end: float = BAR_WIDTH
        bar: float
        if wholes is not None:
            whole = wholes[index] or 1
            bar = round(BAR_WIDTH * count / whole, 1)
            text = escape(of(count, wholes[index]))
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{BAR_WIDTH}" '
                f'height="{BAR_HEIGHT - 6}" fill="#dde7ef"></rect>'
            )
        else:
            bar = round(BAR_WIDTH * count / largest, 1)
            end = bar
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="{BAR_HEIGHT - 6}" '
            f'fill="#2f6f9f"></rect>'
            f'<text x="{LABEL_WIDTH + end + 4}" y="{y + 15}" font-size="12">{text}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# ----------------------------------------------------------------- words


def _choice(choices) -> dict[str, str]:
    return {str(code): str(label) for code, label in choices}


def country_name(code: str) -> str:
    if not code:
        return _("Not given")
    found = pycountry.countries.get(alpha_2=code.upper())
    return str(found.name) if found else code


def _labelled(tallies: list[Tally], names: dict[str, str], k: int) -> list[tuple[str, int]]:
    out = []
    for tally in tallies:
        if tally.key == NOT_GIVEN:
            label = _("Not given")
        elif tally.key == FEW:
            # promise: tests/evidence/test_figures.py::test_gender_below_k_is_not_named
            label = _("Other, or fewer than %(k)d people") % {"k": k}
        else:
            label = names.get(tally.key, tally.key.capitalize())
        out.append((label, tally.count))
    return out


def share_text(share: Share) -> str:
    if share.suppressed:
        # promise: tests/evidence/test_figures.py::test_objectives_below_k_show_no_figure
        return _("not shown (fewer than k people)")
    return of(share.part or 0, share.whole or 0)


def _people(f: Figures) -> Section:
    section = Section("people", _("Who took part"))
    section.lines = [
        Line(_("Participants"), str(f.participants)),
        Line(_("Organisations"), str(f.organisations)),
        Line(_("Countries"), str(f.countries)),
    ]
    section.charts = [
        Chart(
            "chart-country",
            _("Participants by country"),
            [(country_name(t.key), t.count) for t in f.by_country],
        ),
        Chart(
            "chart-kind",
            _("Participants by kind of organisation"),
            _labelled(f.by_organisation_kind, _choice(ORGANISATION_KIND_CHOICES), f.k),
        ),
        Chart(
            "chart-seniority",
            _("Participants by seniority"),
            _labelled(f.by_seniority, _choice(SENIORITY_CHOICES), f.k),
        ),
        Chart(
            "chart-gender",
            _("Participants by gender (where given)"),
            _labelled(f.by_gender, {}, f.k),
        ),
    ]
    section.charts = [c for c in section.charts if c.rows]
    return section


def _rhythm(f: Figures) -> Section:
    return Section(
        "rhythm",
        _("Rhythm kept"),
        lines=[
            Line(_("Sessions held"), of(f.sessions_held, f.sessions_planned)),
            Line(_("Sessions cancelled"), str(f.sessions_cancelled)),
            Line(_("Attendance (present of those marked)"), share_text(f.attendance)),
        ],
    )


def _products(f: Figures) -> Section:
    section = Section("products", _("Products"))
    if f.products is None:
        section.note = (
            _(
                "The programme keeps the groups' products to its facilitators, "
                "so this view, read as the evaluators read it, leaves them out."
            )
            if f.outside
            else _("The programme does not share the groups' products with evaluators.")
        )
        return section
    section.lines = [Line(_("Products"), str(f.products_total or 0))]
    rows = _labelled(f.products, _choice(PRODUCT_STATE_CHOICES), f.k)
    if rows:
        section.charts = [Chart("chart-products", _("Products by state"), rows)]
    return section


def _objectives(f: Figures) -> Section:
    section = Section("objectives", _("Learning objectives"))
    if f.objectives.suppressed:
        section.note = _(
            # promise: tests/evidence/test_figures.py::test_objectives_below_k_show_no_figure
            "Fewer than %(k)d people have rated their objectives, so no figure is shown."
        ) % {"k": f.k}
        return section
    section.lines = [
        Line(_("People with an objective"), str(f.objectives.people)),
        Line(_("Objectives rated at the end"), share_text(f.objectives_rated)),
        Line(_("Mostly or fully achieved"), share_text(f.objectives_achieved)),
    ]
    return section


def _outcomes(f: Figures) -> Section:
    section = Section("outcomes", _("Changes in organisations"))
    section.lines = [Line(_("Anticipated changes"), str(f.outcomes_total))]
    rows = _labelled(f.outcomes, _choice(OUTCOME_REVIEW_CHOICES), f.k)
    if rows:
        section.charts = [Chart("chart-outcomes", _("Anticipated changes at the end"), rows)]
    return section


def _surveys(f: Figures) -> Section:
    section = Section("surveys", _("Surveys"))
    for survey in f.surveys:
        section.lines.append(
            Line(survey.title, _("%(n)s responded") % {"n": of(survey.responses, survey.invited)})
        )
        if survey.suppressed:
            section.lines.append(
                Line(
                    survey.title,
                    # promise: tests/evidence/test_figures.py::test_survey_headline_is_k_suppressed
                    _("fewer than %(k)d responses: answers not shown") % {"k": survey.k},
                )
            )
            continue
        question = survey.headline
        if question is None:
            continue
        if question.suppressed:
            section.lines.append(
                # promise: tests/evidence/test_figures.py::test_survey_headline_is_k_suppressed
                Line(question.label, _("fewer than %(k)d answers: not shown") % {"k": survey.k})
            )
        elif question.choices:
            section.charts.append(
                Chart(
                    f"chart-survey-{survey.survey_id}",
                    f"{survey.title}: {question.label}",
                    [(c.label, c.count) for c in question.choices],
                )
            )
        elif question.numbers is not None:
            section.lines.append(
                Line(
                    question.label,
                    _("mean %(mean).1f over %(n)d answers")
                    % {"mean": question.numbers.mean, "n": question.numbers.n},
                )
            )
    if not f.surveys:
        section.note = _("No survey yet.")
    return section


def _builders() -> dict[str, Callable[[Figures], Section]]:
    from peerlearn.evidence import matching_figures, mel_sections

    return {
        "matching": matching_figures.section,
        "people": _people,
        "rhythm": _rhythm,
        "products": _products,
        "objectives": _objectives,
        "outcomes": _outcomes,
        "surveys": _surveys,
        **mel_sections.BUILDERS,
    }


def sections(figures: Figures, role: str) -> list[Section]:
    builders = _builders()
    return [builders[key](figures) for key in ROLE_SECTIONS.get(role, ROLE_SECTIONS["funder"])]

"""The learning network page: filters, graph building, its summary and an SVG drawn on the server.

A *summary* (:func:`summarise`) is what the page shows of a graph, as ids
and numbers: counts, metrics, the :data:`TOP_ROWS` nodes of highest
betweenness, the largest communities and, up to :data:`MAX_DRAWN` nodes,
the layout (igraph's Fruchterman-Reingold, seeded, so the same exchanges
draw the same picture).  The snapshot task stores one per level for the
whole programme (``mel/snapshots.py``); a filtered view is summarised in the
request.  :func:`svg` writes the drawing as one string (a template loop over
10,000 ties took most of a second): up to :data:`MAX_LABELLED` nodes each
node has its name and each tie its arrow; above, names are tooltips, the
ties one path per line width, and a phone shows the lists instead (CSS: a
hairball is unreadable on a small screen).  Above :data:`MAX_DRAWN` nodes
every screen shows lists.  Exports label people with their names for the
programme's facilitators and with pseudonyms for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
from django import forms
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerlearn.core.tabular import pseudonym
from peerlearn.engine import mutuality as mu
from peerlearn.engine import network
from peerlearn.mel import services
from peerlearn.mel.models import KIND_CHOICES, Exchange
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Cohort, Membership, Programme

#: Graphs up to this many nodes are drawn (on a desktop screen); above, lists only.
MAX_DRAWN = 2000
#: Up to this many nodes the drawing carries names and arrows, and phones show it too.
MAX_LABELLED = 150
#: Rows of the node table (highest betweenness first), communities listed, members named.
TOP_ROWS = 100
#: At most this many ties are drawn, the heaviest first (500 organisations can have
#: 86,000 ties: a hairball either way, and 2 MB of SVG to send and paint).
MAX_TIES_DRAWN = 15_000
COMMUNITIES_SHOWN = 20
MEMBERS_SHOWN = 30
ISOLATES_SHOWN = 100
SIZE = 600
MARGIN = 30

LEVELS = [
    ("person", _("people")),
    ("organisation", _("organisations")),
    ("country", _("countries")),
]


class NetworkFilter(forms.Form):
    level = forms.ChoiceField(label=_("Nodes"), choices=LEVELS, required=False)
    cohort = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        required=False,
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *KIND_CHOICES], required=False)

    def __init__(self, *args: Any, cohorts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cohort"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cohorts

    @property
    def narrows(self) -> bool:
        """A filter other than the level is set (the snapshot holds the whole network only)."""
        data = self.cleaned_data if self.is_valid() else {}
        return any(data.get(key) for key in ("cohort", "since", "until", "kind"))

    def filtered(self, exchanges: QuerySet[Exchange], programme: Programme) -> QuerySet[Exchange]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("cohort"):
            people = Membership.objects.filter(programme=programme, cohort=data["cohort"]).values(
                "person_id"
            )
            exchanges = exchanges.filter(giver__in=people, receiver__in=people)
        if data.get("since"):
            exchanges = exchanges.filter(when__gte=data["since"])
        if data.get("until"):
            exchanges = exchanges.filter(when__lte=data["until"])
        if data.get("kind"):
            exchanges = exchanges.filter(kind=data["kind"])
        return exchanges

    @property
    def chosen_level(self) -> str:
        return (self.cleaned_data.get("level") if self.is_valid() else "") or "person"


PersonRow = tuple[int, str, int | None, str, str]  # pk, country, org, org name, org country


def person_rows(people: QuerySet[Person]) -> list[PersonRow]:
    """What building a graph at any level needs of each person, in one query."""
    return [
        (pk, country or "", org, org_name or "", org_country or "")
        for pk, country, org, org_name, org_country in people.values_list(
            "pk", "country", "organisation_id", "organisation__name", "organisation__country"
        )
    ]


def _inside(records: list[mu.Exchange], people: list[PersonRow]) -> list[mu.Exchange]:
    inside = {row[0] for row in people}
    return [e for e in records if e.giver in inside and e.receiver in inside]


def _level(level: str, people: list[PersonRow]) -> tuple[Any, list[Any], dict[Any, Any]]:
    """(people to nodes or None for people themselves, the nodes, their attributes)."""
    if level == "organisation":
        countries = {row[2]: row[4] for row in people if row[2] is not None}
        attrs = {o: {"country": c} for o, c in countries.items() if c}
        return {row[0]: row[2] for row in people}, list(countries), attrs
    if level == "country":
        nodes = sorted({row[1] for row in people if row[1]})
        return {row[0]: row[1] or None for row in people}, nodes, {}
    attrs = {
        pk: {k: v for k, v in (("organisation", str(org or "")), ("country", country)) if v}
        for pk, country, org, _name, _oc in people
    }
    return None, [row[0] for row in people], attrs


def graph_of(
    records: list[mu.Exchange],
    people: list[PersonRow],
    level: str,
    labels: dict[Any, str] | None = None,
) -> Any:
    """The directed network at ``level`` over ``people`` (isolates included), for exports.

    Exchanges with someone outside ``people`` are left out; at the
    organisation and country levels exchanges inside one unit are too.
    """
    units, nodes, attrs = _level(level, people)
    records = _inside(records, people)
    if units is not None:
        records = mu.aggregate(records, units)
    return network.build_graph(records, nodes, labels, attrs)


def ties_of(records: list[mu.Exchange], people: list[PersonRow], level: str) -> network.Ties:
    """:func:`graph_of` as arrays, for the page's summary (no networkx graph: 50,000
    people and 500,000 exchanges take seconds instead of a minute)."""
    return ties_by_level(records, people, [level])[level]


def ties_by_level(
    records: list[mu.Exchange], people: list[PersonRow], levels: list[str]
) -> dict[str, network.Ties]:
    """The ties at each of ``levels``: the people's from the exchanges, once; the
    organisations' and countries' grouped from those (one pass over the exchanges)."""
    _none, nodes, attrs = _level("person", people)
    ties = network.tie_table(_inside(records, people), nodes, attrs)
    out = {}
    for level in levels:
        units, nodes, attrs = _level(level, people)
        out[level] = ties if units is None else network.grouped_ties(ties, units, nodes, attrs)
    return out


def graph_for(
    exchanges: QuerySet[Exchange],
    people: QuerySet[Person],
    level: str,
    *,
    programme: Programme,
    names: bool,
) -> tuple[Any, dict[Any, str]]:
    """The network at ``level`` with its labels (names or pseudonyms for people)."""
    rows = person_rows(people)
    labels: dict[Any, str]
    if level == "organisation":
        labels = {org: name for _pk, _c, org, name, _oc in rows if org is not None}
    elif level == "country":
        labels = {c: c for _pk, c, *_rest in rows if c}
    elif names:
        labels = dict(people.values_list("pk", "name"))
    else:
        labels = {row[0]: pseudonym(programme, row[0]) for row in rows}
    return graph_of(services.as_records(exchanges), rows, level, labels), labels


def summarise(ties: network.Ties, *, seed: int = 0) -> dict[str, Any]:
    """What the network page shows of a network: ids and numbers, ready for JSON."""
    m = network.tie_metrics(ties, seed=seed)
    ranked = sorted(
        ties.names,
        key=lambda n: (-m.betweenness[n], -m.in_degree[n] - m.out_degree[n], str(n)),
    )
    drawing = None
    if 0 < ties.size <= MAX_DRAWN:
        pos = network.tie_layout(ties, seed=seed)
        heaviest = np.argsort(-ties.weight, kind="stable")[:MAX_TIES_DRAWN]
        drawing = {
            "nodes": [
                [n, round(x, 4), round(y, 4), m.in_degree[n] + m.out_degree[n]]
                for n, (x, y) in zip(ties.names, pos, strict=True)
            ],
            "ties": np.column_stack(
                [ties.giver[heaviest], ties.receiver[heaviest], ties.weight[heaviest]]
            ).tolist(),
        }
    return {
        "nodes": ties.size,
        "ties": len(ties.giver),
        "rows": [
            [n, m.in_degree[n], m.out_degree[n], round(m.betweenness[n], 6)]
            for n in ranked[:TOP_ROWS]
        ],
        "samples": m.betweenness_samples,
        "communities": [[len(c), c[:MEMBERS_SHOWN]] for c in m.communities[:COMMUNITIES_SHOWN]],
        "community_count": len(m.communities),
        "modularity": m.modularity,
        "cross": {key: list(value) for key, value in m.cross.items()},
        "lasting": list(m.lasting),
        "isolates": m.isolates[:ISOLATES_SHOWN],
        "isolate_count": len(m.isolates),
        "drawing": drawing,
    }


def summary_ids(summary: dict[str, Any]) -> set[Any]:
    """The nodes a summary names on the page (labels are looked up for these only)."""
    ids = {row[0] for row in summary["rows"]} | set(summary["isolates"])
    ids.update(n for _size, members in summary["communities"] for n in members)
    if summary["drawing"]:
        ids.update(node[0] for node in summary["drawing"]["nodes"])
    return ids


def page_labels(level: str, ids: set[Any]) -> dict[Any, str]:
    """Names for the page (every reader of it lists the whole roster anyway)."""
    if level == "country":
        return {c: str(c) for c in ids}
    model = Organisation if level == "organisation" else Person
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


@dataclass
class Shown:
    """A summary worded for the page: labels in place of ids."""

    summary: dict[str, Any]
    labels: dict[Any, str]

    def label(self, node: Any) -> str:
        return self.labels.get(node, str(node))

    @property
    def rows(self) -> list[tuple[str, int, int, float]]:
        return [(self.label(n), d_in, d_out, b) for n, d_in, d_out, b in self.summary["rows"]]

    @property
    def more_rows(self) -> int:
        return int(self.summary["nodes"]) - len(self.summary["rows"])

    @property
    def communities(self) -> list[tuple[int, list[str], int]]:
        return [
            (size, [self.label(n) for n in members], size - len(members))
            for size, members in self.summary["communities"]
        ]

    @property
    def more_communities(self) -> int:
        return int(self.summary["community_count"]) - len(self.summary["communities"])

    @property
    def isolates(self) -> list[str]:
        return [self.label(n) for n in self.summary["isolates"]]

    @property
    def ties_left_out(self) -> int:
        drawing = self.summary["drawing"]
        return 0 if not drawing else int(self.summary["ties"]) - len(drawing["ties"])

    @property
    def labelled(self) -> bool:
        return bool(self.summary["nodes"] <= MAX_LABELLED)

    @property
    def too_big(self) -> bool:
        return self.summary["drawing"] is None and self.summary["nodes"] > 0

    def svg(self) -> SafeString:
        return svg(self.summary["drawing"], self.labels, labelled=self.labelled)


def _at(value: float) -> str:
    return f"{MARGIN + value * (SIZE - 2 * MARGIN):.1f}"


def svg(drawing: dict[str, Any] | None, labels: dict[Any, str], *, labelled: bool) -> SafeString:
    """The drawing as one SVG string, every label escaped.

    Labelled (small graphs): a ``<line>`` with an arrow per tie and a name per
    node.  Otherwise the ties are one ``<path>`` per line width (1, 2, 3 or
    more exchanges) without arrows, and names are ``<title>`` tooltips: far
    fewer elements for the browser to lay out and paint.
    """
    if not drawing:
        return mark_safe("")  # noqa: S308 - nothing to escape
    nodes = drawing["nodes"]
    xy = [(_at(x), _at(y)) for _n, x, y, _d in nodes]
    parts = [
        f'<svg viewBox="0 0 {SIZE} {SIZE}" width="100%" role="img" '
        f'aria-label="{escape(gettext("Learning network"))}">'
    ]
    if labelled:
        parts.append(
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
            'fill="#888"/></marker></defs>'
        )
        parts.extend(
            f'<line x1="{xy[u][0]}" y1="{xy[u][1]}" x2="{xy[v][0]}" y2="{xy[v][1]}" '
            f'stroke="#888" stroke-width="{min(w, 3)}" marker-end="url(#arrow)"/>'
            for u, v, w in drawing["ties"]
        )
    else:
        by_width: dict[int, list[str]] = {1: [], 2: [], 3: []}
        for u, v, w in drawing["ties"]:
            by_width[min(w, 3)].append(f"M{xy[u][0]} {xy[u][1]}L{xy[v][0]} {xy[v][1]}")
        parts.extend(
            f'<path class="ties" d="{"".join(d)}" stroke="#888" stroke-opacity="0.5" '
            f'stroke-width="{w / 2}" fill="none"/>'
            for w, d in by_width.items()
            if d
        )
    for (node, _x, _y, degree), (cx, cy) in zip(nodes, xy, strict=True):
        name = escape(labels.get(node, str(node)))
        fill = "#2b6cb0" if degree else "#ccc"
        if labelled:
            parts.append(
                f'<g class="node"><circle cx="{cx}" cy="{cy}" r="7" fill="{fill}"/>'
                f'<text x="{cx}" y="{cy}" dy="-10" text-anchor="middle" font-size="12">'
                f"{name}</text></g>"
            )
        else:
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="3" fill="{fill}"><title>{name}</title></circle>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label escaped

"""The learning network page: filters, graph building and an SVG drawn on the server.

The layout is networkx's spring layout, seeded, so the same exchanges draw
the same picture; above :data:`MAX_DRAWN` nodes the page shows lists only
(a phone cannot read a hairball). Exports label people with their names
for the programme's facilitators and with pseudonyms for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peerlearn.core.tabular import pseudonym
from peerlearn.engine import mutuality as mu
from peerlearn.engine import network
from peerlearn.mel import services
from peerlearn.mel.models import KIND_CHOICES, Exchange
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Membership, Programme

MAX_DRAWN = 150
SIZE = 600

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


@dataclass
class Drawn:
    graph: Any
    metrics: network.NetworkMetrics
    labels: dict[Any, str]
    circles: list[tuple[float, float, str, int]]
    lines: list[tuple[float, float, float, float, int]]
    too_big: bool


def graph_for(
    exchanges: QuerySet[Exchange],
    people: QuerySet[Person],
    level: str,
    *,
    programme: Programme,
    names: bool,
) -> tuple[Any, dict[Any, str]]:
    """The network at ``level`` with its labels (names or pseudonyms for people)."""
    people = people.select_related("organisation")
    records = services.as_records(exchanges)
    org_of: dict[Any, Any] = {p.pk: p.organisation_id for p in people}
    labels: dict[Any, str]
    attrs: dict[Any, dict[str, str]]
    country_of_org = {p.organisation_id: p.organisation.country for p in people if p.organisation}
    if level == "organisation":
        records = mu.aggregate(records, org_of)
        labels = {p.organisation_id: p.organisation.name for p in people if p.organisation}
        attrs = {o: {"country": c} for o, c in country_of_org.items() if c}
        nodes: list[Any] = list(labels)
    elif level == "country":
        records = mu.aggregate(records, {p.pk: p.country or None for p in people})
        nodes = sorted({p.country for p in people if p.country})
        labels = {c: c for c in nodes}
        attrs = {}
    else:
        labels = {p.pk: p.name if names else pseudonym(programme, p.pk) for p in people}
        attrs = {
            p.pk: {
                k: v
                for k, v in (("organisation", str(p.organisation_id or "")), ("country", p.country))
                if v
            }
            for p in people
        }
        nodes = list(labels)
    return network.build_graph(records, nodes, labels, attrs), labels


def draw(graph: Any, labels: dict[Any, str]) -> Drawn:
    too_big = graph.number_of_nodes() > MAX_DRAWN
    pos = {} if too_big else network.layout(graph, seed=0)
    margin = 30

    def at(node: Any) -> tuple[float, float]:
        x, y = pos[node]
        return margin + x * (SIZE - 2 * margin), margin + y * (SIZE - 2 * margin)

    circles = [(*at(n), labels.get(n, str(n)), graph.degree(n)) for n in pos]
    lines = [(*at(u), *at(v), d["weight"]) for u, v, d in graph.edges(data=True) if u in pos]
    return Drawn(graph, network.metrics(graph, seed=0), labels, circles, lines, too_big)

"""The learning network page, its filters and exports (read back with networkx)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import networkx as nx
from django.urls import reverse

from peerlearn.core.tabular import pseudonym
from peerlearn.mel import network as drawing
from peerlearn.mel.package import tables
from tests.mel.conftest import learned

DAY = date(2026, 3, 2)


def _some(world):
    learned(world, "participant", "peer")
    learned(world, "peer", "participant", when=DAY + timedelta(days=100), kind="tool")
    learned(world, "observer", "peer", kind="visit")


def test_network_page_draws_an_svg_with_metrics(world, login):
    _some(world)
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:network", args=[world.programme.slug])).content.decode()
    assert page.count("<circle") == len(
        set(world.programme.memberships.values_list("person", flat=True))
    )
    assert page.count("<line") == 3
    assert "Pairs whose exchanges span three months or more: 1 of 2" in page
    assert "Peer Person" in page


def test_filters_by_kind_and_period(world, login):
    _some(world)
    client = login(world.users["facilitator"])
    url = reverse("mel:network", args=[world.programme.slug])
    assert client.get(url, {"kind": "visit"}).content.decode().count("<line") == 1
    page = client.get(url, {"since": (DAY + timedelta(days=1)).isoformat()}).content.decode()
    assert page.count("<line") == 1
    by_country = client.get(url, {"level": "country"}).content.decode()
    assert by_country.count("<circle") == 1  # everyone is in Kenya: no tie between countries
    assert "No exchange matches" not in by_country


def test_large_networks_become_lists(world, login, monkeypatch):
    monkeypatch.setattr(drawing, "MAX_DRAWN", 2)  # decided when the snapshot is computed
    _some(world)
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:network", args=[world.programme.slug])).content.decode()
    assert "<svg" not in page and 'id="too-big"' in page and "Betweenness" in page


def test_a_drawing_above_the_labelled_size_has_tooltips_one_path_per_width_and_phone_lists(
    world, login, monkeypatch
):
    monkeypatch.setattr(drawing, "MAX_LABELLED", 2)
    _some(world)
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:network", args=[world.programme.slug])).content.decode()
    people = set(world.programme.memberships.values_list("person", flat=True))
    assert page.count("<circle") == len(people) and "<line" not in page
    assert page.count('<path class="ties"') == 1  # three ties of one exchange: one path
    assert "<title>Peer Person</title>" in page
    assert 'class="network large"' in page and 'id="phone-lists"' in page
    assert "Betweenness" in page  # the lists a phone shows instead


def test_names_in_the_drawing_are_escaped():
    summary = {"nodes": [[1, 0.0, 0.0, 1], [2, 1.0, 1.0, 1]], "ties": [[0, 1, 4]]}
    labels = {1: "<b>Ana</b>", 2: "Ben & co"}
    for labelled in (True, False):
        markup = drawing.svg(summary, labels, labelled=labelled)
        assert "<b>" not in markup and "&lt;b&gt;Ana&lt;/b&gt;" in markup
        assert "Ben &amp; co" in markup
    assert 'stroke-width="3"' in drawing.svg(summary, labels, labelled=True)  # 4 drawn as 3


def test_the_page_reads_the_snapshot_and_a_filter_is_computed_in_the_request(world, login):
    from peerlearn.mel.models import MutualitySnapshot

    _some(world)
    row = MutualitySnapshot.objects.get(programme=world.programme, audience="programme")
    row.network["person"]["isolate_count"] = 4242
    row.save()
    client = login(world.users["facilitator"])
    url = reverse("mel:network", args=[world.programme.slug])
    page = client.get(url).content.decode()
    assert "4242 isolates" in page and "Figures as of" in page
    filtered = client.get(url, {"kind": "visit"}).content.decode()
    assert "4242" not in filtered and filtered.count("<line") == 1


def test_sampled_betweenness_is_said_on_the_page(world, login, monkeypatch):
    from peerlearn.engine import network as engine

    monkeypatch.setattr(engine, "EXACT_BETWEENNESS", 2)
    monkeypatch.setattr(engine, "BETWEENNESS_SAMPLES", 2)
    _some(world)
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:network", args=[world.programme.slug])).content.decode()
    assert 'id="betweenness-sampled"' in page
    assert "estimated from the shortest paths of 2 people drawn at random" in page


def test_a_filter_matching_too_many_exchanges_says_so(world, login, monkeypatch):
    from peerlearn.mel import snapshots

    _some(world)
    monkeypatch.setattr(snapshots, "LIVE_LIMIT", 1)
    client = login(world.users["facilitator"])
    url = reverse("mel:network", args=[world.programme.slug])
    page = client.get(url, {"since": "2026-01-01"}).content.decode()
    assert 'id="too-many"' in page and "<svg" not in page
    assert "<svg" in client.get(url).content.decode(), "the whole network: its snapshot"


def test_a_snapshot_from_before_the_network_is_recomputed(world, login):
    from peerlearn.mel.models import MutualitySnapshot

    _some(world)
    MutualitySnapshot.objects.update(network={})
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:network", args=[world.programme.slug])).content.decode()
    assert page.count("<line") == 3
    row = MutualitySnapshot.objects.get(programme=world.programme, audience="programme")
    assert set(row.network) == {"person", "organisation", "country"}


def test_exports_read_back_and_use_pseudonyms_for_evaluators(world, login, tmp_path):
    _some(world)
    client = login(world.users["facilitator"])
    body = client.get(reverse("mel:network_export", args=[world.programme.slug, "graphml"]))
    path = tmp_path / "n.graphml"
    path.write_bytes(body.content)
    graph = nx.read_graphml(path)
    assert graph.number_of_edges() == 3
    gexf = client.get(reverse("mel:network_export", args=[world.programme.slug, "gexf"]))
    (tmp_path / "n.gexf").write_bytes(gexf.content)
    assert nx.read_gexf(tmp_path / "n.gexf").number_of_edges() == 3

    client = login(world.users["evaluator"])
    text = client.get(reverse("mel:network_export", args=[world.programme.slug, "csv"]))
    rows = list(csv.DictReader(io.StringIO(text.content.decode())))
    assert list(rows[0])[:2] == ["From", "To"]
    peer = pseudonym(world.programme, world.people["peer"].pk)
    assert {r["From"] for r in rows} >= {peer}
    assert "Peer Person" not in text.content.decode()
    assert (
        client.get(reverse("mel:network_export", args=[world.programme.slug, "xls"])).status_code
        == 404
    )


def test_package_table_lists_exchanges_with_pseudonyms_and_keeps_check_ins_from_evaluators(world):
    learned(world)
    learned(world, "peer", "participant", source="checkin", group=world.group_a)
    (table,) = tables(world.programme, world.users["evaluator"])
    rows = list(table.rows)
    assert len(rows) == 1
    assert rows[0][1] == pseudonym(world.programme, world.people["peer"].pk)
    assert len(list(tables(world.programme, world.users["facilitator"])[0].rows)) == 2
    assert tables(world.programme, world.users["observer"]) == []


def test_evaluators_network_leaves_check_in_exchanges_out(world, login):
    learned(world, "participant", "peer")
    learned(world, "peer", "participant", source="checkin", group=world.group_a)
    url = reverse("mel:network", args=[world.programme.slug])
    assert login(world.users["facilitator"]).get(url).content.decode().count("<line") == 2
    evaluator = login(world.users["evaluator"]).get(url).content.decode()
    assert evaluator.count("<line") == 1 and "Figures as of" in evaluator


def test_only_the_heaviest_ties_are_drawn_above_the_cap(world, login, monkeypatch):
    monkeypatch.setattr(drawing, "MAX_TIES_DRAWN", 2)
    _some(world)
    learned(world, "observer", "peer", kind="tool")  # observer -> peer now weighs 2
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:network", args=[world.programme.slug])).content.decode()
    assert page.count("<line") == 2 and 'stroke-width="2"' in page
    assert "The 2 heaviest of 3 ties are drawn." in page

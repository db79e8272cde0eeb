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
    _some(world)
    monkeypatch.setattr(drawing, "MAX_DRAWN", 2)
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:network", args=[world.programme.slug])).content.decode()
    assert "<svg" not in page and 'id="too-big"' in page and "Betweenness" in page


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

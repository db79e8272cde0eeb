"""The theory of change in the data package: nodes and links of the revision in force."""

from __future__ import annotations

from peerlearn.evidence.datapackage import reader_tables as package_tables
from peerlearn.theory import package, services


def test_tables_hold_the_approved_revision_for_readers_only(world):
    theory = services.theory_for(world.programme)
    assert package.tables(world.programme, world.users["evaluator"]) == []  # nothing approved
    services.approve(theory.revisions.get(number=1), world.users["facilitator"])
    services.override(theory, "act_groups", "supported", "Seen", world.users["facilitator"])
    nodes, links = package.tables(world.programme, world.users["evaluator"])
    node_rows = {row[1]: row for row in nodes.rows}
    the_map = services.draft_map(theory)
    assert set(node_rows) == {n.id for n in the_map.nodes}
    assert node_rows["act_groups"][0] == 1
    assert node_rows["act_groups"][-2:] == ["supported", True]
    assert len(list(links.rows)) == len(the_map.links)
    for table in (nodes, links):
        assert all(len(row) == len(table.columns) for row in table.rows)
    assert package.tables(world.programme, world.users["participant"]) == []
    names = {t.name for t in package_tables(world.programme, world.users["facilitator"])}
    assert {"theory_nodes", "theory_links"} <= names

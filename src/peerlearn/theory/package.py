"""The theory of change in the evaluator's data package (interface: core/tabular.py).

Two tables of the revision in force: its nodes and its links, each row with
the revision number and the evidence status.  Only readers of the whole
theory (facilitators, evaluators) get them; no person appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlearn.core.tabular import Column, Table
from peerlearn.programmes.permissions import access_for
from peerlearn.theory import services
from peerlearn.theory.builtin import node_label
from peerlearn.theory.models import TheoryOfChange
from peerlearn.theory.permissions import reads_theory

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

STATUS = Column("status", description="supported, contested or untested (possibly set by hand)")
OVERRIDDEN = Column("overridden", "boolean", "the status was set by a facilitator with a reason")


def tables(programme: Programme, user: User) -> list[Table]:
    theory = TheoryOfChange.objects.filter(programme=programme).first()
    if theory is None or not reads_theory(access_for(user, programme)):
        return []
    revision = services.approved_revision(theory)
    if revision is None:
        return []
    theory_map = services.revision_map(revision)
    statuses = services.statuses(theory, theory_map)
    number = revision.number
    nodes = Table(
        name="theory_nodes",
        title="Theory of change: nodes",
        description=f"Nodes of revision {number}, the approved map in force.",
        columns=[
            Column("revision", "integer"),
            Column("node", description="id of the node in the map"),
            Column("kind", description="activity, capability, outcome, impact or assumption"),
            Column("level", description="individual, institutional or context (capabilities)"),
            Column("label"),
            Column("about", description="node or link an assumption is attached to"),
            STATUS,
            OVERRIDDEN,
        ],
        rows=[
            [
                number,
                n.id,
                n.kind,
                n.level,
                node_label(n),
                n.about,
                statuses[n.id].status,
                statuses[n.id].overridden,
            ]
            for n in theory_map.nodes
        ],
        primary_key=["node"],
    )
    links = Table(
        name="theory_links",
        title="Theory of change: links",
        description=f"Causal links of revision {number}.",
        columns=[
            Column("revision", "integer"),
            Column("link", description="id of the link in the map"),
            Column("source", description="node the link starts from"),
            Column("target", description="node the link leads to"),
            Column("rationale"),
            STATUS,
            OVERRIDDEN,
        ],
        rows=[
            [
                number,
                lk.id,
                lk.source,
                lk.target,
                lk.rationale,
                statuses[lk.id].status,
                statuses[lk.id].overridden,
            ]
            for lk in theory_map.links
        ],
        primary_key=["link"],
        foreign_keys={"source": ("theory_nodes", "node"), "target": ("theory_nodes", "node")},
    )
    return [nodes, links]

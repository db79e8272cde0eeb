"""The built-in starting map: the seeds' five capabilities at three levels.

Peer-learning activities feed the five capabilities at the individual level;
each capability cascades to the institutional and then the context level
(the seeds' "cascade of change"); institutional capabilities feed reforms
the home institutions adopt, context capabilities lasting partnerships, both
the impact.  Node labels are looked up by ``key`` at display time, so the
built-in nodes read in the reader's language until someone edits them.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerlearn.engine.theory import LEVELS, Link, Node, TheoryMap

CAPABILITIES = {
    "commit": _("Commit and engage"),
    "deliver": _("Carry out technical tasks and deliver results"),
    "relate": _("Relate to context and attract others"),
    "balance": _("Balance diversity and coherence"),
    "adapt": _("Adapt and renew"),
}

OTHER_LABELS = {
    "act_sessions": _("Peer-learning sessions and exchanges of experience"),
    "act_groups": _("Small groups working on each member's real problem"),
    "act_visits": _("Study visits and peer reviews"),
    "out_reforms": _("Home institutions adopt and sustain reforms"),
    "out_partnerships": _("Lasting two-way partnerships between institutions"),
    "imp_institutions": _("More effective, legitimate and durable public institutions"),
    "as_backing": _("Participants have their authorisers' backing to apply what they learn"),
    "as_mutual": _("Every side has something to learn, not only to teach"),
}

LEVEL_LABELS = {
    "individual": _("individual"),
    "institutional": _("institutional"),
    "context": _("context"),
}

KIND_LABELS = {
    "activity": _("activity"),
    "capability": _("capability"),
    "outcome": _("institutional outcome"),
    "impact": _("impact"),
    "assumption": _("assumption"),
}

STATUS_LABELS = {
    "supported": _("supported"),
    "contested": _("contested"),
    "untested": _("untested"),
}

#: Which capabilities each activity mainly feeds.
FEEDS = {
    "act_sessions": ("commit", "relate", "balance"),
    "act_groups": ("deliver", "adapt", "commit"),
    "act_visits": ("deliver", "relate"),
}


def builtin_label(key: str) -> str | None:
    """The translated label of a built-in node key, or ``None``."""
    if key.startswith("cap_"):
        name = key.split("_")[1]
        return str(CAPABILITIES[name]) if name in CAPABILITIES else None
    label = OTHER_LABELS.get(key)
    return None if label is None else str(label)


def node_label(node: Node) -> str:
    return (builtin_label(node.key) if node.key else None) or node.label


def starting_map() -> TheoryMap:
    """The built-in map (rationales in the current language, as typed text)."""
    nodes: list[Node] = [Node(key, "activity", str(OTHER_LABELS[key]), key=key) for key in FEEDS]
    for name, label in CAPABILITIES.items():
        for level in LEVELS:
            key = f"cap_{name}_{level}"
            nodes.append(Node(key, "capability", str(label), level=level, key=key))
    for key, kind in (
        ("out_reforms", "outcome"),
        ("out_partnerships", "outcome"),
        ("imp_institutions", "impact"),
    ):
        nodes.append(Node(key, kind, str(OTHER_LABELS[key]), key=key))
    links: list[Link] = []

    def link(source: str, target: str, rationale: str) -> None:
        links.append(Link(f"{source}__{target}", source, target, rationale))

    for activity, names in FEEDS.items():
        for name in names:
            link(
                activity,
                f"cap_{name}_individual",
                gettext("Peers learn from each other's practice"),
            )
    for name in CAPABILITIES:
        link(
            f"cap_{name}_individual",
            f"cap_{name}_institutional",
            gettext("What one official learns spreads to their institution"),
        )
        link(
            f"cap_{name}_institutional",
            f"cap_{name}_context",
            gettext("Institutions carry the change into their wider system"),
        )
        link(
            f"cap_{name}_institutional",
            "out_reforms",
            gettext("Institutional capability makes reforms stick"),
        )
    for name in ("relate", "balance"):
        link(
            f"cap_{name}_context",
            "out_partnerships",
            gettext("Relationships beyond the home institution keep the exchange going"),
        )
    link("out_reforms", "imp_institutions", gettext("Reforms that last change how the state works"))
    link(
        "out_partnerships",
        "imp_institutions",
        gettext("Partners keep learning from each other after the programme"),
    )
    nodes.append(
        Node(
            "as_backing",
            "assumption",
            str(OTHER_LABELS["as_backing"]),
            about="out_reforms",
            key="as_backing",
        )
    )
    nodes.append(
        Node(
            "as_mutual",
            "assumption",
            str(OTHER_LABELS["as_mutual"]),
            about="act_sessions",
            key="as_mutual",
        )
    )
    return TheoryMap(tuple(nodes), tuple(links), ceiling="outcome")

"""Lay a map out for the page: layered SVG boxes for desktops, a nested list for phones.

Rows from top to bottom: impact, institutional outcomes, capabilities at
context, institutional and individual level, activities, then the
assumptions (dashed), so causes sit below their effects and arrows point up.
Each box shows its status as a colour *and* a word, so the map reads
without colour too.  Everything is computed here; the template only prints
numbers and words.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from peerlearn.engine.theory import (
    ASSUMPTION,
    CHAIN_KINDS,
    LEVELS,
    StatusRecord,
    TheoryMap,
    kind_rank,
)
from peerlearn.theory.builtin import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS, node_label

BOX_W, BOX_H, GAP_X, ROW_H, MARGIN = 170, 92, 22, 132, 16
LINE_CHARS, MAX_LINES = 24, 4


@dataclass
class Box:
    id: str
    kind: str
    kind_label: str
    level_label: str
    label: str
    lines: list[tuple[int, str]]  # (y, text) of each line of the label
    x: int
    y: int
    status: str = ""
    status_label: str = ""
    overridden: bool = False
    beyond_ceiling: bool = False
    text_x: int = 0


@dataclass
class Arrow:
    id: str
    x1: int
    y1: int
    x2: int
    y2: int
    status: str = ""
    assumption: bool = False


@dataclass
class Drawing:
    width: int
    height: int
    boxes: list[Box]
    arrows: list[Arrow]
    layers: list[dict]  # the phone's nested list


def _rows(theory: TheoryMap) -> list[tuple[str, str]]:
    """(kind, level) of each row, top first."""
    rows: list[tuple[str, str]] = []
    for kind in reversed(CHAIN_KINDS):
        if kind == "capability":
            rows += [(kind, level) for level in reversed(LEVELS)]
        else:
            rows.append((kind, ""))
    rows.append((ASSUMPTION, ""))
    return rows


def layout(theory: TheoryMap, statuses: dict[str, StatusRecord] | None = None) -> Drawing:
    statuses = statuses or {}
    ceiling = kind_rank(theory.ceiling)
    row_of = {key: i for i, key in enumerate(_rows(theory))}
    per_row: dict[int, list] = {}
    for node in theory.nodes:
        key = (node.kind, node.level if node.kind == "capability" else "")
        per_row.setdefault(row_of.get(key, len(row_of) - 1), []).append(node)
    used_rows = sorted(per_row)
    widest = max((len(nodes) for nodes in per_row.values()), default=1)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    boxes: dict[str, Box] = {}
    for position, row in enumerate(used_rows):
        nodes = per_row[row]
        row_width = len(nodes) * BOX_W + (len(nodes) - 1) * GAP_X
        left = (width - row_width) // 2
        for i, node in enumerate(nodes):
            boxes[node.id] = _box(node, left + i * (BOX_W + GAP_X), MARGIN + position * ROW_H)
            record = statuses.get(node.id)
            if record is not None:
                _status(boxes[node.id], record)
            boxes[node.id].beyond_ceiling = (
                node.kind != ASSUMPTION and kind_rank(node.kind) > ceiling
            )
    arrows = [_arrow(link.id, boxes, link.source, link.target) for link in theory.links]
    for arrow in arrows:
        record = statuses.get(arrow.id)
        arrow.status = record.status if record else ""
    arrows += [
        _arrow(f"{n.id}~{n.about}", boxes, n.id, n.about, assumption=True)
        for n in theory.nodes
        if n.kind == ASSUMPTION and n.about in boxes
    ]
    height = MARGIN * 2 + max(len(used_rows) - 1, 0) * ROW_H + BOX_H
    return Drawing(width, height, list(boxes.values()), arrows, _layers(theory, boxes, statuses))


def _box(node, x: int, y: int) -> Box:
    label = node_label(node)
    lines = textwrap.wrap(label, LINE_CHARS)[:MAX_LINES] or [""]
    if len(textwrap.wrap(label, LINE_CHARS)) > MAX_LINES:
        lines[-1] = lines[-1][: LINE_CHARS - 1] + "…"
    return Box(
        id=node.id,
        kind=node.kind,
        kind_label=str(KIND_LABELS.get(node.kind, node.kind)),
        level_label=str(LEVEL_LABELS.get(node.level, "")),
        label=label,
        lines=[(y + 34 + 14 * i, line) for i, line in enumerate(lines)],
        x=x,
        y=y,
        text_x=x + 8,
    )


def _status(box: Box, record: StatusRecord) -> None:
    box.status = record.status
    box.status_label = str(STATUS_LABELS[record.status])
    box.overridden = record.overridden


def _arrow(arrow_id: str, boxes: dict[str, Box], source: str, target: str, **kw) -> Arrow:
    a, b = boxes.get(source), boxes.get(target)
    if a is None or b is None:
        return Arrow(arrow_id, 0, 0, 0, 0, **kw)
    if a.y == b.y:  # sideways: side to side
        left_to_right = a.x < b.x
        return Arrow(
            arrow_id,
            a.x + (BOX_W if left_to_right else 0),
            a.y + BOX_H // 2,
            b.x + (0 if left_to_right else BOX_W),
            b.y + BOX_H // 2,
            **kw,
        )
    up = a.y > b.y
    return Arrow(
        arrow_id,
        a.x + BOX_W // 2,
        a.y + (0 if up else BOX_H),
        b.x + BOX_W // 2,
        b.y + (BOX_H if up else 0),
        **kw,
    )


def _layers(theory: TheoryMap, boxes: dict[str, Box], statuses: dict[str, StatusRecord]):
    """Kinds top first; in each, its nodes with the links going out of them (for phones)."""
    out = []
    for kind in (*reversed(CHAIN_KINDS), ASSUMPTION):
        nodes = [n for n in theory.nodes if n.kind == kind]
        if not nodes:
            continue
        items = []
        for node in nodes:
            names = {n.id: node_label(n) for n in theory.nodes}
            links = [
                {
                    "id": lk.id,
                    "target": names.get(lk.target, ""),
                    "rationale": lk.rationale,
                    "status": statuses[lk.id].status if lk.id in statuses else "",
                    "status_label": str(STATUS_LABELS[statuses[lk.id].status])
                    if lk.id in statuses
                    else "",
                }
                for lk in theory.links
                if lk.source == node.id
            ]
            about = theory.node(node.about)
            items.append(
                {"box": boxes[node.id], "links": links, "about": _about(theory, about, node.about)}
            )
        out.append({"kind": kind, "label": str(KIND_LABELS[kind]), "items": items})
    return out


def _about(theory: TheoryMap, about_node, about_id: str) -> str:
    if about_node is not None:
        return node_label(about_node)
    link = theory.link(about_id) if about_id else None
    if link is None:
        return ""
    source, target = theory.node(link.source), theory.node(link.target)
    if source is None or target is None:
        return ""
    return f"{node_label(source)} → {node_label(target)}"

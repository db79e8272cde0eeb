"""Theory-of-change pages: the map, the working copy, revisions, the map of a date, evidence.

Thin views: who may do what is in :mod:`.permissions`, writing in
:mod:`.services`, the map's rules in :mod:`peerlearn.engine.theory`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.accounts.models import User
from peerlearn.engine.theory import (
    ASSUMPTION,
    Link,
    Node,
    Problem,
    TheoryMap,
    diff,
    removing_link,
    removing_node,
)
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.theory import services
from peerlearn.theory.builtin import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS, node_label
from peerlearn.theory.drawing import layout
from peerlearn.theory.evidence import REGISTRY
from peerlearn.theory.evidence import describe as describe_evidence
from peerlearn.theory.evidence import sources as evidence_sources
from peerlearn.theory.forms import (
    CeilingForm,
    LinkForm,
    NodeForm,
    OverrideForm,
    ProposeForm,
    ShareForm,
    TieForm,
)
from peerlearn.theory.models import EvidenceTie, Revision, TheoryOfChange
from peerlearn.theory.permissions import edits_theory, reads_published_map, reads_theory


def _user(request: HttpRequest) -> User:
    """The signed-in user (``programme_view`` requires one)."""
    return cast(User, request.user)


def _reader(access: Access) -> bool:
    return reads_theory(access)


# ------------------------------------------------------------------ words


def element_name(theory_map: TheoryMap, element_id: str) -> str:
    """A node's label or a link as "from → to", for messages and lists."""
    node = theory_map.node(element_id)
    if node is not None:
        return node_label(node)
    link = theory_map.link(element_id)
    if link is not None:
        source, target = theory_map.node(link.source), theory_map.node(link.target)
        if source is not None and target is not None:
            return f"{node_label(source)} → {node_label(target)}"
    return element_id


def problem_text(problem: Problem, theory_map: TheoryMap) -> str:
    names = ", ".join(element_name(theory_map, i) for i in dict.fromkeys(problem.ids))
    texts = {
        # promise: tests/theory/test_pages.py::test_an_edit_making_a_cycle_is_refused_and_nothing_is_written
        "cycle": _(
            "This would make a loop (%(names)s): the chain from activities to impact "
            "must never lead back to where it started."
        ),
        "backwards_link": _(
            "A link cannot go back down the chain, e.g. from an outcome to an activity: %(names)s."
        ),
        "self_loop": _("A node cannot lead to itself: %(names)s."),
        "duplicate_link": _("These two nodes are already linked: %(names)s."),
        "assumption_end": _("Assumptions are attached to a node or link, not linked: %(names)s."),
        "assumption_unattached": _("Attach the assumption to a node or link: %(names)s."),
        "about_not_assumption": _("Only assumptions are attached to something: %(names)s."),
        "missing_level": _("Give the capability a level: %(names)s."),
        "level_not_allowed": _("Only capabilities have a level: %(names)s."),
        "unknown_end": _("A link ends at a node that no longer exists: %(names)s."),
    }
    text = texts.get(problem.kind, _("The map is not valid (%(names)s)."))
    return text % {"names": names}


def diff_rows(before: TheoryMap, after: TheoryMap) -> list[dict[str, str]]:
    """What changed, as rows of words for the history pages."""
    changes = diff(before, after)
    rows = []
    for node in changes.added_nodes:
        rows.append({"change": _("added"), "what": _("node"), "name": element_name(after, node.id)})
    for node_id in changes.removed_nodes:
        rows.append(
            {"change": _("removed"), "what": _("node"), "name": element_name(before, node_id)}
        )
    for old, new in changes.changed_nodes:
        detail = (
            f"{node_label(old)} → {node_label(new)}" if node_label(old) != node_label(new) else ""
        )
        rows.append(
            {"change": _("changed"), "what": _("node"), "name": node_label(new), "detail": detail}
        )
    for link in changes.added_links:
        rows.append(
            {
                "change": _("added"),
                "what": _("link"),
                "name": element_name(after, link.id),
                "detail": link.rationale,
            }
        )
    for link_id in changes.removed_links:
        rows.append(
            {"change": _("removed"), "what": _("link"), "name": element_name(before, link_id)}
        )
    for _old_link, new_link in changes.changed_links:
        rows.append(
            {
                "change": _("changed"),
                "what": _("link"),
                "name": element_name(after, new_link.id),
                "detail": new_link.rationale,
            }
        )
    if changes.ceiling:
        rows.append(
            {
                "change": _("changed"),
                "what": _("ceiling of accountability"),
                "name": f"{KIND_LABELS[changes.ceiling[0]]} → {KIND_LABELS[changes.ceiling[1]]}",
            }
        )
    return rows


def _choices(theory_map: TheoryMap, *, links: bool = True, assumptions: bool = True):
    out = []
    for node in theory_map.nodes:
        if assumptions or node.kind != ASSUMPTION:
            level = f" ({LEVEL_LABELS[node.level]})" if node.level in LEVEL_LABELS else ""
            out.append(
                (node.id, f"{KIND_LABELS.get(node.kind, node.kind)}: {node_label(node)}{level}")
            )
    if links:
        out += [(lk.id, element_name(theory_map, lk.id)) for lk in theory_map.links]
    return out


# ------------------------------------------------------------------ reading


def _map_page(request, programme, access, theory, revision, *, title, statuses=True, **extra):
    theory_map = services.revision_map(revision) if revision else None
    drawing = None
    if theory_map is not None:
        drawing = layout(theory_map, services.statuses(theory, theory_map) if statuses else None)
    return render(
        request,
        "theory/map.html",
        {
            "programme": programme,
            "access": access,
            "theory": theory,
            "revision": revision,
            "drawing": drawing,
            "ceiling": KIND_LABELS[theory_map.ceiling] if theory_map else "",
            "title": title,
            "reads_all": reads_theory(access),
            "edits": edits_theory(access),
            "status_labels": STATUS_LABELS,
            **extra,
        },
    )


@programme_view()
def map_view(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The approved map in force, with each node's and link's evidence status."""
    theory = services.theory_for(programme)
    if not reads_published_map(access, theory):
        raise PermissionDenied
    revision = services.approved_revision(theory)
    return _map_page(request, programme, access, theory, revision, title=_("Theory of change"))


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


@programme_view(_reader)
def as_of(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The map approved and in force at the end of a given day."""
    theory = services.theory_for(programme)
    wanted = request.GET.get("date", "")
    try:
        day = date.fromisoformat(wanted) if wanted else timezone.localdate()
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
        day = timezone.localdate()
    revision = services.approved_revision(theory, _end_of(day))
    return _map_page(
        request,
        programme,
        access,
        theory,
        revision,
        title=_("Theory of change as of %(date)s") % {"date": day.isoformat()},
        statuses=False,
        as_of_date=day.isoformat(),
    )


@programme_view(_reader)
def history(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    theory = services.theory_for(programme)
    revisions = list(theory.revisions.order_by("-number"))
    previous = {r.number: r for r in revisions}
    rows = []
    for revision in revisions:
        before = previous.get(revision.number - 1)
        before_map = services.revision_map(before) if before else TheoryMap()
        rows.append(
            {
                "revision": revision,
                "changes": diff_rows(before_map, services.revision_map(revision)),
            }
        )
    current = services.approved_revision(theory)
    return render(
        request,
        "theory/history.html",
        {
            "programme": programme,
            "rows": rows,
            "current": current,
            "edits": edits_theory(access),
            "today": timezone.localdate().isoformat(),
        },
    )


@programme_view(_reader)
def revision_view(
    request: HttpRequest, programme: Programme, access: Access, number: int
) -> HttpResponse:
    theory = services.theory_for(programme)
    revision = get_object_or_404(Revision, theory=theory, number=number)
    before = theory.revisions.filter(number=number - 1).first()
    before_map = services.revision_map(before) if before else TheoryMap()
    return _map_page(
        request,
        programme,
        access,
        theory,
        revision,
        title=_("Revision %(number)s") % {"number": number},
        statuses=False,
        changes=diff_rows(before_map, services.revision_map(revision)),
        show_revision=True,
    )


# ------------------------------------------------------------------ writing


@require_POST
@programme_view(manages_programme)
def approve(
    request: HttpRequest, programme: Programme, access: Access, number: int
) -> HttpResponse:
    theory = services.theory_for(programme)
    revision = get_object_or_404(Revision, theory=theory, number=number)
    try:
        services.approve(revision, _user(request))
    except services.Refused as refused:
        messages.error(request, refused.message)
        return redirect("theory:revision", slug=programme.slug, number=number)
    audit.record(
        "theory.approve",
        request=request,
        programme=programme,
        target=revision,
        detail={"number": number},
    )
    messages.success(request, _("Revision %(number)s is now in force.") % {"number": number})
    return redirect("theory:map", slug=programme.slug)


def _edited(request: HttpRequest, theory_map: TheoryMap) -> TheoryMap | str:
    """The map after the posted edit, or an error message."""
    action = request.POST.get("action", "")
    if action == "save_node":
        form = NodeForm(request.POST, elements=_choices(theory_map))
        if not form.is_valid():
            return _("Check the node's fields.")
        return _with_node(theory_map, form.cleaned_data)
    if action == "save_link":
        link_form = LinkForm(
            request.POST, nodes=_choices(theory_map, links=False, assumptions=False)
        )
        if not link_form.is_valid():
            return _("Choose both ends of the link and say why the one leads to the other.")
        data = link_form.cleaned_data
        link_id = data["link"] or f"l{uuid.uuid4().hex[:8]}"
        new = Link(link_id, data["source"], data["target"], data["rationale"].strip())
        if data["link"] and theory_map.link(link_id) is None:
            return _("That link no longer exists.")
        links = [new if lk.id == link_id else lk for lk in theory_map.links]
        if not data["link"]:
            links.append(new)
        return TheoryMap(theory_map.nodes, tuple(links), theory_map.ceiling)
    if action == "remove_node" and theory_map.node(request.POST.get("node", "")):
        return removing_node(theory_map, request.POST["node"])
    if action == "remove_link" and theory_map.link(request.POST.get("link", "")):
        return removing_link(theory_map, request.POST["link"])
    if action == "ceiling":
        ceiling_form = CeilingForm(request.POST)
        if ceiling_form.is_valid():
            ceiling = ceiling_form.cleaned_data["ceiling"]
            return TheoryMap(theory_map.nodes, theory_map.links, ceiling)
    return _("Nothing to change.")


def _with_node(theory_map: TheoryMap, data: dict) -> TheoryMap | str:
    node_id = data["node"] or f"n{uuid.uuid4().hex[:8]}"
    old = theory_map.node(node_id)
    if data["node"] and old is None:
        return _("That node no longer exists.")
    label = data["label"].strip()
    # a built-in node keeps its translated label until someone changes the words
    key = old.key if old is not None and old.key and node_label(old) == label else ""
    new = Node(
        node_id,
        data["kind"],
        label,
        level=data["level"] if data["kind"] == "capability" else "",
        about=data["about"] if data["kind"] == ASSUMPTION else "",
        key=key,
    )
    nodes = [new if n.id == node_id else n for n in theory_map.nodes]
    if old is None:
        nodes.append(new)
    return TheoryMap(tuple(nodes), theory_map.links, theory_map.ceiling)


@require_http_methods(["GET", "POST"])
@programme_view(manages_programme)
def edit(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The working copy: add, change and remove nodes and links; refused edits write nothing."""
    theory = services.theory_for(programme)
    theory_map = services.draft_map(theory)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        result = _edited(request, theory_map)
        if isinstance(result, str):
            errors.append(result)
        else:
            try:
                services.save_draft(theory, result)
            except services.Refused as refused:
                errors += [problem_text(p, result) for p in refused.problems]
            else:
                audit.record(
                    "theory.edit",
                    request=request,
                    programme=programme,
                    target=theory,
                    detail={"action": request.POST.get("action", "")},
                )
                messages.success(
                    request, _("Working copy saved. Propose it as a revision when ready.")
                )
                return redirect("theory:edit", slug=programme.slug)
        status = 400
    latest = theory.revisions.order_by("-number").first()
    changes = diff_rows(services.revision_map(latest) if latest else TheoryMap(), theory_map)
    return render(
        request,
        "theory/edit.html",
        {
            "programme": programme,
            "theory": theory,
            "errors": errors,
            "drawing": layout(theory_map),
            "node_form": NodeForm(elements=_choices(theory_map)),
            "link_form": LinkForm(nodes=_choices(theory_map, links=False, assumptions=False)),
            "ceiling_form": CeilingForm(initial={"ceiling": theory_map.ceiling}),
            "propose_form": ProposeForm(),
            "share_form": ShareForm(
                initial={"shared_with_participants": theory.shared_with_participants}
            ),
            "nodes": [
                {
                    "node": n,
                    "label": node_label(n),
                    "kind": KIND_LABELS.get(n.kind, n.kind),
                    "level": LEVEL_LABELS.get(n.level, ""),
                }
                for n in theory_map.nodes
            ],
            "links": [
                {"link": lk, "name": element_name(theory_map, lk.id)} for lk in theory_map.links
            ],
            "latest": latest,
            "changes": changes,
        },
        status=status,
    )


@require_POST
@programme_view(manages_programme)
def propose(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    theory = services.theory_for(programme)
    form = ProposeForm(request.POST)
    try:
        revision = services.propose(
            theory, _user(request), form.data.get("reason", "") if form.is_bound else ""
        )
    except services.Refused as refused:
        for text in [refused.message] + [
            problem_text(p, services.draft_map(theory)) for p in refused.problems
        ]:
            if text:
                messages.error(request, text)
        return redirect("theory:edit", slug=programme.slug)
    audit.record(
        "theory.propose",
        request=request,
        programme=programme,
        target=revision,
        detail={"number": revision.number},
    )
    messages.success(
        request,
        _("Revision %(number)s proposed; a facilitator approves it.") % {"number": revision.number},
    )
    return redirect("theory:revision", slug=programme.slug, number=revision.number)


@require_POST
@programme_view(manages_programme)
def share(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    theory = services.theory_for(programme)
    form = ShareForm(request.POST)
    form.is_valid()
    shared = bool(form.cleaned_data.get("shared_with_participants"))
    TheoryOfChange.objects.filter(pk=theory.pk).update(shared_with_participants=shared)
    audit.record(
        "theory.share",
        request=request,
        programme=programme,
        target=theory,
        detail={"shared": shared},
    )
    messages.success(request, _("Saved who reads the map."))
    return redirect("theory:edit", slug=programme.slug)


def _tie_params(data: dict) -> dict:
    """A tie's ``params`` from the tie form, by its kind (the registry says what it carries)."""
    params: dict = {}
    kind = data["kind"]
    if kind == "survey_question":
        params = {k: data[k] for k in ("instrument", "question", "baseline", "target")}
        params["direction"] = data["direction"] or "increase"
    entry = REGISTRY.get(kind)
    if entry is not None and entry.choose:
        params[entry.choose] = data["chosen"]
    if entry is not None and entry.threshold:
        params["threshold"] = data["threshold"]
        params["direction"] = data["direction"] or "increase"
    return params


@require_http_methods(["GET", "POST"])
@programme_view(manages_programme)
def evidence(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Tie nodes and links of the approved map (or the working copy) to evidence; override."""
    from peerlearn.surveys.models import Instrument

    theory = services.theory_for(programme)
    revision = services.approved_revision(theory)
    theory_map = services.revision_map(revision) if revision else services.draft_map(theory)
    elements = _choices(theory_map)
    kinds = [(kind, entry.label) for kind, entry in REGISTRY.items()]
    instruments = list(Instrument.objects.filter(programme=programme).values_list("pk", "title"))
    choices = {
        "elements": elements,
        "kinds": kinds,
        "instruments": instruments,
        "sources": evidence_sources(programme),
        "registry": REGISTRY,
    }
    tie_form = TieForm(**choices)
    override_form = OverrideForm(elements=elements)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "tie":
            tie_form = TieForm(request.POST, **choices)
            if tie_form.is_valid():
                data = tie_form.cleaned_data
                params = _tie_params(data)
                tie = EvidenceTie.objects.create(
                    theory=theory,
                    element=data["element"],
                    kind=data["kind"],
                    params=params,
                    created_by=_user(request),
                )
                audit.record(
                    "theory.evidence",
                    request=request,
                    programme=programme,
                    target=tie,
                    detail={"element": tie.element, "kind": tie.kind},
                )
                messages.success(request, _("Evidence tied."))
                return redirect("theory:evidence", slug=programme.slug)
        elif action == "untie":
            wanted = request.POST.get("tie", "")
            gone = theory.ties.filter(pk=int(wanted)).first() if wanted.isdigit() else None
            if gone is None:
                raise Http404
            audit.record(
                "theory.evidence_remove",
                request=request,
                programme=programme,
                detail={"element": gone.element, "kind": gone.kind},
            )
            gone.delete()
            return redirect("theory:evidence", slug=programme.slug)
        elif action == "override":
            override_form = OverrideForm(request.POST, elements=elements)
            if override_form.is_valid():
                data = override_form.cleaned_data
                try:
                    row = services.override(
                        theory, data["element"], data["status"], data["reason"], _user(request)
                    )
                except services.Refused as refused:
                    override_form.add_error(None, refused.message)
                else:
                    audit.record(
                        "theory.override",
                        request=request,
                        programme=programme,
                        target=row,
                        detail={"element": row.element, "status": row.status},
                        reason=row.reason,
                    )
                    messages.success(request, _("Status recorded."))
                    return redirect("theory:evidence", slug=programme.slug)
        status = 400
    statuses = services.statuses(theory, theory_map)
    items = services.evidence_items(theory)
    overrides = services.current_overrides(theory)
    rows = []
    for element_id, label in elements:
        record = statuses.get(element_id)
        rows.append(
            {
                "id": element_id,
                "label": label,
                "status": record.status if record else "untested",
                "status_label": STATUS_LABELS[record.status if record else "untested"],
                "computed_label": STATUS_LABELS[record.computed] if record else "",
                "override": overrides.get(element_id),
                "ties": [
                    (tie, item, REGISTRY[tie.kind].label, describe_evidence(tie.kind, item))
                    for tie, item in items.get(element_id, [])
                ],
            }
        )
    return render(
        request,
        "theory/evidence.html",
        {
            "programme": programme,
            "rows": rows,
            "tie_form": tie_form,
            "override_form": override_form,
            "revision": revision,
        },
        status=status,
    )

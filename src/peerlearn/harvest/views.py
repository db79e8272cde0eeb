"""Outcome story pages: list, register, edit, evidence, substantiation, actors' responses."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.harvest import permissions as rules
from peerlearn.harvest import services
from peerlearn.harvest.forms import (
    ActorResponseForm,
    AnswerForm,
    EvidenceForm,
    ExchangeLinksForm,
    ExchangeSearchForm,
    StoryFilterForm,
    StoryForm,
    SubstantiatorForm,
)
from peerlearn.harvest.models import (
    VERIFICATION_LABELS,
    ActorResponse,
    OutcomeStory,
    Substantiation,
)
from peerlearn.mel.access import visible_exchanges
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access


def _posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even empty, so its errors show), None on GET."""
    return request.POST if request.method == "POST" else None


def _story(programme: Programme, access: Access, story_id: int) -> OutcomeStory:
    """A story this reader may open; any other is 404, as if it did not exist."""
    story = get_object_or_404(
        OutcomeStory.objects.prefetch_related("substantiations"),
        pk=story_id,
        programme=programme,
    )
    if not rules.reads_story(access, story):
        raise Http404
    return story


@programme_view()
def story_list(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The stories this member may read, filtered by kind and verification status."""
    form = StoryFilterForm(request.GET or None)
    stories = rules.readable_stories(
        access, OutcomeStory.objects.filter(programme=programme)
    ).prefetch_related("substantiations")
    kind = status = ""
    if form.is_valid():
        kind, status = form.cleaned_data["kind"], form.cleaned_data["status"]
    if kind:
        stories = stories.filter(kind=kind)
    rows = [(s, s.verification) for s in stories]
    if status:
        rows = [(s, v) for s, v in rows if v == status]
    context = {
        "programme": programme,
        "access": access,
        "form": form,
        "rows": [(s, v, VERIFICATION_LABELS[v]) for s, v in rows],
        "harvests": rules.harvests(access),
        "reads_reach": rules.reads_reach(access),
    }
    return render(request, "harvest/list.html", context)


def _save_story(
    request: HttpRequest, programme: Programme, form: StoryForm, *, created: bool
) -> OutcomeStory:
    with transaction.atomic():
        story: OutcomeStory = form.save(commit=False)
        story.programme = programme
        story.updated_at = timezone.now()
        if created:
            story.harvester = request.user  # type: ignore[assignment]
        story.save()
        form.save_m2m()
        detail = {"visibility": story.visibility, "kind": story.kind}
        if created:
            audit.record(
                "story.create", request=request, programme=programme, target=story, detail=detail
            )
        else:
            audit.record(
                "story.edit", request=request, programme=programme, target=story, detail=detail
            )
    return story


@programme_view(rules.harvests)
def story_new(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Register a story; ``?candidate=`` prefills it from a follow-up answer."""
    initial = {}
    source_key = request.POST.get("source_key") or request.GET.get("candidate", "")
    if source_key and request.method != "POST":
        from peerlearn.harvest.reach import candidate_initial

        initial = candidate_initial(programme, source_key, access)
    form = StoryForm(_posted(request), programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        story = _save_story(request, programme, form, created=True)
        if source_key:
            OutcomeStory.objects.filter(pk=story.pk).update(source_key=source_key[:100])
        messages.success(request, _("The story is saved."))
        return redirect("harvest:story", programme.slug, story.pk)
    context = {"programme": programme, "form": form, "source_key": source_key}
    return render(request, "harvest/story_form.html", context)


@programme_view(rules.harvests)
def story_edit(
    request: HttpRequest, programme: Programme, access: Access, story_id: int
) -> HttpResponse:
    story = _story(programme, access, story_id)
    form = StoryForm(_posted(request), instance=story, programme=programme)
    if request.method == "POST" and form.is_valid():
        _save_story(request, programme, form, created=False)
        messages.success(request, _("The story is saved."))
        return redirect("harvest:story", programme.slug, story.pk)
    context = {"programme": programme, "form": form, "story": story}
    return render(request, "harvest/story_form.html", context)


def _readable_exchanges(request: HttpRequest, programme: Programme, access: Access):
    """The programme's exchanges this reader may read (the mel app's one rule)."""
    return visible_exchanges(access, programme, signed_in_person(request))


def _linked_exchanges(request: HttpRequest, programme: Programme, access: Access, story):
    """The story's exchanges this reader may read; the others are not mentioned."""
    return (
        story.exchanges.filter(pk__in=_readable_exchanges(request, programme, access).values("pk"))
        .select_related("giver", "receiver")
        .order_by("-when", "-pk")
    )


def _detail_context(
    programme: Programme, access: Access, story: OutcomeStory, **forms: object
) -> dict[str, object]:
    status = story.verification
    harvests = rules.harvests(access)
    context: dict[str, object] = {
        "programme": programme,
        "story": story,
        "status": status,
        "status_label": VERIFICATION_LABELS[status],
        "substantiations": list(story.substantiations.all()),
        "shows_names": rules.reads_substantiators(access),
        "shows_comments": rules.reads_substantiation_comments(access),
        "harvests": harvests,
        "evidence": list(story.evidence.all()),
        "responses": story.actor_responses.select_related("organisation"),
        "evidence_form": EvidenceForm() if harvests else None,
        "substantiator_form": SubstantiatorForm() if harvests else None,
    }
    context.update(forms)
    return context


@programme_view()
def story_detail(
    request: HttpRequest, programme: Programme, access: Access, story_id: int
) -> HttpResponse:
    story = _story(programme, access, story_id)
    context = _detail_context(programme, access, story)
    context["exchanges"] = _linked_exchanges(request, programme, access, story)
    return render(request, "harvest/story.html", context)


@require_POST
@programme_view(rules.harvests)
def evidence_add(
    request: HttpRequest, programme: Programme, access: Access, story_id: int
) -> HttpResponse:
    story = _story(programme, access, story_id)
    form = EvidenceForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        file = form.cleaned_data.get("file")
        upload = services.Upload(file.read(), file.name) if file is not None else None
        try:
            services.add_evidence(
                story,
                upload=upload,
                link=form.cleaned_data.get("link") or "",
                note=form.cleaned_data.get("note") or "",
                request=request,
            )
        except services.HarvestError as refused:
            error = refused.message
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if error:
        messages.error(request, error)
        return _detail_with(request, programme, access, story, evidence_form=form, status=400)
    messages.success(request, _("The evidence is added."))
    return redirect("harvest:story", programme.slug, story.pk)


def _detail_with(
    request: HttpRequest,
    programme: Programme,
    access: Access,
    story: OutcomeStory,
    *,
    status: int,
    **forms: object,
) -> HttpResponse:
    """The story page again with a refused form bound (its errors shown)."""
    context = _detail_context(programme, access, story, **forms)
    context["exchanges"] = _linked_exchanges(request, programme, access, story)
    return render(request, "harvest/story.html", context, status=status)


#: How many candidate exchanges the linking page lists at once.
CANDIDATES = 50


def _candidates(visible, story: OutcomeStory, query: str):
    """Exchanges to offer: matching the search, else those of the story's change agents first."""
    rows = visible.exclude(pk__in=story.exchanges.values("pk")).select_related("giver", "receiver")
    if query:
        rows = rows.filter(
            Q(giver__name__icontains=query)
            | Q(receiver__name__icontains=query)
            | Q(learned__icontains=query)
        )
    else:
        agents = story.change_agents.values("pk")
        involving = rows.filter(Q(giver__in=agents) | Q(receiver__in=agents))
        if involving.exists():
            rows = involving
    return rows.order_by("-when", "-pk")[:CANDIDATES]


@require_http_methods(["GET", "POST"])
@programme_view(rules.harvests)
def story_exchanges(
    request: HttpRequest, programme: Programme, access: Access, story_id: int
) -> HttpResponse:
    """Link the exchanges peer learning contributed through (those the editor may read)."""
    story = _story(programme, access, story_id)
    visible = _readable_exchanges(request, programme, access)
    linked = _linked_exchanges(request, programme, access, story)
    form = ExchangeLinksForm(_posted(request), visible=visible, linked=linked)
    if request.method == "POST" and form.is_valid():
        added, removed = services.link_exchanges(
            story,
            add=form.cleaned_data["link"],
            remove=form.cleaned_data["unlink"],
            request=request,
        )
        messages.success(
            request,
            _("Exchanges linked: %(added)s; unlinked: %(removed)s.")
            % {"added": len(added), "removed": len(removed)},
        )
        return redirect("harvest:story", programme.slug, story.pk)
    search = ExchangeSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    context = {
        "programme": programme,
        "story": story,
        "form": form,
        "search": search,
        "query": query,
        "linked": linked,
        "hidden_links": story.exchanges.exclude(pk__in=visible.values("pk")).count(),
        "candidates": _candidates(visible, story, query),
    }
    status = 400 if form.errors else 200
    return render(request, "harvest/story_exchanges.html", context, status=status)


@programme_view()
def evidence_file(
    request: HttpRequest, programme: Programme, access: Access, story_id: int, evidence_id: int
) -> HttpResponse:
    """An evidence file, always as a download (never shown inline)."""
    story = _story(programme, access, story_id)
    evidence = get_object_or_404(story.evidence, pk=evidence_id)
    if not evidence.filename:
        raise Http404
    response = HttpResponse(bytes(evidence.data), content_type=evidence.content_type)
    ascii_name = evidence.filename.encode("ascii", "ignore").decode().replace('"', "") or "evidence"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(evidence.filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@programme_view(rules.harvests)
def substantiator_add(
    request: HttpRequest, programme: Programme, access: Access, story_id: int
) -> HttpResponse:
    story = _story(programme, access, story_id)
    form = SubstantiatorForm(request.POST)
    if not form.is_valid():
        return _detail_with(request, programme, access, story, substantiator_form=form, status=400)
    services.ask_substantiators(
        story, [(form.cleaned_data["name"], form.cleaned_data["email"])], request=request
    )
    messages.success(
        request,
        _("%(name)s will receive a personal link by e-mail.") % {"name": form.cleaned_data["name"]},
    )
    return redirect("harvest:story", programme.slug, story.pk)


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """Never leak the token to another site (as the intake link does)."""
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def substantiate(request: HttpRequest, token: str) -> HttpResponse:
    """The substantiator's personal link: read the story, answer once, no account needed.

    An unknown or altered link, an expired one and one already answered each
    get a clear page; nothing is written.
    """
    item = Substantiation.for_token(token)
    if item is None:
        return _no_referrer(render(request, "harvest/link_invalid.html", status=404))
    story = item.story
    if item.answered_at is not None:
        context = {"item": item, "story": story}
        return _no_referrer(render(request, "harvest/link_used.html", context, status=410))
    if item.is_expired:
        context = {"item": item, "story": story}
        return _no_referrer(render(request, "harvest/link_expired.html", context, status=410))
    form = AnswerForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            won = item.redeem(token, form.cleaned_data["answer"], form.cleaned_data["comment"])
            if won:
                audit.record(
                    "story.substantiated",
                    request=request,
                    programme=story.programme,
                    target=story,
                    detail={"substantiation": item.pk, "answer": form.cleaned_data["answer"]},
                )
        if not won:
            context = {"item": item, "story": story}
            return _no_referrer(render(request, "harvest/link_used.html", context, status=410))
        return _no_referrer(render(request, "harvest/link_thanks.html", {"story": story}))
    page: dict[str, object] = {"item": item, "story": story, "form": form}
    return _no_referrer(render(request, "harvest/substantiate.html", page))


@programme_view(rules.reads_reach)
def responses(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Actors' responses to the changes (reinforcing, neutral, obstructive), per programme."""
    harvests = rules.harvests(access)
    form = ActorResponseForm(_posted(request), programme=programme)
    if request.method == "POST":
        if not harvests:
            raise PermissionDenied
        if form.is_valid():
            story = form.cleaned_data.get("story")
            with transaction.atomic():
                row: ActorResponse = form.save(commit=False)
                row.programme = programme
                row.recorded_by = request.user  # type: ignore[assignment]
                row.save()
                audit.record(
                    "story.actor_response",
                    request=request,
                    programme=programme,
                    target=story or row,
                    detail={"response": row.response},
                )
            messages.success(request, _("The response is recorded."))
            return redirect("harvest:responses", programme.slug)
    rows = rules.readable_responses(access, ActorResponse.objects.filter(programme=programme))
    counts = {key: sum(1 for r in rows if r.response == key) for key in _RESPONSE_KEYS}
    context = {
        "programme": programme,
        "rows": rows,
        "counts": counts,
        "form": form if harvests else None,
    }
    return render(request, "harvest/responses.html", context, status=400 if form.errors else 200)


_RESPONSE_KEYS = ("reinforcing", "neutral", "obstructive")


#: Words for the engine's share forms (a follow-up's own choice labels win).
FORM_LABELS = {
    "report_back": gettext_lazy("Report-back session"),
    "document": gettext_lazy("Document"),
    "community_of_practice": gettext_lazy("Community of practice"),
}


def _worded(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(code) or str(FORM_LABELS.get(code, code)), n) for code, n in counts.items()]


@programme_view(rules.reads_reach)
def reach(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Share-forward reach from the follow-ups, k-suppressed, with candidate stories."""
    from peerlearn.harvest.reach import programme_reach

    result = programme_reach(programme, access)
    labels = result.labels

    def row(name: str, item: Any, hidden: bool = False) -> dict[str, Any]:
        return {
            "name": name,
            "reach": item,
            "hidden": hidden,
            "audiences": _worded(item.audiences, labels),
            "forms": _worded(item.forms, labels),
        }

    harvests = rules.harvests(access)
    taken = set(
        OutcomeStory.objects.filter(programme=programme)
        .exclude(source_key="")
        .values_list("source_key", flat=True)
    )
    context = {
        "programme": programme,
        "result": result,
        "total": row("", result.total),
        "organisations": [row(r.key, r, hidden) for r, hidden in result.organisations],
        "participants": [row(name, r) for name, r in result.participants],
        "candidates": [(c, c.key in taken) for c in result.candidates] if harvests else [],
        "harvests": harvests,
    }
    return render(request, "harvest/reach.html", context)

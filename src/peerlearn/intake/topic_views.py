"""Topic pages: the saved baseline (members), curation (facilitators), export and print.

Who sees what:

* facilitators of the programme curate and see everything, names included;
* evaluators read the baseline and export it, with excerpts only when the
  intake answers are not private;
* participants and observers see labels and counts, excerpts only when the
  intake answers are not private.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn.intake import curation, services
from peerlearn.intake.forms import ProposeForm
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _shows_excerpts(programme: Programme, access: Access) -> bool:
    return access.manages_programme or not services.settings_for(programme).is_private


def _baseline_context(programme: Programme, access: Access) -> dict[str, object]:
    baseline = curation.baseline_of(programme)
    topics = list(baseline.topics.prefetch_related("members")) if baseline else []
    return {
        "programme": programme,
        "access": access,
        "baseline": baseline,
        "topics": topics,
        "shows_excerpts": _shows_excerpts(programme, access),
        "shows_names": access.manages_programme,
        "exports": access.reads_everything,
    }


@programme_view()
def topics(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The programme's saved baseline of priority topics."""
    context = _baseline_context(programme, access)
    context["draft"] = curation.draft_of(programme) if access.manages_programme else None
    return render(request, "intake/topics.html", context)


@programme_view()
def topics_print(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    context = _baseline_context(programme, access)
    context["printed_at"] = timezone.now()
    return render(request, "intake/topics_print.html", context)


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def curate(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Rename and merge the draft topics; apply, or save them as the baseline."""
    draft = curation.draft_of(programme)
    if request.method == "POST":
        if draft is None or str(draft.pk) != request.POST.get("draft"):
            messages.error(
                request, _("The draft changed in the meantime (proposed again?): please review.")
            )
            return redirect("intake:topics_curate", slug=programme.slug)
        labels: dict[int, str] = {}
        merges: dict[int, int] = {}
        for topic in draft.topics.all():
            if f"label-{topic.pk}" in request.POST:
                labels[topic.pk] = request.POST[f"label-{topic.pk}"]
            target = request.POST.get(f"merge-{topic.pk}", "")
            if target.isdigit() and int(target) != topic.pk:
                merges[topic.pk] = int(target)
        current = dict(draft.topics.values_list("pk", "label"))
        renamed = sum(
            1
            for pk, label in labels.items()
            if label.strip() and label.strip()[:200] != current.get(pk)
        )
        merged = curation.apply_edits(draft, labels, merges)
        if request.POST.get("action") == "save":
            curation.save_baseline(draft, signed_in_person(request))
            messages.success(request, _("The baseline of priority topics is saved."))
            return redirect("intake:topics", slug=programme.slug)
        messages.success(request, _applied(renamed, merged))
        return redirect("intake:topics_curate", slug=programme.slug)
    topics = list(draft.topics.prefetch_related("members")) if draft else []
    context = {
        "programme": programme,
        "access": access,
        "draft": draft,
        "topics": topics,
        "baseline": curation.baseline_of(programme),
        "propose_form": ProposeForm(),
        "challenge_count": len(curation.programme_challenges(programme)),
    }
    return render(request, "intake/topics_curate.html", context)


def _applied(renamed: int, merged: int) -> str:
    """One message for one apply: what changed, or that nothing did."""
    if not renamed and not merged:
        return _("No changes to apply.")
    parts = []
    if renamed:
        parts.append(ngettext("%(n)d renamed", "%(n)d renamed", renamed) % {"n": renamed})
    if merged:
        parts.append(ngettext("%(n)d merge", "%(n)d merges", merged) % {"n": merged})
    return _("Changes applied: %(what)s.") % {"what": ", ".join(parts)}


@programme_view(manages_programme)
@require_POST
def propose(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Propose topics afresh (replaces the draft, never the saved baseline)."""
    if request.POST.get("source") == "baseline":
        if curation.draft_from_baseline(programme, signed_in_person(request)) is None:
            messages.error(request, _("There is no saved baseline yet."))
        return redirect("intake:topics_curate", slug=programme.slug)
    form = ProposeForm(request.POST)
    n_topics = form.cleaned_data["n_topics"] if form.is_valid() else None
    draft = curation.propose_draft(programme, signed_in_person(request), n_topics=n_topics)
    if not draft.topics.exists():
        messages.error(request, _("No challenges to build topics from yet."))
    return redirect("intake:topics_curate", slug=programme.slug)


def _reads_everything(access: Access) -> bool:
    return access.reads_everything


@programme_view(_reads_everything)
def topics_export(
    request: HttpRequest, programme: Programme, access: Access, fmt: str
) -> HttpResponse:
    baseline = curation.baseline_of(programme)
    if baseline is None:
        messages.error(request, _("There is no saved baseline yet."))
        return redirect("intake:topics", slug=programme.slug)
    with_excerpts = _shows_excerpts(programme, access)
    stamp = (baseline.saved_at or timezone.now()).date().isoformat()
    name = f"{programme.slug}-priority-topics-{stamp}.{fmt}"
    if fmt == "xlsx":
        data, content_type = curation.export_xlsx(baseline, with_excerpts=with_excerpts), XLSX
    else:
        data, content_type = curation.export_csv(baseline, with_excerpts=with_excerpts), CSV
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


__all__ = ["curate", "propose", "topics", "topics_export", "topics_print"]

"""Matching pages: run, review (move, lock, re-run, compare), publish, my group, history.

Facilitators of the programme or of the cohort manage runs; evaluators read
runs read-only; participants see only their own group or pair and their own
move requests. Every edit form carries the run's ``version`` (no lost update).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerlearn import audit
from peerlearn.matching import services, summary, wording
from peerlearn.matching.forms import (
    EditReasonForm,
    GroupRunForm,
    MoveRequestForm,
    PairRunForm,
    RerunForm,
    form_errors,
)
from peerlearn.matching.models import MatchingRun, Move, MoveRequest
from peerlearn.matching.tasks import mail_move_request
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Cohort, Programme
from peerlearn.programmes.permissions import Access

GROUPS_PER_PAGE = 50
PAIRS_PER_PAGE = 100
REFRESH_SECONDS = 2


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _reads(access: Access, cohort_id: int) -> bool:
    return summary.reads_runs(access, cohort_id)


def _cohort(programme: Programme, cohort_id: int) -> Cohort:
    return get_object_or_404(Cohort, pk=cohort_id, programme=programme)


def _run(programme: Programme, run_id: int) -> MatchingRun:
    return get_object_or_404(
        MatchingRun.objects.select_related("cohort", "created_by"),
        pk=run_id,
        cohort__programme=programme,
    )


def _managed_run(programme: Programme, access: Access, run_id: int) -> MatchingRun:
    run = _run(programme, run_id)
    if not access.manages_cohort(run.cohort_id):
        raise PermissionDenied
    return run


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _back(run: MatchingRun, page: Any = None) -> HttpResponseRedirect:
    url = reverse("matching:run", args=[run.cohort.programme.slug, run.pk])
    page_no = _int(page, 1)
    if page_no > 1:
        url += f"?page={page_no}"
    return HttpResponseRedirect(url)


def _conflict(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "Someone else changed this run after you opened it. Nothing was saved: "
            "look at the run as it is now and try again."
        ),
    )


def _report(request: HttpRequest, outcome: services.Outcome, intro: str) -> None:
    if outcome.conflict:
        _conflict(request)
    elif outcome.problems:
        names = _names_in(outcome.problems)
        texts = [wording.problem_text(p, names) for p in outcome.problems]
        messages.error(request, intro + " " + " · ".join(texts))
    elif outcome.error:
        messages.error(request, outcome.error)


def _reason(
    info: dict[str, Any],
    names: dict[str, str],
    theme: str = "",
    texts: dict[str, list[str]] | None = None,
) -> str:
    """A member's why: quotes of the sentences tying them to their closest peers when
    ``texts`` (the challenges the reader may see) is given, then the theme, then context."""
    closest = [names[i] for i in info.get("closest") or [] if i in names]
    quotes = _quotes(info, names, texts) if texts is not None else []
    return wording.quoting_reason(
        quotes, closest, theme, str(info.get("mostly") or ""), info.get("shared") or []
    )


def _quotes(
    info: dict[str, Any], names: dict[str, str], texts: dict[str, list[str]]
) -> list[tuple[str, str, str]]:
    """(peer name, my excerpt, their excerpt) for each stored tie whose texts are at hand."""
    from peerlearn.engine.explain import split_sentences
    from peerlearn.engine.records import Tie

    me = texts.get(str(info.get("id") or ""), [])
    out = []
    for row in info.get("ties") or []:
        tie = Tie.from_dict(row)
        theirs = texts.get(tie.peer, [])
        if tie.peer not in names or tie.mine >= len(me) or tie.theirs >= len(theirs):
            continue  # the texts changed since the run: no quote rather than a wrong one
        mine_s = split_sentences(me[tie.mine])
        their_s = split_sentences(theirs[tie.theirs])
        if tie.mine_sentence >= len(mine_s) or tie.theirs_sentence >= len(their_s):
            continue
        out.append(
            (
                names[tie.peer],
                wording.excerpt(mine_s[tie.mine_sentence]),
                wording.excerpt(their_s[tie.theirs_sentence]),
            )
        )
    return out


def _reads_challenges(programme: Programme, access: Access, run: MatchingRun) -> bool:
    """May this reader see the cohort's challenges quoted? (``reads_intake_answers``'s rule
    for a cohort: its facilitators; evaluators when the intake answers are not private)."""
    from peerlearn.intake.permissions import intake_answers_private

    if access.manages_cohort(run.cohort_id):
        return True
    return "evaluator" in access.programme_roles and not intake_answers_private(programme)


def _names_in(records: list[Any]) -> dict[str, str]:
    """Names of the people the records (problems, conflicts) name: one query."""
    ids: set[int] = set()
    for record in records:
        if not isinstance(record, dict):
            continue  # an English string of an older run
        found = list(record.get("ids") or [])
        for cause in record.get("causes") or []:
            found += cause.get("ids") or []
        ids |= {int(i) for i in found if str(i).isdigit()}
    if not ids:
        return {}
    rows = Person.objects.filter(pk__in=ids).values_list("pk", "name")
    return {str(pk): name for pk, name in rows}


def _problem_lines(run: MatchingRun) -> list[str]:
    problems = run.run_result.problems
    names = _names_in(problems)
    return [wording.problem_text(p, names) for p in problems]


def _error_lines(run: MatchingRun) -> list[str]:
    """Why a run failed: its conflicts in words, or the stored error (unexpected failures)."""
    conflicts: list[Any] = run.run_result.conflicts
    names = _names_in(conflicts)
    lines = [wording.conflict_text(c, names) for c in conflicts]
    return lines + [line for line in run.error.splitlines() if line.strip()]


def settings_summary(run: MatchingRun) -> str:
    """The run's criteria and main rules in one line (history, compare)."""
    p = run.run_parameters
    weights = p.criteria()
    names = {
        "problems": _("problems"),
        "role": _("role"),
        "policy": _("policy area"),
        "context": _("context"),
    }
    parts = [", ".join(f"{names[k]} {v:g}" for k, v in weights.items())]
    if run.kind == "pairs":
        parts.append(p.mode)
    else:
        parts.append(_("size %(lo)s-%(hi)s") % {"lo": p.min_size, "hi": p.max_size})
        if p.role_mode == "mix":
            parts.append(_("mixed seniority"))
    if p.max_per_organisation:
        parts.append(_("max %(n)s per organisation") % {"n": p.max_per_organisation})
    if p.max_per_country:
        parts.append(_("max %(n)s per country") % {"n": p.max_per_country})
    if p.avoid_repeats:
        parts.append(_("avoid repeats"))
    if p.locked:
        parts.append(_("%(n)d locked") % {"n": len(p.locked)})
    if p.locked_pairs:
        parts.append(_("%(n)d locked pairs") % {"n": len(p.locked_pairs)})
    return " · ".join(part for part in parts if part)


# ---------------------------------------------------------------------------
# history and new runs
# ---------------------------------------------------------------------------


@require_GET
@programme_view()
def runs(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int
) -> HttpResponse:
    cohort = _cohort(programme, cohort_id)
    if not _reads(access, cohort.pk):
        raise PermissionDenied
    rows = (
        MatchingRun.objects.filter(cohort=cohort)
        .select_related("created_by")
        .annotate(move_count=Count("moves"))
        .defer("result")
    )
    return render(
        request,
        "matching/runs.html",
        {
            "programme": programme,
            "cohort": cohort,
            "rows": [{"run": r, "settings": settings_summary(r)} for r in rows],
            "manages": access.manages_cohort(cohort.pk),
        },
    )


@require_http_methods(["GET", "POST"])
@programme_view()
def run_new(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int, kind: str
) -> HttpResponse:
    cohort = _cohort(programme, cohort_id)
    if kind not in {"groups", "pairs"}:
        raise Http404
    if not access.manages_cohort(cohort.pk):
        raise PermissionDenied
    people = (
        Person.objects.filter(memberships__cohort=cohort, memberships__role="participant")
        .select_related("organisation")
        .distinct()
        .order_by("name")
    )
    form_class = PairRunForm if kind == "pairs" else GroupRunForm
    form = form_class(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        run = services.start_run(
            cohort, kind, form.parameters(), form.cleaned_data["seed"], signed_in_person(request)
        )
        return redirect(run.get_absolute_url())
    return render(
        request,
        "matching/run_form.html",
        {"programme": programme, "cohort": cohort, "form": form, "kind": kind},
    )


# ---------------------------------------------------------------------------
# the run page: status, quality, review
# ---------------------------------------------------------------------------


@require_GET
@programme_view()
def run_detail(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    run = _run(programme, run_id)
    if not _reads(access, run.cohort_id):
        raise PermissionDenied
    manages = access.manages_cohort(run.cohort_id)
    context: dict[str, Any] = {
        "programme": programme,
        "cohort": run.cohort,
        "run": run,
        "manages": manages,
        "refresh": REFRESH_SECONDS if run.is_active else None,
        "error_lines": _error_lines(run),
    }
    if run.status == "done":
        # The same figures as the funder report's (matching/summary.py).
        figures = summary.run_summary(run)
        context["summary"] = figures
        context["moves_line"] = wording.moves_text(figures.moves, figures.people)
        context["contributions"] = wording.contribution_lines(figures.criteria, figures.weights)
        context["closeness"] = wording.closeness_text(figures.kind, figures.ratio)
        context["others"] = (
            MatchingRun.objects.filter(cohort=run.cohort, kind=run.kind, status="done")
            .exclude(pk=run.pk)
            .only("pk", "created_at", "seed", "kind", "cohort_id")
        )
        if run.kind == "pairs":
            context.update(_pairs_page(request, run))
        else:
            context.update(_groups_page(request, run, _reads_challenges(programme, access, run)))
        if manages:
            context["requests"] = list(
                MoveRequest.objects.filter(run=run, status="pending").select_related("person")
            )
            context["recent_moves"] = list(
                Move.objects.filter(run=run).select_related("person", "moved_by")[:20]
            )
    response = render(request, "matching/run.html", context)
    if run.is_active:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _groups_page(request: HttpRequest, run: MatchingRun, quotes: bool) -> dict[str, Any]:
    groups = services.groups_of(run)
    labels = [label for label, members in groups.items() if members]
    page = Paginator(labels, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    ids = [int(pid) for label in page.object_list for pid in groups[label]]
    persons = Person.objects.filter(pk__in=ids).select_related("organisation").in_bulk()
    names = {str(k): p.name for k, p in persons.items()}
    stored = run.run_result
    info = stored.groups
    members_info = stored.members
    locked = set(stored.locked)
    texts = services.challenge_texts(run.cohort.programme_id, ids) if quotes else None
    cards = []
    for label in page.object_list:
        themes = (info.get(label) or {}).get("themes") or []
        rows = []
        for pid in groups[label]:
            person = persons.get(int(pid))
            if person is None:
                continue
            m = members_info.get(pid, {})
            rows.append(
                {
                    "id": pid,
                    "person": person,
                    "locked": pid in locked,
                    "moved": bool(m.get("moved")),
                    "reason": _reason({**m, "id": pid}, names, themes[0] if themes else "", texts),
                }
            )
        cards.append(
            {
                "label": label,
                "name": str((info.get(label) or {}).get("name") or ""),
                "why": wording.group_why(
                    themes, [members_info.get(pid, {}) for pid in groups[label]]
                ),
                "themes": (info.get(label) or {}).get("themes") or [],
                "members": rows,
            }
        )
    return {
        "page": page,
        "cards": cards,
        "labels": labels,
        "problems": _problem_lines(run),
        "locked_count": len(locked),
    }


def _pairs_page(request: HttpRequest, run: MatchingRun) -> dict[str, Any]:
    stored = run.run_result
    pairs = stored.pairs
    locked = set(stored.locked_pairs)
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    ids = {int(p[k]) for p in page.object_list for k in ("a", "b")}
    persons = Person.objects.filter(pk__in=ids).select_related("organisation").in_bulk()
    rows = [
        {
            "label": p["label"],
            "a": persons.get(int(p["a"])),
            "b": persons.get(int(p["b"])),
            "affinity": p["affinity"],
            "locked": p["label"] in locked,
            "moved": bool(p.get("moved")),
        }
        for p in page.object_list
    ]
    return {
        "page": page,
        "pair_rows": rows,
        "problems": _problem_lines(run),
        "locked_count": len(locked),
        "pair_people": services.pair_people(run),
    }


# ---------------------------------------------------------------------------
# edits (POST only, facilitators of the cohort)
# ---------------------------------------------------------------------------


@require_POST
@programme_view()
def run_move(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    run, outcome = _hand_edit(request, programme, access, run_id, services.move_member, "to_group")
    return _after_edit(
        request,
        run,
        outcome,
        _("%(name)s moved from group %(from)s to group %(to)s."),
        _("Not moved: this move would break the rules of the run:"),
    )


@require_POST
@programme_view()
def run_swap(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    """Swap two members of different groups in one step (full groups stay full)."""
    run, outcome = _hand_edit(request, programme, access, run_id, services.swap_members, "other")
    if outcome is not None and outcome.ok and len(outcome.moves) == 2:
        first, second = outcome.moves
        messages.success(
            request,
            _("Swapped: %(a)s is now in group %(to_a)s and %(b)s in group %(to_b)s.")
            % {
                "a": first.person.name,
                "to_a": first.to_group,
                "b": second.person.name,
                "to_b": second.to_group,
            },
        )
    if outcome is not None:
        _report(request, outcome, _("Not swapped: this swap would break the rules of the run:"))
    return _back(run, request.POST.get("page"))


@require_POST
@programme_view()
def run_rename(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    """Give a group of the run a name (an empty name goes back to its label)."""
    run = _managed_run(programme, access, run_id)
    name = request.POST.get("name", "")
    label = request.POST.get("label", "")
    outcome = services.rename_group(run, label, name, _int(request.POST.get("version")))
    if outcome.ok:
        audit.record(
            "matching.group_renamed",
            request=request,
            programme=programme,
            target=run,
            detail={"run": run.pk, "group": label},
        )
        messages.success(request, _("Group name saved."))
    _report(request, outcome, "")
    return _back(run, request.POST.get("page"))


@require_GET
@programme_view()
def run_export(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse | StreamingHttpResponse:
    """The run's groups as CSV or XLSX (facilitators of the cohort: names and e-mails)."""
    from peerlearn.matching.exports import export_response

    run = _managed_run(programme, access, run_id)
    if run.kind != "groups" or run.status != "done":
        raise Http404
    fmt = request.GET.get("format", "csv")
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    audit.record(
        "matching.exported",
        request=request,
        programme=programme,
        target=run,
        detail={"run": run.pk, "format": fmt},
    )
    return export_response(run, fmt)


def _edit_options(request: HttpRequest) -> dict[str, Any] | None:
    """Who edits, whether rules may break, and why: shared by moves and re-pairs.

    ``None`` (with the form's error as a message) when the reason is not
    acceptable text, e.g. holds a NUL byte, which PostgreSQL cannot store.
    """
    form = EditReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed:") + " " + form_errors(form))
        return None
    return {
        "by": signed_in_person(request),
        "force": request.POST.get("force") == "1",
        "reason": form.cleaned_data["reason"],
    }


def _hand_edit(
    request: HttpRequest,
    programme: Programme,
    access: Access,
    run_id: int,
    edit: Callable[..., services.Outcome],
    target: str,
) -> tuple[MatchingRun, services.Outcome | None]:
    """A move, swap or re-pair: ``edit(run, person, POST[target], version, **options)``.

    The three hand edits read the same form (the person, where to, the
    version the page showed, the reason); ``None`` when the reason was refused.
    """
    run = _managed_run(programme, access, run_id)
    options = _edit_options(request)
    if options is None:
        return run, None
    post = request.POST
    version = _int(post.get("version"))
    return run, edit(run, post.get("person", ""), post.get(target, ""), version, **options)


def _after_edit(
    request: HttpRequest,
    run: MatchingRun,
    outcome: services.Outcome | None,
    done: str,
    refused: str,
) -> HttpResponse:
    """Report a move or re-pair (done, refused with its problems, or a conflict)."""
    if outcome is None:
        return _back(run, request.POST.get("page"))
    if outcome.ok and outcome.move:
        move = outcome.move
        names = {"name": move.person.name, "from": move.from_group, "to": move.to_group}
        messages.success(request, done % names)
    _report(request, outcome, refused)
    return _back(run, request.POST.get("page"))


@require_POST
@programme_view()
def run_lock(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    run = _managed_run(programme, access, run_id)
    lock = request.POST.get("lock") == "1"
    if run.kind == "pairs":
        outcome = services.set_pair_lock(
            run, request.POST.get("pair", ""), lock, _int(request.POST.get("version"))
        )
    else:
        outcome = services.set_lock(
            run, request.POST.get("person", ""), lock, _int(request.POST.get("version"))
        )
    if outcome.ok:
        messages.success(
            request,
            _("Locked: this placement is kept when the run is repeated.")
            if lock
            else _("Unlocked."),
        )
    _report(request, outcome, "")
    return _back(run, request.POST.get("page"))


@require_POST
@programme_view()
def run_repair(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    run, outcome = _hand_edit(request, programme, access, run_id, services.re_pair, "partner")
    return _after_edit(
        request,
        run,
        outcome,
        _("%(name)s re-paired: pair %(from)s replaced by pair %(to)s."),
        _("Not re-paired: this pair would break the rules of the run:"),
    )


@require_POST
@programme_view()
def run_rerun(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    run = _managed_run(programme, access, run_id)
    if run.status != "done" and run.status != "failed":
        messages.error(request, _("Wait for this run to finish first."))
        return _back(run)
    form = RerunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not run again:") + " " + form_errors(form))
        return _back(run)
    new = services.rerun(run, signed_in_person(request), seed=form.cleaned_data["seed"])
    messages.success(request, _("A new run was started with the same settings and the locks."))
    return redirect(new.get_absolute_url())


@require_http_methods(["GET", "POST"])
@programme_view()
def run_publish(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    """GET: what publishing would move to the earlier groupings; POST: publish."""
    run = _managed_run(programme, access, run_id)
    if request.method == "GET":
        return _publish_confirmation(request, programme, run)
    outcome = services.publish(
        run, _int(request.POST.get("version")), confirmed=request.POST.get("replaces", "")
    )
    if outcome.stale_preview:
        messages.warning(
            request,
            _(
                "The published groups of this cohort changed since you looked. "
                "Nothing was published: check what changes and confirm again."
            ),
        )
        return redirect("matching:run_publish", slug=programme.slug, run_id=run.pk)
    if outcome.ok:
        audit.record(
            "matching.publish",
            request=request,
            programme=programme,
            target=run,
            detail={
                "run": run.pk,
                "kind": run.kind,
                "pairs" if run.kind == "pairs" else "groups": outcome.groups,
                "archived_groups": outcome.archived,
            },
        )
        messages.success(
            request,
            _("Published: the participants of %(cohort)s can now see their group.")
            % {"cohort": run.cohort.name}
            if run.kind == "groups"
            else _("Published: the participants of %(cohort)s can now see their pair.")
            % {"cohort": run.cohort.name},
        )
    _report(request, outcome, _("Not published: the run breaks these rules:"))
    return _back(run)


def _publish_confirmation(
    request: HttpRequest, programme: Programme, run: MatchingRun
) -> HttpResponse:
    return render(
        request,
        "matching/publish_confirm.html",
        {
            "programme": programme,
            "cohort": run.cohort,
            "run": run,
            "preview": services.publish_preview(run),
            "already": services.is_current_grouping(run),
        },
    )


@require_POST
@programme_view()
def request_decide(
    request: HttpRequest, programme: Programme, access: Access, request_id: int
) -> HttpResponse:
    row = get_object_or_404(
        MoveRequest.objects.select_related("run__cohort", "person"),
        pk=request_id,
        run__cohort__programme=programme,
    )
    if not access.manages_cohort(row.run.cohort_id):
        raise PermissionDenied
    accept = request.POST.get("decision") == "accept"
    outcome = services.decide_request(
        row,
        accept,
        request.POST.get("to_group", ""),
        _int(request.POST.get("version")),
        signed_in_person(request),
        force=request.POST.get("force") == "1",
    )
    if outcome.ok:
        audit.record(
            "matching.move_decided",
            request=request,
            programme=programme,
            target=row,
            detail={"request": row.pk, "decision": "accepted" if accept else "declined"},
        )
        messages.success(
            request,
            _("Request accepted: %(name)s was moved.") % {"name": row.person.name}
            if accept
            else _("Request declined."),
        )
    _report(request, outcome, _("Not moved: this move would break the rules of the run:"))
    return _back(row.run)


# ---------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------

QUALITY_ROWS = [
    ("people", "People"),
    ("groups", "Groups"),
    ("pairs", "Pairs"),
    ("cohesion", "Cohesion"),
    ("upper_bound", "Upper bound"),
    ("ratio", "Cohesion / bound"),
    ("worst_over_mean", "Worst group / mean"),
    ("history_pairs", "Earlier meetings avoided"),
]


@require_GET
@programme_view()
def compare(
    request: HttpRequest, programme: Programme, access: Access, run_id: int
) -> HttpResponse:
    run = _run(programme, run_id)
    if not _reads(access, run.cohort_id):
        raise PermissionDenied
    other_id = _int(request.GET.get("other"))
    other = get_object_or_404(
        MatchingRun.objects.select_related("cohort", "created_by"),
        pk=other_id,
        cohort=run.cohort,
    )
    labels = {
        "people": _("People"),
        "groups": _("Groups"),
        "pairs": _("Pairs"),
        "cohesion": _("Cohesion"),
        "upper_bound": _("Upper bound"),
        "ratio": _("Cohesion / bound"),
        "worst_over_mean": _("Worst group / mean"),
        "history_pairs": _("Earlier meetings avoided"),
    }
    rows = [
        (labels[key], run.quality.get(key), other.quality.get(key))
        for key, _label in QUALITY_ROWS
        if key in run.quality or key in other.quality
    ]
    rows.append(
        (
            _("Rule problems now"),
            len(run.run_result.problems),
            len(other.run_result.problems),
        )
    )
    rows.append((_("Moves"), run.moves.count(), other.moves.count()))
    differ, both = services.placed_differently(run, other)
    return render(
        request,
        "matching/compare.html",
        {
            "programme": programme,
            "cohort": run.cohort,
            "run": run,
            "other": other,
            "rows": rows,
            "run_settings": settings_summary(run),
            "other_settings": settings_summary(other),
            "differ": differ,
            "both": both,
        },
    )


# ---------------------------------------------------------------------------
# participants: my group, my pair, ask to move
# ---------------------------------------------------------------------------


def _my_placement(
    request: HttpRequest, cohort: Cohort
) -> tuple[MatchingRun | None, Person | None, str | None]:
    run = services.current_published(cohort, "groups")
    me = signed_in_person(request)
    if run is None or me is None:
        return run, me, None
    return run, me, run.run_result.assignment.get(str(me.pk))


@require_GET
@programme_view()
def my_group(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int
) -> HttpResponse:
    cohort = _cohort(programme, cohort_id)
    run, me, label = _my_placement(request, cohort)
    context: dict[str, Any] = {
        "programme": programme,
        "cohort": cohort,
        "label": label,
        "earlier": services.earlier_groups_of(me, cohort) if me else [],
    }
    if run is not None and me is not None and label is not None:
        ids = [int(pid) for pid in services.groups_of(run).get(label, [])]
        context.update(
            {
                "run": run,
                "members": Person.objects.filter(pk__in=ids)
                .select_related("organisation")
                .order_by("name"),
                "themes": (run.run_result.groups.get(label) or {}).get("themes") or [],
                "why": wording.group_why(
                    (run.run_result.groups.get(label) or {}).get("themes") or [],
                    [run.run_result.members.get(str(i), {}) for i in ids],
                ),
                "group_id": run.run_result.group_ids.get(label),
                "my_requests": MoveRequest.objects.filter(run=run, person=me),
                "form": MoveRequestForm(),
            }
        )
    return render(request, "matching/my_group.html", context)


@require_POST
@programme_view()
def move_request(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int
) -> HttpResponse:
    cohort = _cohort(programme, cohort_id)
    run, me, label = _my_placement(request, cohort)
    if run is None or me is None or label is None:
        raise Http404
    form = MoveRequestForm(request.POST)
    url = reverse("matching:my_group", args=[programme.slug, cohort.pk])
    if not form.is_valid():
        messages.error(
            request, _("Please say why you would like to move.") + " " + form_errors(form)
        )
        return redirect(url)
    try:
        with transaction.atomic():
            asked = MoveRequest.objects.create(
                run=run, person=me, from_group=label, reason=form.cleaned_data["reason"]
            )
    except IntegrityError:  # one pending request per person (see MoveRequest.Meta)
        messages.error(request, _("You already asked to move; a facilitator will answer."))
        return redirect(url)
    mail_move_request.enqueue(asked.pk)
    messages.success(request, _("Your request was sent to the facilitators."))
    return redirect(url)


@require_GET
@programme_view()
def my_pair(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int
) -> HttpResponse:
    cohort = _cohort(programme, cohort_id)
    me = signed_in_person(request)
    run, partners, group_id = services.pair_rows_for(me, cohort) if me else (None, [], None)
    return render(
        request,
        "matching/my_pair.html",
        {
            "programme": programme,
            "cohort": cohort,
            "run": run,
            "partners": partners,
            "group_id": group_id,
        },
    )

"""Ledger pages: thin views over :mod:`peerlearn.mel.services` and the engine.

Who sees what is decided in :mod:`peerlearn.mel.access` (docs/mel.md).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.engine import mutuality as mu
from peerlearn.mel import access as rules
from peerlearn.mel import services, snapshots
from peerlearn.mel.forms import ConfirmForm, ExchangeForm
from peerlearn.mel.models import Exchange
from peerlearn.people.models import Organisation, Person, signed_in_person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Group, Programme
from peerlearn.programmes.permissions import Access, is_group_member, listed_people

ERRORS = {
    "self_loop": lambda: _("Someone cannot learn from themselves."),
    "outside": lambda: _("Both people must be in this programme."),
    "duplicate": lambda: _(
        "This exchange is already recorded: same people, same kind, same day. "
        "Choose another kind or day if it was a different exchange."
    ),
    "not_other_side": lambda: _("Only the other side of the exchange can confirm it."),
}


def _visible(request: HttpRequest, programme: Programme, access: Access):
    return rules.visible_exchanges(access, programme, signed_in_person(request))


def _scope_people(programme: Programme, access: Access):
    """The people whose pairs a programme-wide ledger counts for this viewer."""
    if access.manages_programme or "evaluator" in access.programme_roles:
        return rules.programme_people(programme)
    return rules.people_of_cohorts(programme, rules.managed_cohort_ids(programme, access))


def _labels(ids) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=set(ids)).select_related("organisation")}


def _render_ledger(request, programme, title, ledger, extra=None, *, show_null=True):
    context = {
        "programme": programme,
        "title": title,
        "L": ledger,
        "show_null": show_null,
        "min_exchanges": services.FLAG_MIN_EXCHANGES,
    }
    context.update(extra or {})
    return render(request, "mel/ledger.html", context)


@programme_view(rules.reads_ledgers)
def ledger(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The programme's ledger: a snapshot for the programme's facilitators and evaluators
    (``mel/snapshots.py``), computed live over their cohorts for everyone else."""
    me = signed_in_person(request)
    audience = snapshots.audience_for(access, programme, me)
    people = _scope_people(programme, access)
    shown = None
    if audience is not None:
        shown = snapshots.read(programme, audience)
        found = shown.figures
    else:
        ids = list(people.values_list("pk", flat=True))
        found = services.figures(
            mu.within(services.as_records(_visible(request, programme, access)), ids), ids
        )
    result = None if found is None else services.as_ledger(found, _labels(found.node_ids()))
    groups = Group.objects.filter(cohort__programme=programme, archived_at__isnull=True)
    if not (access.manages_programme or "evaluator" in access.programme_roles):
        groups = groups.filter(cohort_id__in=rules.managed_cohort_ids(programme, access))
    organisations = Organisation.objects.filter(
        pk__in=people.exclude(organisation=None).values("organisation_id")
    )
    return _render_ledger(
        request,
        programme,
        _("Mutuality ledger"),
        result,
        {
            "groups": _links(groups, "mel:group", programme),
            "organisations": _links(organisations, "mel:organisation", programme),
            "is_programme": True,
            "snapshot": shown,
            "refresh": 5 if shown is not None and shown.figures is None else None,
        },
    )


def _links(rows: QuerySet[Any], name: str, programme: Programme) -> SafeString:
    """Links to each row's ledger, by name, as one escaped string: one reverse and no
    template loop for all of them (a programme of 50,000 people has 6,250 groups;
    a ``{% url %}`` each took most of the page, ``format_html`` each half the rest)."""
    pattern = escape(reverse(name, args=[programme.slug, 987654321]))
    links = (
        f'<a href="{pattern.replace("987654321", str(pk))}">{escape(label)}</a>'
        for pk, label in rows.order_by("name").values_list("pk", "name")
    )
    return mark_safe(" · ".join(links))  # noqa: S308 - the address and every name escaped


@programme_view()
def mine(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    me = signed_in_person(request)
    if me is None:
        mine_rows = Exchange.objects.none()
        pending = Exchange.objects.none()
    else:
        mine_rows = (
            Exchange.objects.filter(programme=programme)
            .filter(Q(giver=me) | Q(receiver=me))
            .select_related("giver", "receiver")
        )
        pending = services.pending_for(me, programme)
    return render(
        request,
        "mel/mine.html",
        {
            "programme": programme,
            "me": me,
            "exchanges": mine_rows[:200],
            "pending": pending,
            "confirm_form": ConfirmForm(),
            "can_record": rules.records_exchanges(access),
            "can_import": access.manages_any_cohort,
        },
    )


def _form(request: HttpRequest, programme: Programme, access: Access, me: Person | None):
    everyone = rules.programme_people(programme)
    if access.manages_any_cohort:
        scope = (
            everyone
            if access.manages_programme
            else rules.people_of_cohorts(programme, rules.managed_cohort_ids(programme, access))
        )
        return ExchangeForm(request.POST or None, givers=everyone, receivers=scope, me=me)
    givers = listed_people(request.user, access, programme, everyone)
    if me is not None:
        givers = givers.exclude(pk=me.pk)
    return ExchangeForm(request.POST or None, givers=givers, receivers=None, me=me)


@programme_view(rules.records_exchanges)
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    me = signed_in_person(request)
    form = _form(request, programme, access, me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        receiver = form.receiver_person()
        if receiver is None:
            raise PermissionDenied
        try:
            exchange = services.record_exchange(
                programme,
                giver=data["giver"],
                receiver=receiver,
                when=data["when"],
                kind=data["kind"],
                learned=data["learned"],
                applied=data["applied"],
                recorded_by=me,
            )
        except services.ExchangeError as error:
            form.add_error(None, ERRORS[error.code]())
        else:
            audit.record("exchange.record", request=request, programme=programme, target=exchange)
            messages.success(
                request,
                _("Recorded. %(name)s is asked to confirm it.") % {"name": _other(exchange, me)},
            )
            return redirect("mel:mine", programme.slug)
    return render(request, "mel/record.html", {"programme": programme, "form": form})


def _other(exchange: Exchange, me: Person | None) -> str:
    names = [p.name for p in (exchange.giver, exchange.receiver) if me is None or p.pk != me.pk]
    return " / ".join(names)


@programme_view()
@require_POST
def confirm(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    exchange = get_object_or_404(_visible(request, programme, access), pk=pk)
    me = signed_in_person(request)
    form = ConfirmForm(request.POST)
    if me is None or me.pk not in exchange.other_side_ids():
        raise PermissionDenied
    if form.is_valid():
        services.confirm_exchange(exchange, me, form.cleaned_data["note"])
        audit.record("exchange.confirm", request=request, programme=programme, target=exchange)
        messages.success(request, _("Thank you: the exchange is confirmed."))
    else:
        messages.error(request, _("Your note is too long."))
    return redirect("mel:mine", programme.slug)


@programme_view()
def person(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    found = get_object_or_404(rules.programme_people(programme), pk=pk)
    if not rules.reads_person_ledger(access, programme, signed_in_person(request), found):
        raise Http404
    rows = _visible(request, programme, access).filter(Q(giver=found) | Q(receiver=found))
    records = services.as_records(rows)
    ids = {found.pk} | {e.giver for e in records} | {e.receiver for e in records}
    result = services.ledger(records, ids, _labels(ids), focus=found.pk)
    return _render_ledger(request, programme, found.name, result, {"focus": found}, show_null=False)


@programme_view()
def pair(
    request: HttpRequest, programme: Programme, access: Access, a: int, b: int
) -> HttpResponse:
    people = rules.programme_people(programme)
    first, second = get_object_or_404(people, pk=a), get_object_or_404(people, pk=b)
    me = signed_in_person(request)
    one_of_them = me is not None and me.pk in (first.pk, second.pk)
    if not one_of_them and not all(
        rules.reads_person_ledger(access, programme, me, p) for p in (first, second)
    ):
        raise Http404
    rows = _visible(request, programme, access).filter(
        Q(giver=first, receiver=second) | Q(giver=second, receiver=first)
    )
    result = services.ledger(services.as_records(rows), [a, b], _labels([a, b]))
    return _render_ledger(
        request,
        programme,
        f"{first.name} · {second.name}",
        result,
        {"rows": rows.select_related("giver", "receiver")},
        show_null=False,
    )


@programme_view(rules.reads_ledgers)
def group(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    found = get_object_or_404(Group, pk=pk, cohort__programme=programme)
    if not (access.manages_cohort(found.cohort_id) or "evaluator" in access.programme_roles):
        raise Http404
    members = list(found.members.values_list("pk", flat=True))
    records = mu.within(services.as_records(_visible(request, programme, access)), members)
    result = services.ledger(records, members, _labels(members))
    return _render_ledger(request, programme, found.name, result)


@programme_view(rules.reads_ledgers)
def organisation(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    """Exchanges between organisations (aggregated from people), seen from one of them."""
    people = _scope_people(programme, access).select_related("organisation")
    to_org = {p.pk: p.organisation_id for p in people}
    if pk not in set(to_org.values()):
        raise Http404
    found = get_object_or_404(Organisation, pk=pk)
    records = mu.aggregate(services.as_records(_visible(request, programme, access)), to_org)
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=set(to_org.values()) - {None})}
    involved = [e for e in records if pk in (e.giver, e.receiver)]
    ids = {pk} | {e.giver for e in involved} | {e.receiver for e in involved}
    result = services.ledger(involved, ids, orgs, focus=pk)
    return _render_ledger(request, programme, found.name, result, show_null=False)


def _network(request: HttpRequest, programme: Programme, access: Access):
    """The filter form, and the exchanges and people of the network this viewer may see."""
    from peerlearn.mel import network as drawing

    cohorts = programme.cohorts.all()
    if not (access.manages_programme or "evaluator" in access.programme_roles):
        cohorts = cohorts.filter(pk__in=rules.managed_cohort_ids(programme, access))
    form = drawing.NetworkFilter(request.GET or None, cohorts=cohorts)
    people = _scope_people(programme, access)
    exchanges = form.filtered(_visible(request, programme, access), programme)
    exchanges = exchanges.filter(giver__in=people, receiver__in=people)
    if form.is_valid() and form.cleaned_data.get("cohort"):
        people = people.filter(memberships__cohort=form.cleaned_data["cohort"]).distinct()
    return form, exchanges, people


@programme_view(rules.reads_ledgers)
def network_page(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The whole network from the snapshot (programme facilitators, evaluators); a filtered
    view, or a cohort facilitator's, summarised in the request up to LIVE_LIMIT exchanges."""
    from peerlearn.mel import network as drawing

    form, exchanges, people = _network(request, programme, access)
    level = form.chosen_level
    audience = snapshots.audience_for(access, programme, signed_in_person(request))
    shown = summary = None
    if audience is not None and not form.narrows:
        shown = snapshots.read(programme, audience, part=f"network:{level}")
        summary = shown.summary
        if summary is None and shown.exchanges > snapshots.LIVE_LIMIT:
            shown.recomputing = True  # an older snapshot without the network: being made
    too_many = False
    if summary is None and (shown is None or shown.exchanges <= snapshots.LIVE_LIMIT):
        # A count that stops past the limit: a filter matching 100,000 exchanges
        # need not count them all to be refused.
        if exchanges[: snapshots.LIVE_LIMIT + 1].count() <= snapshots.LIVE_LIMIT:
            rows = drawing.person_rows(people)
            summary = drawing.summarise(
                drawing.ties_of(services.as_records(exchanges), rows, level)
            )
            if shown is not None:
                shown.live = True
        else:
            too_many = True
    result = None
    if summary is not None:
        result = drawing.Shown(summary, drawing.page_labels(level, drawing.summary_ids(summary)))
    return render(
        request,
        "mel/network.html",
        {
            "programme": programme,
            "form": form,
            "net": result,
            "snapshot": shown,
            "too_many": too_many,
            "refresh": 5 if shown is not None and summary is None else None,
            "max_drawn": drawing.MAX_DRAWN,
            "query": request.GET.urlencode(),
        },
    )


@programme_view(rules.reads_ledgers)
def network_export(
    request: HttpRequest, programme: Programme, access: Access, fmt: str
) -> HttpResponse:
    from peerlearn.engine import network as engine_network
    from peerlearn.mel import network as drawing

    # Files travel: names for the programme's facilitators, pseudonyms for everyone else.
    form, exchanges, people = _network(request, programme, access)
    graph, _labels = drawing.graph_for(
        exchanges, people, form.chosen_level, programme=programme, names=access.manages_programme
    )
    writers = {
        "graphml": (engine_network.export_graphml, "application/graphml+xml"),
        "gexf": (engine_network.export_gexf, "application/gexf+xml"),
        "csv": (lambda g: engine_network.edge_list_csv(g).encode(), "text/csv; charset=utf-8"),
    }
    if fmt not in writers:
        raise Http404
    write, content_type = writers[fmt]
    audit.record(
        "exchange.network_export", request=request, programme=programme, detail={"format": fmt}
    )
    response = HttpResponse(write(graph), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-network.{fmt}"'
    return response


@programme_view()
@require_http_methods(["GET", "POST"])
def group_learned(request: HttpRequest, programme: Programme, access: Access, pk: int):
    """The check-in's companion step: what a member learned from people of other groups.

    Recorded with ``source="checkin"`` and the group, so it is the group's
    private material (docs/mel.md): never shown to evaluators.
    """
    found = get_object_or_404(Group, pk=pk, cohort__programme=programme)
    me = signed_in_person(request)
    if me is None or not is_group_member(request.user, found):
        if access.manages_cohort(found.cohort_id):
            raise PermissionDenied
        raise Http404
    cohort_people = rules.people_of_cohorts(programme, [found.cohort_id])
    others = listed_people(request.user, access, programme, cohort_people).exclude(
        pk__in=found.members.values("pk")
    )
    form = ExchangeForm(request.POST or None, givers=others, receivers=None, me=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exchange = services.record_exchange(
                programme,
                giver=data["giver"],
                receiver=me,
                when=data["when"],
                kind=data["kind"],
                learned=data["learned"],
                applied=data["applied"],
                recorded_by=me,
                source="checkin",
                group=found,
            )
        except services.ExchangeError as error:
            form.add_error(None, ERRORS[error.code]())
        else:
            audit.record("exchange.record", request=request, programme=programme, target=exchange)
            messages.success(
                request,
                _("Recorded. %(name)s is asked to confirm it.") % {"name": exchange.giver.name},
            )
            return redirect("progress:group", slug=programme.slug, group_id=found.pk)
    return render(
        request,
        "mel/group_learned.html",
        {"programme": programme, "form": form, "group": found},
    )

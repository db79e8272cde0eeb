"""The facilitator's "import from survey": a survey's answers to exchanges, by hand.

Submissions are mapped by a task as they arrive (:mod:`peerlearn.mel.tasks`);
this page lists the surveys of the programme that ask "who did you learn
from, and what?" and that the facilitator manages, and maps a survey's
submitted answers again on request: answers imported from KoboToolbox or
ODK, answers given before a person joined the programme, or whatever a
stopped worker missed.  Mapping is idempotent, so the button can be pressed
any number of times.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peerlearn import audit
from peerlearn.mel import from_surveys
from peerlearn.mel.models import Exchange
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.surveys.models import Survey
from peerlearn.surveys.permissions import manages_survey

SKIP_WORDS = {
    # promise: tests/mel/test_from_surveys.py::test_pseudonymous_answers_never_become_named_exchanges
    "not_identified": lambda: _("not identified (pseudonymous or anonymous survey)"),
    "unknown_person": lambda: _("nobody in the programme has that name or e-mail"),
    "outside": lambda: _("the respondent is not in the programme"),
    "self_loop": lambda: _("the respondent named themselves"),
    "duplicate": lambda: _("the same exchange is already recorded that day"),
    "already_mapped": lambda: _("already turned into an exchange"),
}


def facilitates(access: Access) -> bool:
    return access.manages_any_cohort


def asks_item(survey: Survey) -> bool:
    """Whether the survey's instrument asks "who did you learn from" (flat or as the repeat)."""
    return survey.instrument.form.find_anywhere(from_surveys.DEFAULT_FIELDS["who"]) is not None


def _surveys(programme: Programme, access: Access) -> list[Survey]:
    rows = (
        Survey.objects.filter(programme=programme, cancelled_at__isnull=True)
        .select_related("instrument", "cohort")
        .annotate(submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False)))
        .order_by("-opens_at", "-pk")
    )
    return [s for s in rows if manages_survey(access, s) and asks_item(s)]


@programme_view(facilitates)
@require_http_methods(["GET", "POST"])
def from_survey(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    surveys = _surveys(programme, access)
    if request.method == "POST":
        wanted = request.POST.get("survey", "")
        survey = next((s for s in surveys if str(s.pk) == wanted), None)
        if survey is None:
            raise Http404
        result = from_surveys.exchanges_from_responses(from_surveys.survey_responses(survey))
        counts = result.counts()
        audit.record(
            "exchange.import_survey",
            request=request,
            programme=programme,
            target=survey,
            detail={"created": len(result.created), "skipped": counts},
        )
        messages.success(
            request,
            _("%(count)s exchanges recorded from “%(survey)s”.")
            % {"count": len(result.created), "survey": survey.title},
        )
        for code, count in sorted(counts.items()):
            words = SKIP_WORDS[code]() if code in SKIP_WORDS else code
            messages.info(
                request, _("%(count)s answers skipped: %(why)s.") % {"count": count, "why": words}
            )
        return redirect("mel:from_survey", programme.slug)
    mapped = dict(
        Exchange.objects.filter(programme=programme, response__survey__in=surveys)
        .values_list("response__survey")
        .annotate(n=Count("pk"))
        .values_list("response__survey", "n")
    )
    rows = [
        {
            "survey": s,
            "identified": s.instrument.anonymity == "identified",
            "mapped": mapped.get(s.pk, 0),
        }
        for s in surveys
    ]
    return render(request, "mel/from_survey.html", {"programme": programme, "rows": rows})

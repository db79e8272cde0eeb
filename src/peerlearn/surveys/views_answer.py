"""Answering pages: the personal link, its JSON autosave, and "My surveys".

The personal link (``/s/<survey id>/<token>/``) needs no account: the token
is the key, and it opens one person's invitation to one survey only.  The
rules (checking, drafts, submitting once) live in
:mod:`peerlearn.surveys.answering`; this module turns them into pages.

Status codes tell the respondent's browser (and the tests) what happened:
404 unknown link, 410 closed or cancelled, 403 not open yet, 409 already
answered, 400 answers that need fixing (the form again, with the errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn.accounts.models import signed_in_user
from peerlearn.people.models import signed_in_person
from peerlearn.surveys import answering
from peerlearn.surveys.answering import Checked, Raw, page_language, text_in
from peerlearn.surveys.models import Invitation
from peerlearn.surveys.xlsform import Group, Question
from peerlearn.surveys.xlsform import Instrument as Form
from peerlearn.surveys.xlsform.model import Item, Repeat

# ------------------------------------------------------------------ page model


@dataclass
class ChoiceView:
    id: str
    value: str
    label: str
    checked: bool
    shown: bool = True


@dataclass
class Node:
    """One group, note or question as the template shows it."""

    kind: str  # "group", "repeat", "instance", "note", "readonly" or "question"
    name: str
    label: str
    hint: str = ""
    shown: bool = True
    type: str = ""
    required: bool = False
    likert: bool = False
    minimal: bool = False
    piped: bool = False
    value: str = ""
    choices: list[ChoiceView] = field(default_factory=list)
    error: str = ""
    children: list[Node] = field(default_factory=list)
    #: A repeat: whether the respondent adds and removes instances (no repeat_count).
    editable: bool = False
    #: An instance: the button value that removes it.
    remove: str = ""

    @property
    def input_type(self) -> str:
        return "checkbox" if self.type == "select_multiple" else "radio"


@dataclass
class Page:
    """What the form template needs from the form, the answers and the check."""

    form: Form
    language: str
    raw: dict[str, Raw]
    checked: Checked
    errors: dict[str, str]
    #: Page-name prefix of a repeat instance's fields (``peers[0].``).
    prefix: str = ""
    #: Answers outside the repeat, which an instance's labels may quote.
    around: dict[str, Any] = field(default_factory=dict)

    def text(self, texts: dict[str, str]) -> str:
        return text_in(texts, self.language, self.form.default_language)

    def piped(self, texts: dict[str, str]) -> str:
        """A label or hint with each ``${field}`` replaced by its answer as read."""
        answers = {**self.around, **self.checked.typed}
        return answering.pipe(self.text(texts), self.form, answers, self.language)

    def nodes(self, items: list[Item] | None = None) -> list[Node]:
        return [
            node
            for item in (self.form.items if items is None else items)
            if (node := self.node(item)) is not None
        ]

    def node(self, item: Item) -> Node | None:
        node = self._node(item)
        if node is not None and self.prefix:
            node.name = self.prefix + node.name
            for choice in node.choices:
                choice.id = f"in-{node.name}-{choice.id.rsplit('-', 1)[-1]}"
        return node

    def repeat(self, item: Repeat, label: str, shown: bool) -> Node:
        """A repeat: one fieldset per instance, each a page of its own answers."""
        inner = item.form(self.form)
        instances = []
        checks = self.checked.instances.get(item.name, [])
        around = {k: v for k, v in self.checked.typed.items() if k != item.name}
        for index, checked in enumerate(checks):
            prefix = answering.instance_prefix(item.name, index)
            errors = {
                key[len(prefix) :]: message
                for key, message in self.errors.items()
                if key.startswith(prefix)
            }
            page = Page(inner, self.language, checked.raw, checked, errors, prefix, around)
            instances.append(
                Node(
                    "instance",
                    f"{item.name}[{index}]",
                    f"{label} ({index + 1})",
                    children=page.nodes(),
                    remove=f"remove:{item.name}:{index}",
                )
            )
        return Node(
            "repeat", item.name, label, shown=shown, children=instances, editable=not item.count
        )

    def _node(self, item: Item) -> Node | None:
        label = self.piped(item.label) or item.name
        piped = answering.has_pipes(item.label)
        shown = self.checked.relevant.get(item.name, True)
        if isinstance(item, Repeat):
            return self.repeat(item, label, shown)
        if isinstance(item, Group):
            return Node("group", item.name, label, shown=shown, children=self.nodes(item.children))
        hint = self.piped(item.hint)
        if item.type == "calculate":
            return None  # computed on the server, never shown
        if item.type == "note":
            return Node("note", item.name, label, hint=hint, shown=shown, piped=piped)
        if item.read_only:
            value = self.checked.typed.get(item.name, item.default)
            text = answering.answer_text(item, value, self.form, self.language) if value else ""
            return Node("readonly", item.name, label, hint=hint, shown=shown, value=text)
        raw = self.raw.get(item.name, "")
        return Node(
            "question",
            item.name,
            label,
            hint=hint,
            shown=shown,
            type=item.type,
            required=item.required,
            likert="likert" in item.appearance,
            minimal="minimal" in item.appearance.split() and item.type == "select_one",
            piped=piped,
            value=raw if isinstance(raw, str) else "",
            choices=self.choices(item, raw),
            error=self.errors.get(item.name, ""),
        )

    def choices(self, question: Question, raw: Raw) -> list[ChoiceView]:
        """Every choice of the list; those a ``choice_filter`` leaves out are
        hidden (the script shows them again when an earlier answer changes)."""
        choice_list = self.form.choice_lists.get(question.list_name or "")
        if choice_list is None or question.type not in ("select_one", "select_multiple"):
            return []
        picked = set(raw) if isinstance(raw, list) else {raw}
        offered = self.checked.choices.get(question.name)
        return [
            ChoiceView(
                id=f"in-{question.name}-{index}",
                value=choice.name,
                label=text_in(choice.label, self.language, self.form.default_language)
                or choice.name,
                checked=choice.name in picked,
                shown=offered is None or choice.name in offered,
            )
            for index, choice in enumerate(choice_list.choices, start=1)
        ]

    def live_texts(self) -> dict[str, str]:
        """Labels that quote answers (``${field}``) and read-only values, for the script."""
        texts: dict[str, str] = {}
        for node in _flatten(self.nodes()):
            if node.piped:
                texts[f"label-{node.name}"] = node.label
            if node.kind == "readonly":
                texts[f"value-{node.name}"] = node.value
        return texts

    def error_list(self) -> list[dict[str, str]]:
        """The errors in form order, for the summary at the top (a repeat's after
        the other questions, each named with its instance)."""
        found = [
            {
                "name": q.name,
                "label": self.text(q.label) or q.name,
                "message": self.errors[q.name],
            }
            for q in self.form.questions()
            if q.name in self.errors
        ]
        for repeat in self.form.repeats():
            title = self.text(repeat.label) or repeat.name
            for index, checked in enumerate(self.checked.instances.get(repeat.name, [])):
                prefix = answering.instance_prefix(repeat.name, index)
                for q in repeat.form(self.form).questions():
                    if prefix + q.name in self.errors:
                        label = answering.pipe(
                            self.text(q.label), self.form, checked.typed, self.language
                        )
                        found.append(
                            {
                                "name": prefix + q.name,
                                "label": f"{title} ({index + 1}): {label or q.name}",
                                "message": self.errors[prefix + q.name],
                            }
                        )
        return found


def _flatten(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        out.append(node)
        out += _flatten(node.children)
    return out


# ------------------------------------------------------------------ helpers


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    language: str = "",
) -> HttpResponse:
    """Render in the respondent's language (when the site has it); never leak the token."""
    with page_language(language):
        response = render(request, template, context, status=status)
    code = answering.site_language(language)
    if code:
        response["Content-Language"] = code
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _posted(request: HttpRequest) -> QueryDict | None:
    """The POSTed fields, or ``None`` when the body is too large or has too many fields."""
    try:
        return request.POST
    except (RequestDataTooBig, TooManyFieldsSent):
        return None


def _language(request: HttpRequest, invitation: Invitation) -> str:
    return answering.choose_language(
        invitation.survey.instrument.form,
        invitation.person.languages or [],
        requested=request.GET.get("lang"),
        remembered=invitation.language,
    )


def _language_links(form: Form, language: str) -> list[tuple[str, str, bool]]:
    return [(code, name or code, code == language) for code, name in form.languages.items()]


def _blocked(request: HttpRequest, invitation: Invitation, language: str) -> HttpResponse | None:
    """The page for a link that cannot show the form (answered, closed, not open yet)."""
    state = answering.availability(invitation)
    survey = invitation.survey
    context: dict[str, Any] = {"survey": survey, "invitation": invitation}
    if state == "submitted":
        return _render(
            request, "surveys/answer/already.html", context, status=409, language=language
        )
    if state == "closed":
        context["closed_on"] = answering.closed_on(survey)
        return _render(
            request, "surveys/answer/closed.html", context, status=410, language=language
        )
    if state == "not_open":
        return _render(
            request, "surveys/answer/not_open.html", context, status=403, language=language
        )
    return None


def _already(request: HttpRequest, invitation: Invitation, language: str) -> HttpResponse:
    """409 for a submission that lost the race (double click, second tab, back button)."""
    invitation.refresh_from_db(fields=["submitted_at"])
    context = {"survey": invitation.survey, "invitation": invitation}
    return _render(request, "surveys/answer/already.html", context, status=409, language=language)


def _privacy_note(anonymity: str) -> str:
    if anonymity == "identified":
        # promise: tests/surveys/test_exports.py::test_identity_columns_of_an_identified_instrument_by_persona
        return _("Your name is kept with your answers; the programme's facilitators can see them.")
    if anonymity == "pseudonymous":
        # promise: tests/surveys/test_answering.py::test_pseudonym_is_stable_in_a_programme_and_differs_across_programmes
        return _("Your answers are kept under a code, never with your name.")
    # promise: tests/surveys/test_answering.py::test_anonymous_response_keeps_neither_person_nor_code_nor_time_nor_language
    return _("Your answers are anonymous: nothing links them to you.")


def _form_page(
    request: HttpRequest,
    invitation: Invitation,
    token: str,
    language: str,
    *,
    raw: dict[str, Raw],
    checked: Checked,
    errors: dict[str, str],
    status: int = 200,
    saved: bool = False,
) -> HttpResponse:
    survey = invitation.survey
    form = survey.instrument.form
    page = Page(form, language, raw, checked, errors)
    query = "?" + urlencode({"lang": language})
    with page_language(language):  # texts built here must be in the page's language
        privacy = _privacy_note(survey.instrument.anonymity)
    context = {
        "survey": survey,
        "invitation": invitation,
        "language": language,
        "languages": _language_links(form, language) if len(form.languages) > 1 else [],
        "nodes": page.nodes(),
        "errors": page.error_list() if errors else [],
        "privacy": privacy,
        "saved": saved,
        "max_text": answering.max_text(),
        "action_url": reverse("surveys:answer", args=[survey.pk, token]) + query,
        "save_url": reverse("surveys:answer_save", args=[survey.pk, token]) + query,
    }
    return _render(request, "surveys/answer/form.html", context, status=status, language=language)


def _thanks(
    request: HttpRequest, invitation: Invitation, checked: Checked, language: str
) -> HttpResponse:
    form = invitation.survey.instrument.form
    rows = [
        {
            "label": text_in(q.label, language, form.default_language) or q.name,
            "text": answering.answer_text(q, checked.typed[q.name], form, language),
        }
        for q in form.questions()
        if q.name in checked.typed
    ]
    for repeat in form.repeats():  # each instance's answers, named by its number
        title = text_in(repeat.label, language, form.default_language) or repeat.name
        inner = repeat.form(form)
        for number, instance in enumerate(checked.typed.get(repeat.name, []), start=1):
            rows += [
                {
                    "label": f"{title} ({number}): "
                    + (text_in(q.label, language, form.default_language) or q.name),
                    "text": answering.answer_text(q, instance[q.name], inner, language),
                }
                for q in inner.questions()
                if q.name in instance
            ]
    context = {"survey": invitation.survey, "rows": rows, "language": language}
    return _render(request, "surveys/answer/thanks.html", context, language=language)


def _too_big(request: HttpRequest, language: str) -> HttpResponse:
    return _render(request, "surveys/answer/too_big.html", {}, status=400, language=language)


# ------------------------------------------------------------------ views


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, survey_id: int, token: str) -> HttpResponse:
    """The personal link: the whole instrument on one page, resumed from the draft."""
    invitation = Invitation.for_token(survey_id, token)
    if invitation is None:
        return _render(request, "surveys/answer/invalid.html", {}, status=404)
    language = _language(request, invitation)
    blocked = _blocked(request, invitation, language)
    if blocked is not None:
        return blocked
    if request.method == "POST":
        return _answer_post(request, invitation, token, language)
    if invitation.language != language:
        Invitation.objects.filter(pk=invitation.pk).update(language=language)
        invitation.language = language
    form = invitation.survey.instrument.form
    # Defaults fill a form never saved; once saved, the respondent's own answers count.
    start = invitation.draft if invitation.draft_saved_at else answering.initial_answers(form)
    checked = answering.check_answers(form, start or {}, language)
    return _form_page(
        request,
        invitation,
        token,
        language,
        raw=checked.raw,
        checked=checked,
        errors={},
        saved=request.GET.get("saved") == "1",
    )


def _answer_post(
    request: HttpRequest, invitation: Invitation, token: str, language: str
) -> HttpResponse:
    """ "Save and continue later" (without JavaScript) or "Submit"."""
    data = _posted(request)
    if data is None:
        return _too_big(request, language)
    if data.get("action") == "save":
        if answering.save_draft(invitation, data, language) is None:
            return _already(request, invitation, language)
        query = urlencode({"lang": language, "saved": "1"})
        return redirect(reverse("surveys:answer", args=[invitation.survey_id, token]) + "?" + query)
    if str(data.get("action", "")).startswith(("add:", "remove:")):
        return _change_instances(request, invitation, token, language, data)
    outcome = answering.submit(invitation, data, language)
    if outcome.already:
        return _already(request, invitation, language)
    if not outcome.ok:
        # Keep what was typed, so leaving now and coming back loses nothing.
        answering.save_draft(invitation, data, language)
        checked = outcome.checked
        return _form_page(
            request,
            invitation,
            token,
            language,
            raw=checked.raw,
            checked=checked,
            errors=checked.errors,
            status=400,
        )
    return _thanks(request, invitation, outcome.checked, language)


def _change_instances(
    request: HttpRequest, invitation: Invitation, token: str, language: str, data: QueryDict
) -> HttpResponse:
    """A repeat's "Add another" or "Remove" button, without JavaScript: the
    answers are saved as a draft with one instance more or less, and the page
    comes back at that repeat."""
    form = invitation.survey.instrument.form
    raw = dict(answering.check_answers(form, data, language).raw)
    anchor = answering.change_instances(form, raw, str(data.get("action", "")))
    if answering.save_draft(invitation, raw, language) is None:
        return _already(request, invitation, language)
    url = reverse("surveys:answer", args=[invitation.survey_id, token])
    return redirect(url + "?" + urlencode({"lang": language}) + (f"#{anchor}" if anchor else ""))


def _json_refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": status, "message": message}, status=status)


@never_cache
@require_POST
def answer_save(request: HttpRequest, survey_id: int, token: str) -> JsonResponse:
    """Autosave: keep the posted answers as the draft; reply with relevance and errors."""
    invitation = Invitation.for_token(survey_id, token)
    if invitation is None:
        return _json_refusal(404, _("This link is not recognised."))
    language = _language(request, invitation)
    with page_language(language):
        refusal = _save_refusal(invitation)
        if refusal is not None:
            return refusal
        data = _posted(request)
        if data is None:
            return _json_refusal(400, _("Too much text to save; please shorten your answers."))
        checked = answering.save_draft(invitation, data, language)
        if checked is None:
            return _json_refusal(409, _("You have already answered this survey."))
    saved_at = invitation.draft_saved_at or timezone.now()
    form = invitation.survey.instrument.form
    texts = Page(form, language, checked.raw, checked, {}).live_texts()
    return JsonResponse(
        {
            "saved_at": saved_at.isoformat(),
            "relevant": checked.relevant,
            "errors": checked.errors,
            "choices": checked.choices,
            "texts": texts,
        }
    )


def _save_refusal(invitation: Invitation) -> JsonResponse | None:
    state = answering.availability(invitation)
    if state == "submitted":
        return _json_refusal(409, _("You have already answered this survey."))
    if state == "closed":
        return _json_refusal(410, _("This survey is closed."))
    if state == "not_open":
        return _json_refusal(403, _("This survey is not open yet."))
    return None


def _open_filter(now: datetime) -> Q:
    return Q(survey__cancelled_at__isnull=True, survey__opens_at__lte=now) & (
        Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now)
    )


@login_required
def my_surveys(request: HttpRequest) -> HttpResponse:
    """The signed-in person's open surveys to answer, and the ones already answered."""
    person = signed_in_person(request)
    to_answer: list[Invitation] = []
    answered: list[Invitation] = []
    if person is not None:
        mine = Invitation.objects.filter(person=person).select_related(
            "survey__programme", "survey__instrument"
        )
        to_answer = list(
            mine.filter(_open_filter(timezone.now()), submitted_at__isnull=True).order_by(
                "survey__closes_at", "survey__opens_at", "pk"
            )
        )
        answered = list(mine.filter(submitted_at__isnull=False).order_by("-submitted_at", "pk"))
    context = {"to_answer": to_answer, "answered": answered}
    return render(request, "surveys/answer/my_surveys.html", context)


@login_required
@require_POST
def my_survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open one's own invitation with a fresh personal link (no e-mail needed)."""
    invitation = get_object_or_404(Invitation, pk=pk, person__user=signed_in_user(request))
    token = invitation.issue_link()
    return redirect(reverse("surveys:answer", args=[invitation.survey_id, token]))

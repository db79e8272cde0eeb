"""The API's resources: every one under a programme, each read by the pages' rules.

Each view names the check its page uses (``check``; 404 for outsiders, 403 for
members without the role) and returns only the rows the page would show
(``visible``).  Writes go through the pages' own forms, so a cohort, a person
or a session made through the API passes exactly the validation, rules and
audit of the page.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from peerlearn import audit
from peerlearn.api import serializers as s
from peerlearn.api.access import Check, programme_access, reachable_programmes
from peerlearn.delivery import services as delivery
from peerlearn.delivery.forms import PlanForm
from peerlearn.delivery.models import Session
from peerlearn.engine import rhythm
from peerlearn.intake.models import Challenge, IntakeInvitation
from peerlearn.intake.permissions import intake_answers_private, lists_intake_names
from peerlearn.intake.services import intake_people, settings_for
from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.objectives.models import LearningObjective
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.forms import CohortForm
from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme
from peerlearn.programmes.permissions import Access, listed_people, manageable_cohorts
from peerlearn.progress.models import CheckIn, Product
from peerlearn.progress.permissions import evaluator_reads
from peerlearn.roster.forms import PersonForm
from peerlearn.surveys.models import Instrument, Survey
from peerlearn.surveys.permissions import reads_instruments
from peerlearn.surveys.views_instruments import XLSX_TYPE, export_filename
from peerlearn.surveys.xlsform import write_xlsform


def is_member(access: Access) -> bool:
    return access.any_role


def manages_programme(access: Access) -> bool:
    return access.manages_programme


def manages_any_cohort(access: Access) -> bool:
    return access.manages_any_cohort


def reads_everything(access: Access) -> bool:
    return access.reads_everything


def reads_matching(access: Access) -> bool:
    return access.manages_any_cohort or "evaluator" in access.programme_roles


class ProgrammeView(generics.GenericAPIView):
    """Base: loads ``self.programme`` and ``self.access`` before anything else."""

    model: Any = None
    check: Check = staticmethod(is_member)
    write_check: Check = staticmethod(manages_programme)
    programme: Programme
    access: Access

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check = self.check if request.method in SAFE_METHODS else self.write_check
        self.programme, self.access = programme_access(request, kwargs["slug"], check)

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.visible().order_by("pk")

    def visible(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["access"] = getattr(self, "access", None)
        return context


class ListView(ProgrammeView, generics.ListAPIView):
    pass


class DetailView(ProgrammeView, generics.RetrieveAPIView):
    lookup_url_kwarg = "pk"


# ---------------------------------------------------------------- programmes


class ProgrammeList(generics.ListAPIView):
    """The programmes the caller belongs to (only the token's, for a programme token)."""

    serializer_class = s.ProgrammeSerializer
    filterset_fields = ["stage"]

    def get_queryset(self) -> QuerySet[Programme]:
        if getattr(self, "swagger_fake_view", False):
            return Programme.objects.none()
        return reachable_programmes(self.request).order_by("pk")


class ProgrammeDetail(ProgrammeView, generics.RetrieveAPIView):
    model = Programme
    serializer_class = s.ProgrammeSerializer

    def get_object(self) -> Programme:
        return self.programme


# ---------------------------------------------------------------- cohorts


class CohortQueries(ProgrammeView):
    model = Cohort
    serializer_class = s.CohortSerializer
    filterset_fields = ["kind", "online"]

    def visible(self) -> QuerySet[Cohort]:
        return Cohort.objects.filter(programme=self.programme)


class CohortList(CohortQueries, generics.ListAPIView):
    """The programme's cohorts and modules; programme facilitators add one (POST)."""

    @extend_schema(request=s.CohortWriteSerializer, responses={201: s.CohortSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = _checked(s.CohortWriteSerializer, request)
        form = CohortForm(data, programme=self.programme)
        _valid_or_400(form)
        form.instance.programme = self.programme
        cohort = form.save()
        audit.record("api.cohort_create", request=request, programme=self.programme, target=cohort)
        return Response(s.CohortSerializer(cohort).data, status=status.HTTP_201_CREATED)


class CohortDetail(CohortQueries, DetailView):
    pass


# ---------------------------------------------------------------- people


class PeopleQueries(ProgrammeView):
    """As on the people pages: ``listed_people`` decides who is listed; e-mails
    only for the facilitators of the programme or of the person's cohort."""

    model = Person
    serializer_class = s.PersonSerializer
    filterset_fields = ["organisation", "country", "seniority", "is_external", "is_alumni"]

    def visible(self) -> QuerySet[Person]:
        people = (
            Person.objects.filter(memberships__programme=self.programme)
            .distinct()
            .select_related("organisation")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.filter(programme=self.programme),
                    to_attr="here",
                )
            )
        )
        return listed_people(self.request.user, self.access, self.programme, people)


class PeopleList(PeopleQueries, generics.ListAPIView):
    """People of the programme the caller may see; programme facilitators add one (POST)."""

    @extend_schema(request=s.PersonWriteSerializer, responses={201: s.PersonSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = _checked(s.PersonWriteSerializer, request)
        known = Person.objects.filter(email=str(data.get("email", "")).strip().lower()).first()
        with transaction.atomic():
            if known is not None:
                # As on the page: someone already stored joins as they are (their
                # details are not the adding facilitator's to rewrite).
                person = known
            else:
                form = PersonForm(data)
                _valid_or_400(form)
                person = form.save()
            membership, created = Membership.objects.get_or_create(
                person=person, programme=self.programme, cohort=None, role="participant"
            )
            if created:
                audit.record(
                    "role.grant",
                    request=request,
                    programme=self.programme,
                    target=person,
                    detail={"role": membership.role, "cohort": None, "via": "api"},
                )
        shown = self.visible().get(pk=person.pk)
        return Response(
            s.PersonSerializer(shown, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class PersonDetail(PeopleQueries, DetailView):
    pass


class OrganisationList(ListView):
    """Organisations of the people the caller may see in the programme."""

    model = Organisation
    serializer_class = s.OrganisationSerializer
    filterset_fields = ["country", "kind"]

    def visible(self) -> QuerySet[Organisation]:
        people = PeopleQueries.visible(self)
        ids = set(people.exclude(organisation=None).values_list("organisation_id", flat=True))
        if self.programme.facilitating_organisation_id:
            ids.add(self.programme.facilitating_organisation_id)
        return Organisation.objects.filter(pk__in=ids)


class MembershipList(ListView):
    """Roles of the people the caller may see."""

    model = Membership
    serializer_class = s.MembershipSerializer
    filterset_fields = ["person", "cohort", "role"]

    def visible(self) -> QuerySet[Membership]:
        people = PeopleQueries.visible(self)
        return Membership.objects.filter(programme=self.programme, person__in=people.values("pk"))


class ChallengeList(ListView):
    """Challenges the caller reads (``reads_intake_answers``, as a query)."""

    model = Challenge
    serializer_class = s.ChallengeSerializer
    filterset_fields = ["person"]

    def visible(self) -> QuerySet[Challenge]:
        return Challenge.objects.filter(programme=self.programme).filter(
            readable_answers_q(self.request.user, self.access, self.programme)
        )


def readable_answers_q(user: Any, access: Access, programme: Programme) -> Q:
    """``reads_intake_answers`` over every person at once (tests check they agree)."""
    if access.manages_programme or (
        "evaluator" in access.programme_roles and not intake_answers_private(programme)
    ):
        return Q()
    managed = [cid for cid, roles in access.cohort_roles.items() if "facilitator" in roles]
    people_managed = Membership.objects.filter(programme=programme, cohort_id__in=managed).values(
        "person_id"
    )
    return Q(person__user=user) | Q(person_id__in=people_managed)


class IntakeStatus(ProgrammeView):
    """Who was asked and answered (names only for those who read the answers)."""

    check = staticmethod(reads_everything)
    model = IntakeInvitation
    serializer_class = s.IntakeStatusSerializer
    pagination_class = None

    def get(self, request: Request, slug: str) -> Response:
        people = list(intake_people(self.programme).values_list("pk", flat=True))
        invitations = {
            i.person_id: i for i in IntakeInvitation.objects.filter(programme=self.programme)
        }
        answered = sum(1 for pk in people if pk in invitations and invitations[pk].submitted_at)
        intake = settings_for(self.programme)
        rows = None
        if lists_intake_names(self.access, self.programme):
            rows = [
                {
                    "person": pk,
                    "invited_at": getattr(invitations.get(pk), "sent_at", None),
                    "reminders": getattr(invitations.get(pk), "reminder_count", 0),
                    "answered_at": getattr(invitations.get(pk), "submitted_at", None),
                }
                for pk in people
            ]
        data = {
            "asked": len(people),
            "answered": answered,
            "deadline": intake.deadline,
            "is_private": intake.is_private,
            "people": rows,
        }
        return Response(s.IntakeStatusSerializer(data).data)


# ---------------------------------------------------------------- matching


class RunQueries(ProgrammeView):
    """Matching runs: facilitators of the run's cohort and evaluators."""

    check = staticmethod(reads_matching)
    model = MatchingRun
    serializer_class = s.MatchingRunSerializer
    filterset_fields = ["cohort", "kind", "status"]

    def visible(self) -> QuerySet[MatchingRun]:
        runs = MatchingRun.objects.filter(cohort__programme=self.programme).defer("result")
        if "evaluator" in self.access.programme_roles:
            return runs
        return runs.filter(cohort_id__in=_managed_cohort_ids(self.programme, self.access))


class RunList(RunQueries, generics.ListAPIView):
    pass


class RunDetail(RunQueries, DetailView):
    pass


def _managed_cohort_ids(programme: Programme, access: Access) -> list[int]:
    return [c.pk for c in manageable_cohorts(programme, access)]


def _my_group_ids(user: Any, programme: Programme) -> QuerySet[Any]:
    return GroupMember.objects.filter(group__cohort__programme=programme, person__user=user).values(
        "group_id"
    )


class GroupQueries(ProgrammeView):
    """Groups (``can_see_group``): members, their cohort's facilitators, evaluators."""

    model = Group
    serializer_class = s.GroupSerializer
    filterset_fields = ["cohort", "source_run"]

    def visible(self) -> QuerySet[Group]:
        groups = Group.objects.filter(cohort__programme=self.programme).prefetch_related(
            Prefetch("members", queryset=Person.objects.only("pk"))  # the page shows ids only
        )
        if "evaluator" in self.access.programme_roles:
            return groups
        return groups.filter(
            Q(cohort_id__in=_managed_cohort_ids(self.programme, self.access))
            | Q(pk__in=_my_group_ids(self.request.user, self.programme))
        )


class GroupList(GroupQueries, generics.ListAPIView):
    pass


class GroupDetail(GroupQueries, DetailView):
    pass


class PairList(ListView):
    """Published pairs: the two people, their cohort's facilitators, evaluators."""

    model = PublishedPair
    serializer_class = s.PairSerializer
    filterset_fields = ["cohort", "run"]

    def visible(self) -> QuerySet[PublishedPair]:
        pairs = PublishedPair.objects.filter(cohort__programme=self.programme)
        if "evaluator" in self.access.programme_roles:
            return pairs
        return pairs.filter(
            Q(cohort_id__in=_managed_cohort_ids(self.programme, self.access))
            | Q(a__user=self.request.user)
            | Q(b__user=self.request.user)
        )


# ---------------------------------------------------------------- surveys


class InstrumentQueries(ProgrammeView):
    check = staticmethod(reads_instruments)
    model = Instrument
    serializer_class = s.InstrumentSerializer
    filterset_fields = ["anonymity", "form_id"]

    def visible(self) -> QuerySet[Instrument]:
        return Instrument.objects.filter(programme=self.programme).defer("source_xlsx")


class InstrumentList(InstrumentQueries, generics.ListAPIView):
    pass


class InstrumentDetail(InstrumentQueries, DetailView):
    pass


class InstrumentXlsForm(InstrumentQueries):
    """The instrument as an XLSForm workbook (what the instruments page downloads)."""

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiTypes.BINARY
            ),
        }
    )
    def get(self, request: Request, slug: str, pk: int) -> HttpResponse:
        instrument = self.get_object()
        response = HttpResponse(write_xlsform(instrument.form), content_type=XLSX_TYPE)
        disposition = content_disposition_header(True, export_filename(instrument))
        response["Content-Disposition"] = disposition or "attachment"
        return response


def readable_surveys_q(access: Access) -> Q:
    """``reads_survey`` over every survey at once."""
    if access.manages_programme or "evaluator" in access.programme_roles:
        return Q()
    managed = [cid for cid, roles in access.cohort_roles.items() if "facilitator" in roles]
    return Q(cohort_id__in=managed)


class SurveyQueries(ProgrammeView):
    check = staticmethod(reads_instruments)
    model = Survey
    serializer_class = s.SurveySerializer
    filterset_fields = ["cohort", "instrument"]

    def visible(self) -> QuerySet[Survey]:
        return (
            Survey.objects.filter(programme=self.programme)
            .filter(readable_surveys_q(self.access))
            .select_related("instrument", "cohort")
        )


class SurveyList(SurveyQueries, generics.ListAPIView):
    pass


class SurveyDetail(SurveyQueries, DetailView):
    pass


class SurveyResponses(SurveyQueries):
    """The survey's answers exactly as its export gives them (``surveys/exports.py``):
    the same columns, k-suppression, pseudonyms and names only where the export
    shows them.  Rows come ``page_size`` at a time; ``next`` gives the next page."""

    serializer_class = s.ResponsesSerializer
    pagination_class = None
    extra_query_parameters = ("values", "headers", "split", "offset")

    @extend_schema(
        parameters=[
            OpenApiParameter("values", str, enum=["labels", "codes"]),
            OpenApiParameter("headers", str, enum=["names", "paths"]),
            OpenApiParameter("split", str, enum=["0", "1"]),
            OpenApiParameter("offset", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: s.ResponsesSerializer},
    )
    def get(self, request: Request, slug: str, pk: int) -> Response:
        from peerlearn.api.responses import responses_page

        self.filter_queryset(Survey.objects.none())  # refuses unknown parameters
        survey = self.get_object()
        return Response(responses_page(request, self.programme, self.access, survey))


# ---------------------------------------------------------------- delivery


class SessionQueries(ProgrammeView):
    model = Session
    serializer_class = s.SessionSerializer
    write_check = staticmethod(manages_any_cohort)
    filterset_fields = {
        "cohort": ["exact"],
        "status": ["exact"],
        "starts_at": ["gte", "lt"],
    }

    def visible(self) -> QuerySet[Session]:
        return delivery.visible_sessions(self.request.user, self.programme, self.access)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            _attach_group_ids(page)
        return page


def _attach_group_ids(sessions: list[Session]) -> None:
    """Each session's group ids in one query of (session, group) pairs: a session
    for 2,000 groups cost 2,000 Group rows through ``prefetch_related``."""
    ids: dict[int, list[int]] = {s.pk: [] for s in sessions}
    pairs = Session.groups.through.objects.filter(session_id__in=list(ids)).order_by(
        "group__name", "group_id"
    )
    for session_id, group_id in pairs.values_list("session_id", "group_id"):
        ids[session_id].append(group_id)
    for session in sessions:
        session.group_ids = ids[session.pk]  # type: ignore[attr-defined]


class SessionList(SessionQueries, generics.ListAPIView):
    """Sessions the caller is invited to or facilitates; cohort facilitators plan (POST)."""

    @extend_schema(
        request=s.SessionWriteSerializer,
        responses={201: s.PlannedSessionsSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        cohorts = manageable_cohorts(self.programme, self.access)
        data = _checked(s.SessionWriteSerializer, request)
        form = PlanForm(data, programme=self.programme, cohorts=cohorts)
        _valid_or_400(form)
        plan = form.plan()
        try:
            planned = delivery.plan_sessions(self.programme, plan)
        except rhythm.RecurrenceError as error:
            raise exceptions.ValidationError(
                {"rule": [delivery.recurrence_message(error)]}, code="invalid"
            ) from error
        audit.record(
            "session.plan",
            request=request,
            programme=self.programme,
            target=planned[0],
            detail={"sessions": len(planned), "cohort": plan.cohort.pk, "via": "api"},
        )
        body = s.SessionSerializer(planned, many=True).data
        return Response({"sessions": body}, status=status.HTTP_201_CREATED)


class SessionDetail(SessionQueries, DetailView):
    pass


# ---------------------------------------------------------------- progress


def progress_groups_q(user: Any, access: Access, programme: Programme) -> Q | None:
    """``can_see_progress`` over every group at once; ``None``: every group of the programme.

    Not an empty ``Q()`` for "every group": ``Q() | other`` is ``other`` in
    Django, so a programme facilitator would have seen only what they review.
    """
    if access.manages_programme or evaluator_reads(access, programme):
        return None
    return Q(group__cohort_id__in=_managed_cohort_ids(programme, access)) | Q(
        group_id__in=_my_group_ids(user, programme)
    )


class CheckInList(ListView):
    """Check-ins of the groups whose progress the caller reads."""

    model = CheckIn
    serializer_class = s.CheckInSerializer
    filterset_fields = ["group", "round"]

    def visible(self) -> QuerySet[CheckIn]:
        check_ins = CheckIn.objects.filter(group__cohort__programme=self.programme)
        groups = progress_groups_q(self.request.user, self.access, self.programme)
        return check_ins if groups is None else check_ins.filter(groups)


class ProductList(ListView):
    """Products the caller reads: the group's readers and the product's reviewers."""

    model = Product
    serializer_class = s.ProductSerializer
    filterset_fields = ["group", "kind", "state"]

    def visible(self) -> QuerySet[Product]:
        products = Product.objects.filter(group__cohort__programme=self.programme)
        groups = progress_groups_q(self.request.user, self.access, self.programme)
        if groups is None:
            return products
        return products.filter(groups | Q(reviews__reviewer__user=self.request.user)).distinct()


class ObjectiveList(ListView):
    """Learning objectives (``reads_objectives_of``): the person, their facilitators;
    a group's: its members and its cohort's facilitators.  Never evaluators."""

    model = LearningObjective
    serializer_class = s.ObjectiveSerializer
    filterset_fields = ["person", "group"]

    def visible(self) -> QuerySet[LearningObjective]:
        objectives = LearningObjective.objects.filter(programme=self.programme)
        if self.access.manages_programme:
            return objectives
        managed = _managed_cohort_ids(self.programme, self.access)
        user = self.request.user
        people_managed = Membership.objects.filter(
            programme=self.programme, cohort_id__in=managed
        ).values("person_id")
        return objectives.filter(
            Q(group__isnull=True, person__user=user)
            | Q(group__isnull=True, person_id__in=people_managed)
            | Q(group__cohort_id__in=managed)
            | Q(group_id__in=_my_group_ids(user, self.programme))
        )


# ---------------------------------------------------------------- helpers


def _checked(serializer_class: Any, request: Request) -> dict[str, Any]:
    """The body checked for types and ranges (the schema's promise), then as form data.

    The page's form decides everything else; this only keeps out what a form
    was never sent from a browser (a 30-digit id, a list for a name).
    """
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"": [_("Send a JSON object.")]}, code="invalid")
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    return _form_data(dict(incoming.validated_data))


def _form_data(data: Any) -> dict[str, Any]:
    """JSON (or form) data as a Django form reads it: lists stay lists, None is empty."""
    if not isinstance(data, dict):
        if hasattr(data, "lists"):
            return {key: values if len(values) > 1 else values[0] for key, values in data.lists()}
        raise exceptions.ValidationError({"": [_("Send a JSON object.")]}, code="invalid")
    out: dict[str, Any] = {}
    for key, value in data.items():
        # Forms read a missing value as empty; booleans and lists they read as given.
        if value is not None:
            out[key] = value
    return out


def _valid_or_400(form: Any) -> None:
    if not form.is_valid():
        errors = {
            (name if name != "__all__" else ""): [str(m) for m in messages]
            for name, messages in form.errors.items()
        }
        raise exceptions.ValidationError(errors, code="invalid")

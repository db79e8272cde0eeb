"""What each API resource shows.  Dates and times are ISO 8601 (DRF's default),
ids are the database ids the pages use in their addresses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from peerlearn.delivery.models import Session
from peerlearn.intake.models import Challenge
from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.objectives.models import LearningObjective
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Cohort, Group, Membership, Programme
from peerlearn.progress.models import CheckIn, Product
from peerlearn.surveys.models import Instrument, Survey

#: The largest id a database row may have (a 64-bit integer); larger ones are 400.
ID_MAX = 2**63 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "slug", "name", "purpose", "stage", "start", "end", "languages"]


class CohortSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name", "kind", "start", "end", "place", "online"]


class CohortWriteSerializer(serializers.Serializer):
    """The cohort page's form fields (the form itself validates)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=["event", "in_country", "module"], default="event")
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online = serializers.BooleanField(required=False, default=False)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "country", "kind"]


class PersonSerializer(serializers.ModelSerializer):
    """``email`` is null unless the caller facilitates one of the person's cohorts
    or the programme (``Access.sees_contact_of``), as on the people pages."""

    email = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "email",
            "organisation",
            "country",
            "role_title",
            "seniority",
            "languages",
            "is_external",
            "is_alumni",
            "consent_to_contact",
        ]

    @extend_schema_field(OpenApiTypes.EMAIL)
    def get_email(self, person: Person) -> str | None:
        access = self.context["access"]
        cohort_ids = [m.cohort_id for m in getattr(person, "here", [])]
        return person.email if access.sees_contact_of(cohort_ids) else None

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["email"].allow_null = True
        return fields


class PersonWriteSerializer(serializers.Serializer):
    """The person page's form fields (the form itself validates)."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    organisation = id_field(required=False, allow_null=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    role_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    seniority = serializers.CharField(max_length=20, required=False, allow_blank=True)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    gender = serializers.CharField(max_length=64, required=False, allow_blank=True)
    is_external = serializers.BooleanField(required=False, default=False)
    is_alumni = serializers.BooleanField(required=False, default=False)
    consent_to_contact = serializers.BooleanField(required=False, default=False)


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "person", "cohort", "role", "created_at"]


class ChallengeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Challenge
        fields = ["id", "person", "position", "text", "tags", "created_at", "updated_at"]


class IntakePersonSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    invited_at = serializers.DateTimeField(allow_null=True)
    reminders = serializers.IntegerField()
    answered_at = serializers.DateTimeField(allow_null=True)


class IntakeStatusSerializer(serializers.Serializer):
    """Counts for every reader; who answered only for those who read the answers."""

    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    deadline = serializers.DateTimeField(allow_null=True)
    is_private = serializers.BooleanField()
    people = IntakePersonSerializer(many=True, allow_null=True)


class MatchingRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = MatchingRun
        fields = [
            "id",
            "cohort",
            "kind",
            "status",
            "parameters",
            "seed",
            "quality",
            "version",
            "created_at",
            "finished_at",
            "published_at",
        ]


class GroupSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Group
        fields = ["id", "cohort", "name", "source_run", "archived_at", "members"]


class PairSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishedPair
        fields = ["id", "run", "cohort", "label", "a", "b"]


class InstrumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        fields = [
            "id",
            "title",
            "form_id",
            "version",
            "builtin",
            "anonymity",
            "min_respondents",
            "created_at",
        ]


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = [
            "id",
            "instrument",
            "cohort",
            "title",
            "opens_at",
            "closes_at",
            "cancelled_at",
            "created_at",
        ]


class ResponsesSerializer(serializers.Serializer):
    """The survey's export, as JSON: the same columns, rows and suppression."""

    survey = serializers.IntegerField()
    responses = serializers.IntegerField()
    k = serializers.IntegerField()
    suppressed = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    next = serializers.CharField(allow_null=True)


class SessionSerializer(serializers.ModelSerializer):
    """``groups`` are ids, by group name: read for a whole page at once when the list
    view attached them (``group_ids``), else from the session."""

    groups = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "cohort",
            "series",
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "place",
            "online_link",
            "format",
            "plenary",
            "status",
            "groups",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_groups(self, session: Session) -> list[int]:
        ids = getattr(session, "group_ids", None)
        if ids is None:
            ids = list(session.groups.order_by("name", "pk").values_list("pk", flat=True))
        return ids


class SessionWriteSerializer(serializers.Serializer):
    """The session planning page's form fields (the form itself validates)."""

    cohort = id_field()
    title = serializers.CharField(max_length=200)
    day = serializers.DateField()
    start = serializers.TimeField()
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    time_zone = serializers.CharField(max_length=64)
    repeat = serializers.CharField(required=False, default="none")
    count = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
    rule = serializers.CharField(required=False, allow_blank=True, max_length=300)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    online_link = serializers.URLField(required=False, allow_blank=True)
    format = id_field(required=False, allow_null=True)
    groups = serializers.ListField(child=id_field(), required=False)
    facilitators = serializers.ListField(child=id_field(), required=False)


class PlannedSessionsSerializer(serializers.Serializer):
    sessions = SessionSerializer(many=True)


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = [
            "id",
            "round",
            "group",
            "completed",
            "achieved",
            "stuck",
            "help_peers",
            "help_authoriser",
            "help_training",
            "next_steps",
            "progress",
            "version",
            "created_at",
            "updated_at",
        ]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "group", "title", "kind", "due_date", "state", "created_at"]


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = LearningObjective
        fields = [
            "id",
            "person",
            "group",
            "statement",
            "why",
            "success_sign",
            "start_rating",
            "locked_at",
            "achievement",
            "rated_at",
            "created_at",
        ]

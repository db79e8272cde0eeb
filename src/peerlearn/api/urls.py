"""Addresses of the REST API (``/api/v1/``), its schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from peerlearn.api import feeds, metadata, pages, views
from peerlearn.api.errors import not_found

app_name = "api"

P = "v1/programmes/<slug:slug>/"
F = "v1/feeds/"
S = F + "surveys/<int:pk>/"

v1 = [
    path("v1/programmes/", views.ProgrammeList.as_view(), name="programmes"),
    path(P, views.ProgrammeDetail.as_view(), name="programme"),
    path(P + "cohorts/", views.CohortList.as_view(), name="cohorts"),
    path(P + "cohorts/<int:pk>/", views.CohortDetail.as_view(), name="cohort"),
    path(P + "people/", views.PeopleList.as_view(), name="people"),
    path(P + "people/<int:pk>/", views.PersonDetail.as_view(), name="person"),
    path(P + "organisations/", views.OrganisationList.as_view(), name="organisations"),
    path(P + "memberships/", views.MembershipList.as_view(), name="memberships"),
    path(P + "challenges/", views.ChallengeList.as_view(), name="challenges"),
    path(P + "intake/", views.IntakeStatus.as_view(), name="intake"),
    path(P + "matching-runs/", views.RunList.as_view(), name="runs"),
    path(P + "matching-runs/<int:pk>/", views.RunDetail.as_view(), name="run"),
    path(P + "groups/", views.GroupList.as_view(), name="groups"),
    path(P + "groups/<int:pk>/", views.GroupDetail.as_view(), name="group"),
    path(P + "pairs/", views.PairList.as_view(), name="pairs"),
    path(P + "instruments/", views.InstrumentList.as_view(), name="instruments"),
    path(P + "instruments/<int:pk>/", views.InstrumentDetail.as_view(), name="instrument"),
    path(
        P + "instruments/<int:pk>/xlsform/",
        views.InstrumentXlsForm.as_view(),
        name="instrument_xlsform",
    ),
    path(P + "surveys/", views.SurveyList.as_view(), name="surveys"),
    path(P + "surveys/<int:pk>/", views.SurveyDetail.as_view(), name="survey"),
    path(
        P + "surveys/<int:pk>/responses/",
        views.SurveyResponses.as_view(),
        name="survey_responses",
    ),
    path(P + "sessions/", views.SessionList.as_view(), name="sessions"),
    path(P + "sessions/<int:pk>/", views.SessionDetail.as_view(), name="session"),
    path(P + "check-ins/", views.CheckInList.as_view(), name="check_ins"),
    path(P + "products/", views.ProductList.as_view(), name="products"),
    path(P + "objectives/", views.ObjectiveList.as_view(), name="objectives"),
    # Flat feeds for BI tools (api/feeds.py): the data package's tables, CSV and JSON.
    path(F, feeds.FeedIndex.as_view(), name="feeds"),
    path(S + "responses.csv", feeds.SurveyFeedCsv.as_view(), name="survey_feed_csv"),
    path(S + "responses.json", feeds.SurveyFeedJson.as_view(), name="survey_feed_json"),
    path(S + "repeats/<str:repeat>.csv", feeds.RepeatFeedCsv.as_view(), name="repeat_feed_csv"),
    path(S + "repeats/<str:repeat>.json", feeds.RepeatFeedJson.as_view(), name="repeat_feed_json"),
    path(F + "<slug:slug>/<slug:table>.csv", feeds.TableFeedCsv.as_view(), name="feed_csv"),
    path(F + "<slug:slug>/<slug:table>.json", feeds.TableFeedJson.as_view(), name="feed_json"),
    path(F + "<slug:slug>/$metadata", metadata.FeedMetadata.as_view(), name="feed_metadata"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "v1/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]

urlpatterns = [
    path("api/", include(v1)),
    path("accounts/api-tokens/", pages.tokens, name="tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", pages.revoke, name="token_revoke"),
    # Anything else under /api/ is a 404 in the API's error shape, not an HTML page.
    re_path(r"^api/", not_found, name="not_found"),
]

from django.urls import URLPattern, path, re_path

from peerlearn.surveys import (
    views_answer,
    views_imports,
    views_instruments,
    views_results,
    views_surveys,
)

app_name = "surveys"

P = "programmes/<slug:slug>/surveys/"
I = P + "instruments/"  # noqa: E741 - a prefix, read beside P
R = r"^programmes/(?P<slug>[-\w]+)/surveys/"

urlpatterns: list[URLPattern] = [
    # Instruments (views_instruments)
    path(I, views_instruments.instruments, name="instruments"),
    path(I + "import/", views_instruments.instrument_import, name="instrument_import"),
    path(I + "builtin/", views_instruments.instrument_install, name="instrument_install"),
    path(I + "<int:pk>/", views_instruments.instrument, name="instrument"),
    path(
        I + "<int:pk>/settings/", views_instruments.instrument_settings, name="instrument_settings"
    ),
    re_path(
        R + r"instruments/(?P<pk>\d+)/xlsform\.xlsx$",
        views_instruments.instrument_export,
        name="instrument_export",
    ),
    # Scheduling and progress (views_surveys)
    path(P, views_surveys.surveys, name="surveys"),
    path(P + "new/", views_surveys.survey_new, name="survey_new"),
    path(P + "<int:pk>/", views_surveys.survey, name="survey"),
    path(P + "<int:pk>/edit/", views_surveys.survey_edit, name="survey_edit"),
    path(P + "<int:pk>/send/", views_surveys.survey_send, name="survey_send"),
    path(P + "<int:pk>/control/", views_surveys.survey_control, name="survey_control"),
    path(P + "<int:pk>/cancel/", views_surveys.survey_cancel, name="survey_cancel"),
    # Results and exports (views_results)
    path(P + "<int:pk>/results/", views_results.results, name="results"),
    path(P + "compare/", views_results.compare, name="compare"),
    re_path(R + r"(?P<pk>\d+)/export\.(?P<fmt>csv|xlsx)$", views_results.export, name="export"),
    re_path(
        R + r"(?P<pk>\d+)/export\.(?P<fmt>sav|dta)$",
        views_results.export,
        name="export_statistical",
    ),
    re_path(
        R + r"(?P<pk>\d+)/codebook\.(?P<fmt>csv|xlsx)$",
        views_results.codebook,
        name="codebook",
    ),
    # Answers collected in KoboToolbox or ODK (views_imports)
    path(P + "<int:pk>/import/", views_imports.response_import, name="response_import"),
    path(
        P + "<int:pk>/import/<int:upload_id>/",
        views_imports.response_import_preview,
        name="response_import_preview",
    ),
    # Answering (views_answer): personal links need no account.
    path("s/<int:survey_id>/<str:token>/", views_answer.answer, name="answer"),
    path("s/<int:survey_id>/<str:token>/save/", views_answer.answer_save, name="answer_save"),
    path("me/surveys/", views_answer.my_surveys, name="my_surveys"),
    path("me/surveys/<int:pk>/open/", views_answer.my_survey_open, name="my_survey_open"),
]

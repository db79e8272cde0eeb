from django.urls import URLPattern, path, re_path

from peerlearn.intake import topic_views, views

app_name = "intake"

P = "programmes/<slug:slug>/intake/"
T = "programmes/<slug:slug>/topics/"

urlpatterns: list[URLPattern] = [
    path("intake/<str:token>/", views.answer, name="answer"),
    path(P, views.status, name="status"),
    path(P + "settings/", views.settings_update, name="settings"),
    path(P + "invite/", views.invite, name="invite"),
    path(P + "remind/", views.remind, name="remind"),
    path(P + "people/<int:person_id>/", views.person_answers, name="person"),
    path(P + "people/<int:person_id>/enter/", views.enter_on_behalf, name="on_behalf"),
    path(T, topic_views.topics, name="topics"),
    path(T + "print/", topic_views.topics_print, name="topics_print"),
    path(T + "curate/", topic_views.curate, name="topics_curate"),
    path(T + "propose/", topic_views.propose, name="topics_propose"),
    re_path(
        r"^programmes/(?P<slug>[-\w]+)/topics/baseline\.(?P<fmt>csv|xlsx)$",
        topic_views.topics_export,
        name="topics_export",
    ),
]

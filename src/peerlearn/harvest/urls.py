from django.urls import path

from peerlearn.harvest import views

app_name = "harvest"

P = "programmes/<slug:slug>/stories/"

urlpatterns = [
    path(P, views.story_list, name="list"),
    path(P + "new/", views.story_new, name="new"),
    path(P + "<int:story_id>/", views.story_detail, name="story"),
    path(P + "<int:story_id>/edit/", views.story_edit, name="edit"),
    path(P + "<int:story_id>/evidence/", views.evidence_add, name="evidence_add"),
    path(
        P + "<int:story_id>/evidence/<int:evidence_id>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path(P + "<int:story_id>/exchanges/", views.story_exchanges, name="exchanges"),
    path(P + "<int:story_id>/substantiators/", views.substantiator_add, name="substantiator_add"),
    path(P + "reach/", views.reach, name="reach"),
    path(P + "responses/", views.responses, name="responses"),
    path("substantiate/<str:token>/", views.substantiate, name="substantiate"),
]

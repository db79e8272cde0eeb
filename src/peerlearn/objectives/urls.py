from django.urls import path

from peerlearn.objectives import views
from peerlearn.objectives import views_authorisations as auth
from peerlearn.objectives import views_board as board

app_name = "objectives"

P = "programmes/<slug:slug>/objectives/"

urlpatterns = [
    path(P, views.my_objectives, name="mine"),
    path(P + "<int:objective_id>/edit/", views.objective_edit, name="edit"),
    path(P + "<int:objective_id>/rate/", views.objective_rate, name="rate"),
    path(P + "<int:objective_id>/review/", views.objective_review, name="review"),
    path(P + "all/", views.objectives_overview, name="overview"),
    path(P + "dates/", views.objectives_settings, name="settings"),
    path(P + "lock/", views.objectives_lock, name="lock"),
    path(P + "summary/", views.objectives_summary, name="summary"),
    path(P + "outcomes/", views.outcomes, name="outcomes"),
    path(P + "outcomes/<int:outcome_id>/review/", views.outcome_review, name="outcome_review"),
    path(P + "authorisations/", auth.authorisations, name="authorisations"),
    path(
        P + "authorisations/group/<int:group_id>/",
        auth.authorisation_for_group,
        name="authorisation_group",
    ),
    path(
        P + "authorisations/person/<int:person_id>/",
        auth.authorisation_for_person,
        name="authorisation_person",
    ),
    path(P + "authorisations/<int:pk>/", auth.authorisation_edit, name="authorisation"),
    path(P + "authorisations/<int:pk>/letter.<str:fmt>", auth.letter, name="letter"),
    path(P + "authorisations/<int:pk>/signed/upload/", auth.signed_upload, name="signed_upload"),
    path(P + "authorisations/<int:pk>/signed/", auth.signed_download, name="signed_download"),
    path(P + "risks/", auth.risks, name="risks"),
    path(P + "risks/starting-list/", auth.risks_starting_list, name="risks_seed"),
    path(P + "risks/<int:pk>/", auth.risk_edit, name="risk_edit"),
    path(P + "board/<int:cohort_id>/", board.progress_board, name="board"),
    path(P + "board/<int:cohort_id>/settings/", board.board_settings, name="board_settings"),
]

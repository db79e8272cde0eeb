from django.urls import path

from peerlearn.matching import views

app_name = "matching"

P = "programmes/<slug:slug>/"

urlpatterns = [
    path(P + "cohorts/<int:cohort_id>/runs/", views.runs, name="runs"),
    path(
        P + "cohorts/<int:cohort_id>/runs/new/<str:kind>/",
        views.run_new,
        name="run_new",
    ),
    path(P + "runs/<int:run_id>/", views.run_detail, name="run"),
    path(P + "runs/<int:run_id>/move/", views.run_move, name="run_move"),
    path(P + "runs/<int:run_id>/swap/", views.run_swap, name="run_swap"),
    path(P + "runs/<int:run_id>/rename/", views.run_rename, name="run_rename"),
    path(P + "runs/<int:run_id>/export/", views.run_export, name="run_export"),
    path(P + "runs/<int:run_id>/lock/", views.run_lock, name="run_lock"),
    path(P + "runs/<int:run_id>/repair/", views.run_repair, name="run_repair"),
    path(P + "runs/<int:run_id>/rerun/", views.run_rerun, name="run_rerun"),
    path(P + "runs/<int:run_id>/publish/", views.run_publish, name="run_publish"),
    path(P + "runs/<int:run_id>/compare/", views.compare, name="compare"),
    path(P + "move-requests/<int:request_id>/decide/", views.request_decide, name="request_decide"),
    path(P + "cohorts/<int:cohort_id>/my-group/", views.my_group, name="my_group"),
    path(
        P + "cohorts/<int:cohort_id>/my-group/ask-to-move/", views.move_request, name="move_request"
    ),
    path(P + "cohorts/<int:cohort_id>/my-pair/", views.my_pair, name="my_pair"),
]

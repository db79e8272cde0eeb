from django.urls import path

from peerlearn.experiments import views, views_dual

app_name = "experiments"

P = "programmes/<slug:slug>/experiments/"

urlpatterns = [
    path(P, views.experiment_list, name="list"),
    path(P + "new/", views.experiment_new, name="new"),
    path(P + "<int:pk>/", views.experiment_detail, name="detail"),
    path(P + "<int:pk>/arms/new/", views.arm_new, name="arm_new"),
    path(P + "<int:pk>/outcomes/new/", views.outcome_new, name="outcome_new"),
    path(P + "<int:pk>/assign/", views.assign, name="assign"),
    path(P + "dual-tracking/", views_dual.dual_tracking, name="dual"),
]

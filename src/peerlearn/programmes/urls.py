from django.urls import path

from peerlearn.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("programmes/new/", views.programme_create, name="create"),
    path("programmes/<slug:slug>/", views.programme_detail, name="detail"),
    path("programmes/<slug:slug>/edit/", views.programme_edit, name="edit"),
    path("programmes/<slug:slug>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path(
        "programmes/<slug:slug>/cohorts/<int:cohort_id>/edit/",
        views.cohort_edit,
        name="cohort_edit",
    ),
    path("programmes/<slug:slug>/groups/<int:group_id>/", views.group_detail, name="group"),
]

from django.urls import path, re_path

from peerlearn.roster import me, views

app_name = "people"

P = "programmes/<slug:slug>/people/"

urlpatterns = [
    path("me/", me.my_profile, name="me"),
    path("programmes/<slug:slug>/my-challenges/", me.my_challenges, name="my_challenges"),
    path(P, views.people_list, name="list"),
    path(P + "new/", views.person_create, name="create"),
    path(P + "<int:person_id>/", views.person_detail, name="detail"),
    path(P + "<int:person_id>/edit/", views.person_edit, name="edit"),
    path(P + "<int:person_id>/invite/", views.invite_one, name="invite_one"),
    path(P + "<int:person_id>/roles/", views.role_add, name="role_add"),
    path(
        P + "<int:person_id>/roles/<int:membership_id>/remove/",
        views.role_remove,
        name="role_remove",
    ),
    path(P + "invite/", views.invite, name="invite"),
    path(P + "import/", views.roster_import, name="import"),
    path(P + "import/<int:upload_id>/", views.roster_import_preview, name="import_preview"),
    re_path(
        r"^programmes/(?P<slug>[-\w]+)/people/template\.(?P<fmt>csv|xlsx)$",
        views.roster_template,
        name="template",
    ),
    re_path(
        r"^programmes/(?P<slug>[-\w]+)/people/export\.(?P<fmt>csv|xlsx)$",
        views.roster_export,
        name="export",
    ),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_edit, name="organisation_create"),
    path("organisations/<int:organisation_id>/", views.organisation_edit, name="organisation_edit"),
]

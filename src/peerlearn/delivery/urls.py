from django.urls import URLPattern, path

from peerlearn.delivery import views

app_name = "delivery"

P = "programmes/<slug:slug>/sessions/"

urlpatterns: list[URLPattern] = [
    path(P, views.sessions, name="sessions"),
    path(P + "new/", views.session_new, name="session_new"),
    path(P + "<int:pk>/", views.session, name="session"),
    path(P + "<int:pk>/edit/", views.session_edit, name="session_edit"),
    path(P + "<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path(P + "<int:pk>/rsvp/", views.session_rsvp, name="session_rsvp"),
    path(P + "<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path(P + "<int:pk>/session.ics", views.session_ics, name="session_ics"),
    path(P + "formats/", views.formats_list, name="formats"),
    path(P + "formats/<int:pk>/", views.format_edit, name="format_edit"),
    path("me/calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]

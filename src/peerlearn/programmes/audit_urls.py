from django.urls import path

from peerlearn.programmes import audit_views as views

app_name = "audit"

urlpatterns = [
    path("audit/", views.site_log, name="site_log"),
    path("audit.csv", views.site_log_csv, name="site_log_csv"),
    path("programmes/<slug:slug>/audit/", views.programme_log, name="programme_log"),
    path("programmes/<slug:slug>/audit.csv", views.programme_log_csv, name="programme_log_csv"),
]

from django.urls import path

from peerlearn.evidence import views, views_package

app_name = "evidence"

P = "programmes/<slug:slug>/evidence/"

urlpatterns = [
    path(P + "package/", views_package.package, name="package"),
    path(P + "package/new/", views_package.package_start, name="package_start"),
    path(P + "package/<int:pk>/", views_package.package_status, name="package_status"),
    path(P + "package/<int:pk>/zip/", views_package.package_download, name="package_download"),
    path(P + "dashboard/", views.dashboard, name="dashboard"),
    path(P + "report/", views.report, name="report"),
    path(P + "report.pdf", views.report_pdf, name="report_pdf"),
]

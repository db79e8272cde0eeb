from django.contrib import admin
from django.urls import include, path

from peerlearn.accounts.views import admin_sign_in

urlpatterns = [
    # The admin's login page, audited (before the admin's own URLs so it wins).
    path("admin/login/", admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    path("accounts/", include("peerlearn.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("peerlearn.roster.urls")),
    path("", include("peerlearn.intake.urls")),
    path("", include("peerlearn.matching.urls")),
    path("", include("peerlearn.surveys.urls")),
    path("", include("peerlearn.delivery.urls")),
    path("", include("peerlearn.progress.urls")),
    path("", include("peerlearn.theory.urls")),
    path("", include("peerlearn.programmes.audit_urls")),
    path("", include("peerlearn.objectives.urls")),
    path("", include("peerlearn.mel.urls")),
    path("", include("peerlearn.harvest.urls")),
    path("", include("peerlearn.evidence.urls")),
    path("", include("peerlearn.experiments.urls")),
    path("", include("peerlearn.api.urls")),
    path("", include("peerlearn.programmes.urls")),
]

from django.urls import path

from peerlearn.theory import views

app_name = "theory"

P = "programmes/<slug:slug>/theory/"

urlpatterns = [
    path(P, views.map_view, name="map"),
    path(P + "as-of/", views.as_of, name="as_of"),
    path(P + "edit/", views.edit, name="edit"),
    path(P + "propose/", views.propose, name="propose"),
    path(P + "share/", views.share, name="share"),
    path(P + "evidence/", views.evidence, name="evidence"),
    path(P + "revisions/", views.history, name="history"),
    path(P + "revisions/<int:number>/", views.revision_view, name="revision"),
    path(P + "revisions/<int:number>/approve/", views.approve, name="approve"),
]

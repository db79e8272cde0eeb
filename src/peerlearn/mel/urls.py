from django.urls import URLPattern, path

from peerlearn.mel import views, views_exchange, views_surveys

app_name = "mel"

P = "programmes/<slug:slug>/mel/"

urlpatterns: list[URLPattern] = [
    path(P, views.ledger, name="ledger"),
    path(P + "mine/", views.mine, name="mine"),
    path(P + "record/", views.record, name="record"),
    path(P + "<int:pk>/", views_exchange.exchange, name="exchange"),
    path(P + "<int:pk>/confirm/", views.confirm, name="confirm"),
    path(P + "from-surveys/", views_surveys.from_survey, name="from_survey"),
    path(P + "people/<int:pk>/", views.person, name="person"),
    path(P + "pairs/<int:a>/<int:b>/", views.pair, name="pair"),
    path(P + "groups/<int:pk>/", views.group, name="group"),
    path(P + "groups/<int:pk>/learned/", views.group_learned, name="group_learned"),
    path(P + "organisations/<int:pk>/", views.organisation, name="organisation"),
    path(P + "network/", views.network_page, name="network"),
    path(P + "network.<str:fmt>", views.network_export, name="network_export"),
]

from django.contrib.auth.views import LogoutView
from django.urls import path

from peerlearn.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("link/", views.link_request, name="link_request"),
    path("link/<str:token>/", views.link_redeem, name="link"),
]

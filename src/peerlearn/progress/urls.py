from django.urls import path

from peerlearn.progress import views

app_name = "progress"

P = "programmes/<slug:slug>/progress/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(P + "settings/", views.progress_settings, name="settings"),
    path(P + "rounds/new/", views.round_new, name="round_new"),
    path(P + "groups/<int:group_id>/", views.group_progress, name="group"),
    path(
        P + "groups/<int:group_id>/rounds/<int:round_id>/",
        views.check_in,
        name="check_in",
    ),
    path(P + "check-ins/<int:check_in_id>/versions/", views.check_in_versions, name="versions"),
    path(P + "problems/", views.problems, name="problems"),
    path(P + "problems/propose/", views.problems_propose, name="problems_propose"),
    path(P + "problems/<int:problem_id>/status/", views.problem_status, name="problem_status"),
    path(P + "working-groups/new/", views.working_group_new, name="working_group_new"),
    path(P + "training/", views.training, name="training"),
    path(P + "groups/<int:group_id>/products/new/", views.product_new, name="product_new"),
    path(P + "products/<int:product_id>/", views.product_detail, name="product"),
    path(P + "products/<int:product_id>/versions/new/", views.version_new, name="version_new"),
    path(
        P + "products/<int:product_id>/versions/<int:number>/file/",
        views.version_file,
        name="version_file",
    ),
    path(P + "products/<int:product_id>/move/", views.product_move, name="product_move"),
    path(P + "products/<int:product_id>/reviewers/", views.reviewers, name="reviewers"),
    path(P + "reviews/", views.my_reviews, name="my_reviews"),
    path(P + "reviews/<int:review_id>/", views.review, name="review"),
    path(P + "rubric/", views.rubric, name="rubric"),
    path(P + "rubric/<int:criterion_id>/delete/", views.criterion_delete, name="criterion_delete"),
]

from django.urls import path

from bluebox.patrols import views

urlpatterns = [
    path("", views.patrol_index, name="patrol-index"),
    path("sites/<int:site_id>/", views.site_calendar, name="patrol-site"),
    path("sites/<int:site_id>/generate/", views.plan_generate, name="patrol-generate"),
    path("sites/<int:site_id>/teams/", views.site_teams, name="patrol-site-teams"),
    path("sites/<int:site_id>/record/", views.record_new, name="patrol-record-new"),
    path("plans/<int:pk>/", views.plan_detail, name="patrol-plan"),
    path("plans/<int:pk>/progress/", views.plan_progress, name="patrol-plan-progress"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="patrol-plan-approve"),
    path("plans/<int:pk>/replan/", views.plan_replan, name="patrol-plan-replan"),
    path("plans/<int:pk>/override/", views.plan_override, name="patrol-plan-override"),
    path("plans/<int:pk>/orders.pdf", views.plan_orders_pdf, name="patrol-plan-orders"),
    path("records/<int:pk>/", views.record_detail, name="patrol-record"),
    path("records/<int:pk>/track/", views.record_track, name="patrol-record-track"),
    path(
        "records/<int:pk>/track.gpx",
        views.record_track_file,
        {"fmt": "gpx"},
        name="patrol-record-track-gpx",
    ),
    path(
        "records/<int:pk>/track.geojson",
        views.record_track_file,
        {"fmt": "geojson"},
        name="patrol-record-track-geojson",
    ),
]

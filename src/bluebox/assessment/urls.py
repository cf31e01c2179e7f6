from django.urls import path

from bluebox.assessment import indicator_views, views

urlpatterns = [
    path("", views.forms_page, name="assessment-forms"),
    path("forms/upload/", views.form_upload, name="assessment-form-upload"),
    path("forms/<int:pk>/", views.form_detail, name="assessment-form"),
    path("forms/<int:pk>/analysis/", views.form_analysis, name="assessment-form-analysis"),
    path("forms/<int:pk>/assign/", views.form_assign, name="assessment-form-assign"),
    path("forms/<int:pk>/import/", views.submissions_import, name="assessment-form-import"),
    path("forms/<int:pk>/status/", views.form_status, name="assessment-form-status"),
    path("forms/<int:pk>/source/", views.form_source, name="assessment-form-source"),
    path(
        "forms/<int:pk>/source/remove/",
        views.form_source_remove,
        name="assessment-form-source-remove",
    ),
    path("forms/<int:pk>/pull/", views.form_pull, name="assessment-form-pull"),
    path("pulls/<int:pk>/", views.pull_detail, name="assessment-pull"),
    path("pulls/<int:pk>/progress/", views.pull_progress, name="assessment-pull-progress"),
    path("versions/<int:pk>/media/", views.media_add, name="assessment-media-add"),
    path("submissions/<int:pk>/", views.submission_detail, name="assessment-submission"),
    path("collect/", views.collector_page, name="assessment-collect"),
    path("collect/<int:pk>/revoke/", views.collector_revoke, name="assessment-collect-revoke"),
    path("indicators/", indicator_views.dashboard, name="assessment-indicators"),
    path("indicators/export.csv", indicator_views.export_csv, name="assessment-indicators-csv"),
    path("indicators/factsheet.pdf", indicator_views.factsheet, name="assessment-factsheet"),
    path(
        "indicators/compute/<int:mission_pk>/",
        indicator_views.compute,
        name="assessment-indicators-compute",
    ),
    path(
        "indicators/<int:pk>/enter/", indicator_views.enter_value, name="assessment-indicator-enter"
    ),
]

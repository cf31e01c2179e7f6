from django.urls import path

from bluebox.assessment import views

urlpatterns = [
    path("", views.forms_page, name="assessment-forms"),
    path("forms/upload/", views.form_upload, name="assessment-form-upload"),
    path("forms/<int:pk>/", views.form_detail, name="assessment-form"),
    path("forms/<int:pk>/analysis/", views.form_analysis, name="assessment-form-analysis"),
    path("forms/<int:pk>/assign/", views.form_assign, name="assessment-form-assign"),
    path("forms/<int:pk>/status/", views.form_status, name="assessment-form-status"),
    path("versions/<int:pk>/media/", views.media_add, name="assessment-media-add"),
    path("submissions/<int:pk>/", views.submission_detail, name="assessment-submission"),
    path("collect/", views.collector_page, name="assessment-collect"),
    path("collect/<int:pk>/revoke/", views.collector_revoke, name="assessment-collect-revoke"),
]

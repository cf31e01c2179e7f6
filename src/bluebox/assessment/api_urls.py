from django.urls import path

from bluebox.assessment import api

urlpatterns = [
    path("assessment/forms/", api.FormList.as_view(), name="api-assessment-forms"),
    path("assessment/forms/upload/", api.FormUpload.as_view(), name="api-assessment-form-upload"),
    path("assessment/forms/<int:pk>/", api.FormDetail.as_view(), name="api-assessment-form"),
    path(
        "assessment/forms/<int:pk>/submissions/",
        api.FormSubmissions.as_view(),
        name="api-assessment-submissions",
    ),
    path(
        "assessment/forms/<int:pk>/submissions/import/",
        api.SubmissionsImport.as_view(),
        name="api-assessment-submissions-import",
    ),
]

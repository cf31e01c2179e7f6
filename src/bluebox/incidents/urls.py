from django.urls import path

from bluebox.incidents import views

urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("new/", views.incident_new, name="incident-new"),
    path("trends/", views.incident_trends, name="incident-trends"),
    path("export/<str:fmt>/", views.incident_export, name="incident-export"),
    path("import/", views.import_page, name="incident-import"),
    path("import/<int:pk>/", views.import_job_detail, name="incident-import-job"),
    path("import/<int:pk>/progress/", views.import_job_progress, name="incident-import-progress"),
    path("import/<int:pk>/errors.csv", views.import_job_errors, name="incident-import-errors"),
    path("people/<int:pk>/reveal/", views.protected_person_reveal, name="protected-person-reveal"),
    path("<int:pk>/", views.incident_detail, name="incident-detail"),
    path("<int:pk>/photos/<int:photo>/", views.incident_photo, name="incident-photo"),
    path("<int:pk>/verify/", views.incident_verify, name="incident-verify"),
    path("<int:pk>/void/", views.incident_void, name="incident-void"),
    path("<int:pk>/<str:step>/", views.incident_step, name="incident-step"),
]

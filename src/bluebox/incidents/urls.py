from django.urls import path

from bluebox.incidents import views

urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("new/", views.incident_new, name="incident-new"),
    path("export/<str:fmt>/", views.incident_export, name="incident-export"),
    path("people/<int:pk>/reveal/", views.protected_person_reveal, name="protected-person-reveal"),
    path("<int:pk>/", views.incident_detail, name="incident-detail"),
    path("<int:pk>/verify/", views.incident_verify, name="incident-verify"),
    path("<int:pk>/void/", views.incident_void, name="incident-void"),
    path("<int:pk>/<str:step>/", views.incident_step, name="incident-step"),
]

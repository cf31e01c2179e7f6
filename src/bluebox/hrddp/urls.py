from django.urls import path

from bluebox.hrddp import views

urlpatterns = [
    path("", views.units, name="hrddp-units"),
    path("calendar/", views.calendar, name="hrddp-calendar"),
    path("units/<int:pk>/", views.unit_detail, name="hrddp-unit"),
    path("units/<int:pk>/assess/", views.assessment_new, name="hrddp-assess"),
    path("units/<int:pk>/decide/", views.decision_new, name="hrddp-decide"),
    path("units/<int:pk>/link/", views.link_new, name="hrddp-link"),
    path("units/<int:pk>/override/", views.override_new, name="hrddp-override"),
    path("assessments/<int:pk>/mitigations/", views.mitigation_new, name="hrddp-mitigation-new"),
    path(
        "mitigations/<int:pk>/complete/",
        views.mitigation_complete,
        name="hrddp-mitigation-complete",
    ),
]

from django.urls import path

from bluebox.missions import views

urlpatterns = [
    path("missions/<int:pk>/settings/", views.mission_settings, name="mission-settings"),
    path(
        "missions/<int:pk>/definition.yaml",
        views.mission_definition_download,
        name="mission-definition",
    ),
]

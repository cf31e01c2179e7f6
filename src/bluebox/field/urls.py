from django.urls import path

from bluebox.field import views

urlpatterns = [
    path("", views.field_app, name="field-app"),
    path("manifest.webmanifest", views.manifest, name="field-manifest"),
]

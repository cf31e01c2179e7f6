from django.urls import path

from bluebox.field import api

urlpatterns = [
    path("field/session/", api.FieldSession.as_view(), name="api-field-session"),
    path("field/reference/", api.FieldReference.as_view(), name="api-field-reference"),
]

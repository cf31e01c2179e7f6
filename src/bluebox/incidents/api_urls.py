from django.urls import path

from bluebox.incidents import api

urlpatterns = [
    path("incidents/", api.IncidentListCreate.as_view(), name="api-incident-list"),
    path("incidents/<int:pk>/", api.IncidentDetail.as_view(), name="api-incident-detail"),
    path("incidents/<int:pk>/verify/", api.IncidentVerify.as_view(), name="api-incident-verify"),
    path("incidents/<int:pk>/void/", api.IncidentVoid.as_view(), name="api-incident-void"),
]

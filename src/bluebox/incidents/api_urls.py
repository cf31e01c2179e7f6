from django.urls import path

from bluebox.incidents import api

urlpatterns = [
    path("incidents/", api.IncidentListCreate.as_view(), name="api-incident-list"),
    path("incidents/export/<str:fmt>/", api.IncidentExport.as_view(), name="api-incident-export"),
    path("incidents/imports/", api.ImportJobListCreate.as_view(), name="api-import-job-list"),
    path(
        "incidents/imports/<int:pk>/", api.ImportJobDetail.as_view(), name="api-import-job-detail"
    ),
    path("incidents/<int:pk>/", api.IncidentDetail.as_view(), name="api-incident-detail"),
    path(
        "incidents/<int:pk>/photos/<int:photo>/",
        api.IncidentPhotoFile.as_view(),
        name="api-incident-photo",
    ),
    path("incidents/<int:pk>/verify/", api.IncidentVerify.as_view(), name="api-incident-verify"),
    path("incidents/<int:pk>/void/", api.IncidentVoid.as_view(), name="api-incident-void"),
    path("incidents/<int:pk>/respond/", api.IncidentRespond.as_view(), name="api-incident-respond"),
    path("incidents/<int:pk>/close/", api.IncidentClose.as_view(), name="api-incident-close"),
    path("incidents/<int:pk>/link/", api.IncidentLinkCreate.as_view(), name="api-incident-link"),
    path("incidents/<int:pk>/merge/", api.IncidentMergeCreate.as_view(), name="api-incident-merge"),
    path("incidents/<int:pk>/unmerge/", api.IncidentUnmerge.as_view(), name="api-incident-unmerge"),
    path("incidents/<int:pk>/primacy/", api.IncidentPrimacy.as_view(), name="api-incident-primacy"),
    path(
        "protected-people/",
        api.ProtectedPersonListCreate.as_view(),
        name="api-protected-person-list",
    ),
    path(
        "protected-people/<int:pk>/reveal/",
        api.ProtectedPersonReveal.as_view(),
        name="api-protected-person-reveal",
    ),
]

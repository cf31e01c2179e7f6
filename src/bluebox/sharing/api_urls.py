from django.urls import path

from bluebox.sharing import api

urlpatterns = [
    path("sharing/agreements/", api.AgreementList.as_view(), name="api-sharing-agreements"),
    path(
        "sharing/agreements/<int:pk>/", api.AgreementDetail.as_view(), name="api-sharing-agreement"
    ),
    path("sharing/received/", api.ReceivedList.as_view(), name="api-sharing-received"),
    path("sharing/extracts/", api.ExtractList.as_view(), name="api-sharing-extracts"),
    path("sharing/extracts/<int:pk>/", api.ExtractDetail.as_view(), name="api-sharing-extract"),
    path(
        "sharing/incidents/<int:pk>/disclosures/",
        api.DisclosureList.as_view(),
        name="api-sharing-disclosures",
    ),
]

from django.urls import path

from bluebox.missions import api

urlpatterns = [
    path("missions/", api.MissionList.as_view(), name="api-mission-list"),
    path("missions/<int:pk>/", api.MissionDetail.as_view(), name="api-mission-detail"),
    path("sectors/", api.SectorList.as_view(), name="api-sector-list"),
    path("sites/", api.FieldSiteList.as_view(), name="api-site-list"),
    path("sites/<int:pk>/", api.FieldSiteDetail.as_view(), name="api-site-detail"),
    path("partners/", api.PartnerList.as_view(), name="api-partner-list"),
]

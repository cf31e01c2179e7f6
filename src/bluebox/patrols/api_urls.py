from django.urls import path

from bluebox.patrols import api

urlpatterns = [
    path("patrols/teams/", api.TeamListCreate.as_view(), name="api-patrol-team-list"),
    path("patrols/plans/", api.PlanListCreate.as_view(), name="api-patrol-plan-list"),
    path("patrols/plans/<int:pk>/", api.PlanDetail.as_view(), name="api-patrol-plan-detail"),
    path(
        "patrols/plans/<int:pk>/approve/", api.PlanApprove.as_view(), name="api-patrol-plan-approve"
    ),
    path(
        "patrols/plans/<int:pk>/override/",
        api.PlanOverride.as_view(),
        name="api-patrol-plan-override",
    ),
    path("patrols/records/", api.RecordListCreate.as_view(), name="api-patrol-record-list"),
    path("patrols/records/<int:pk>/", api.RecordDetail.as_view(), name="api-patrol-record-detail"),
    path(
        "patrols/records/<int:pk>/track/", api.RecordTrack.as_view(), name="api-patrol-record-track"
    ),
]

from django.urls import path

from bluebox.guide import api

urlpatterns = [
    path("guide/answer/", api.Answer.as_view(), name="api-guide-answer"),
    path("guide/bundle/", api.RulesBundle.as_view(), name="api-guide-bundle"),
    path("guide/versions/", api.VersionList.as_view(), name="api-guide-versions"),
    path("guide/versions/new/", api.VersionPropose.as_view(), name="api-guide-propose"),
    path("guide/versions/<int:pk>/", api.VersionDetail.as_view(), name="api-guide-version"),
    path(
        "guide/versions/<int:pk>/approve/", api.VersionApprove.as_view(), name="api-guide-approve"
    ),
    path("guide/versions/<int:pk>/refuse/", api.VersionRefuse.as_view(), name="api-guide-refuse"),
]

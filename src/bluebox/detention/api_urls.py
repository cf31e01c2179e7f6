from django.urls import path

from bluebox.detention import api

urlpatterns = [
    path(
        "detention/apprehensions/",
        api.ApprehensionListCreate.as_view(),
        name="api-apprehension-list",
    ),
    path(
        "detention/apprehensions/<int:pk>/",
        api.ApprehensionDetail.as_view(),
        name="api-apprehension-detail",
    ),
    path(
        "detention/apprehensions/<int:pk>/reveal/",
        api.ApprehensionReveal.as_view(),
        name="api-apprehension-reveal",
    ),
    path(
        "detention/apprehensions/<int:pk>/assessments/",
        api.ApprehensionAssess.as_view(),
        name="api-apprehension-assess",
    ),
    path(
        "detention/apprehensions/<int:pk>/override/",
        api.ApprehensionOverride.as_view(),
        name="api-apprehension-override",
    ),
    path(
        "detention/apprehensions/<int:pk>/handover/",
        api.ApprehensionHandover.as_view(),
        name="api-apprehension-handover",
    ),
    path(
        "detention/apprehensions/<int:pk>/release/",
        api.ApprehensionRelease.as_view(),
        name="api-apprehension-release",
    ),
    path(
        "detention/apprehensions/<int:pk>/transfer/",
        api.ApprehensionTransfer.as_view(),
        name="api-apprehension-transfer",
    ),
    path(
        "detention/apprehensions/<int:pk>/void/",
        api.ApprehensionVoid.as_view(),
        name="api-apprehension-void",
    ),
    path("detention/breaches/", api.BreachList.as_view(), name="api-breach-list"),
    path(
        "detention/breaches/<int:pk>/explain/",
        api.BreachExplain.as_view(),
        name="api-breach-explain",
    ),
    path(
        "detention/notifications/",
        api.NotificationList.as_view(),
        name="api-detention-notifications",
    ),
    path("detention/evidence/", api.EvidenceCreate.as_view(), name="api-evidence-create"),
    path(
        "detention/evidence/<int:pk>/transfers/",
        api.EvidenceTransferOffer.as_view(),
        name="api-evidence-transfer",
    ),
    path(
        "detention/evidence/transfers/<int:pk>/accept/",
        api.EvidenceTransferAccept.as_view(),
        name="api-evidence-accept",
    ),
]

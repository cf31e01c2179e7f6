from django.urls import path

from bluebox.alerts import api

urlpatterns = [
    path(
        "alerts/gateway/<uuid:channel>/receive/",
        api.GatewayWebhook.as_view(),
        name="api-gateway-receive",
    ),
    path(
        "alerts/gateway/<uuid:channel>/status/",
        api.GatewayStatus.as_view(),
        name="api-gateway-status",
    ),
    path(
        "alerts/gateway/<uuid:channel>/sent/",
        api.GatewaySent.as_view(),
        name="api-gateway-sent",
    ),
    path(
        "alerts/gateway/<uuid:channel>/delivered/",
        api.GatewayDelivered.as_view(),
        name="api-gateway-delivered",
    ),
    path(
        "alerts/gateway/<uuid:channel>/failed/",
        api.GatewayFailed.as_view(),
        name="api-gateway-failed",
    ),
    path(
        "alerts/gateway/<uuid:channel>/stopped/",
        api.GatewayStopped.as_view(),
        name="api-gateway-stopped",
    ),
    path("alerts/", api.AlertList.as_view(), name="api-alert-list"),
    path("alerts/<int:pk>/", api.AlertDetail.as_view(), name="api-alert-detail"),
    path(
        "alerts/<int:pk>/acknowledge/",
        api.AlertAcknowledge.as_view(),
        name="api-alert-acknowledge",
    ),
    path("alerts/<int:pk>/respond/", api.AlertRespond.as_view(), name="api-alert-respond"),
    path("alerts/<int:pk>/close/", api.AlertClose.as_view(), name="api-alert-close"),
    path("alerts/<int:pk>/convert/", api.AlertConvert.as_view(), name="api-alert-convert"),
    path("alerts/<int:pk>/reply/", api.AlertReply.as_view(), name="api-alert-reply"),
    path("alerts/<int:pk>/forward/", api.AlertForward.as_view(), name="api-alert-forward"),
    path("alerts/<int:pk>/caller/reveal/", api.CallerReveal.as_view(), name="api-alert-caller"),
    path("cap/", api.CapListCreate.as_view(), name="api-cap-list"),
    path("cap/feed/", api.CapFeed.as_view(), name="api-cap-feed"),
    path("cap/<int:pk>/", api.CapDetail.as_view(), name="api-cap-detail"),
    path("cap/<int:pk>/xml/", api.CapDocument.as_view(), name="api-cap-xml"),
    path("cap/<int:pk>/publish/", api.CapPublish.as_view(), name="api-cap-publish"),
]

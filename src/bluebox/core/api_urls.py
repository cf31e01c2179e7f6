from django.urls import path

from bluebox.core import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", api.TokenList.as_view(), name="api-token-list"),
    path("auth/tokens/<int:pk>/", api.TokenRevoke.as_view(), name="api-token-revoke"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("audit/", api.AuditEntryList.as_view(), name="api-audit-list"),
]

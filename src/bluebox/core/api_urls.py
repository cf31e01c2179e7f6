from django.urls import path

from bluebox.core import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("audit/", api.AuditEntryList.as_view(), name="api-audit-list"),
]

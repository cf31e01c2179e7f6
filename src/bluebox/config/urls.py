"""URL map: web pages per domain app, the REST API under /api/v1/, and a minimal admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from bluebox.core.views import healthz

api_v1 = [
    path("", include("bluebox.core.api_urls")),
    path("", include("bluebox.missions.api_urls")),
    path("", include("bluebox.incidents.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", include("bluebox.core.urls")),
        path("", include("bluebox.missions.urls")),
        path("incidents/", include("bluebox.incidents.urls")),
        prefix_default_language=False,
    ),
]

handler404 = "bluebox.core.views.not_found"
handler500 = "bluebox.core.views.server_error"

"""URL map: web pages per domain app, the REST API under /api/v1/, and a minimal admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from bluebox.core.views import healthz, metrics, readyz, set_language
from bluebox.field.views import service_worker

api_v1 = [
    path("", include("bluebox.core.api_urls")),
    path("", include("bluebox.missions.api_urls")),
    path("", include("bluebox.incidents.api_urls")),
    path("", include("bluebox.alerts.api_urls")),
    path("", include("bluebox.forecasting.api_urls")),
    path("", include("bluebox.deployment.api_urls")),
    path("", include("bluebox.patrols.api_urls")),
    path("", include("bluebox.detention.api_urls")),
    path("", include("bluebox.hrddp.api_urls")),
    path("", include("bluebox.guide.api_urls")),
    path("", include("bluebox.field.api_urls")),
    path("", include("bluebox.assessment.api_urls")),
    path("", include("bluebox.sharing.api_urls")),
    path("", include("bluebox.evaluation.api_urls")),
    path("", include("bluebox.engagement.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    # The field app's service worker answers for every language's page, so it lives at the root.
    path("sw.js", service_worker, name="field-service-worker"),
    # The language switch keeps the choice on the account (core.views.set_language).
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    # ODK Collect's server URL is /openrosa/<mission>: outside the language prefix, no session.
    path("openrosa/", include("bluebox.assessment.openrosa_urls")),
    # The admin site signs people in through bluebox's own login (password, then second factor).
    path(
        "admin/login/",
        RedirectView.as_view(url=reverse_lazy("login"), query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", include("bluebox.core.urls")),
        path("", include("bluebox.overview.urls")),
        path("", include("bluebox.missions.urls")),
        path("incidents/", include("bluebox.incidents.urls")),
        path("alerts/", include("bluebox.alerts.urls")),
        path("forecast/", include("bluebox.forecasting.urls")),
        path("deployment/", include("bluebox.deployment.urls")),
        path("patrols/", include("bluebox.patrols.urls")),
        path("detention/", include("bluebox.detention.urls")),
        path("hrddp/", include("bluebox.hrddp.urls")),
        path("guide/", include("bluebox.guide.urls")),
        path("field/", include("bluebox.field.urls")),
        path("assessment/", include("bluebox.assessment.urls")),
        path("sharing/", include("bluebox.sharing.urls")),
        path("evaluation/", include("bluebox.evaluation.urls")),
        path("engagement/", include("bluebox.engagement.urls")),
        prefix_default_language=False,
    ),
]

handler400 = "bluebox.core.views.bad_request"
handler404 = "bluebox.core.views.not_found"
handler500 = "bluebox.core.views.server_error"

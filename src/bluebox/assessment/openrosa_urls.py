"""OpenRosa paths, relative to the server URL set in ODK Collect (``/openrosa/<mission>``)."""

from django.urls import path

from bluebox.assessment import openrosa

V = "<slug:mission>/forms/<str:form_id>/<str:version>/"
urlpatterns = [
    path("<slug:mission>/formList", openrosa.form_list, name="openrosa-form-list"),
    path(f"{V}form.xml", openrosa.form_download, name="openrosa-form"),
    path(f"{V}manifest", openrosa.manifest, name="openrosa-manifest"),
    path(f"{V}media/<str:filename>", openrosa.media, name="openrosa-media"),
    path("<slug:mission>/submission", openrosa.submission, name="openrosa-submission"),
]

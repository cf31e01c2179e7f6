from django.contrib.auth import views as auth_views
from django.urls import path

from bluebox.core import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit-log"),
    path("status/", views.system_status, name="system-status"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from bluebox.core import people, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit-log"),
    path("status/", views.system_status, name="system-status"),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_new, name="person-new"),
    path("people/<int:pk>/", people.person_detail, name="person-detail"),
    path("people/<int:pk>/roles/", people.person_role_grant, name="person-role-grant"),
    path(
        "people/<int:pk>/roles/<int:assignment_id>/revoke/",
        people.person_role_revoke,
        name="person-role-revoke",
    ),
    path(
        "people/<int:pk>/compartments/",
        people.person_compartment_grant,
        name="person-compartment-grant",
    ),
    path(
        "people/<int:pk>/compartments/<int:grant_id>/revoke/",
        people.person_compartment_revoke,
        name="person-compartment-revoke",
    ),
    path("people/<int:pk>/disable/", people.person_disable, name="person-disable"),
    path("people/<int:pk>/enable/", people.person_enable, name="person-enable"),
]

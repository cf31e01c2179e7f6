from django.contrib.auth import views as auth_views
from django.urls import path

from bluebox.core import downgrade_views, mfa_views, passkey_views, people, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/second-factor/", mfa_views.second_factor, name="login-second-factor"),
    path("login/enrol/", mfa_views.login_enrol, name="login-enrol"),
    path("account/password/", views.account_password, name="account-password"),
    path("account/security/", mfa_views.security, name="account-security"),
    path("account/security/totp/", mfa_views.security_enrol_totp, name="account-enrol-totp"),
    path(
        "account/security/recovery-codes/",
        mfa_views.security_recovery_codes,
        name="account-recovery-codes-new",
    ),
    path("account/security/remove/", mfa_views.security_remove, name="account-factor-remove"),
    path("account/recovery-codes/", mfa_views.recovery_codes, name="recovery-codes"),
    path("login/passkey/begin/", passkey_views.login_begin, name="passkey-login-begin"),
    path("login/passkey/complete/", passkey_views.login_complete, name="passkey-login-complete"),
    path(
        "account/passkeys/register/begin/",
        passkey_views.register_begin,
        name="passkey-register-begin",
    ),
    path(
        "account/passkeys/register/complete/",
        passkey_views.register_complete,
        name="passkey-register-complete",
    ),
    path(
        "account/step-up/passkey/begin/", passkey_views.step_up_begin, name="step-up-passkey-begin"
    ),
    path(
        "account/step-up/passkey/complete/",
        passkey_views.step_up_complete,
        name="step-up-passkey-complete",
    ),
    path("audit/", views.audit_log, name="audit-log"),
    path("status/", views.system_status, name="system-status"),
    path("reveal-alerts/", views.reveal_alerts, name="reveal-alerts"),
    path(
        "reveal-alerts/<int:pk>/acknowledge/",
        views.reveal_alert_acknowledge,
        name="reveal-alert-acknowledge",
    ),
    path("downgrades/", downgrade_views.downgrade_queue, name="downgrade-queue"),
    path(
        "downgrades/new/<str:record_type>/<int:pk>/",
        downgrade_views.downgrade_new,
        name="downgrade-new",
    ),
    path(
        "downgrades/<int:pk>/approve/", downgrade_views.downgrade_approve, name="downgrade-approve"
    ),
    path("downgrades/<int:pk>/refuse/", downgrade_views.downgrade_refuse, name="downgrade-refuse"),
    path(
        "downgrades/<int:pk>/withdraw/",
        downgrade_views.downgrade_withdraw,
        name="downgrade-withdraw",
    ),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_new, name="person-new"),
    path("people/import/", people.people_import, name="people-import"),
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
    path("people/<int:pk>/access-end/", people.person_access_end, name="person-access-end"),
    path(
        "people/<int:pk>/password/",
        people.person_password_reset,
        name="person-password-reset",
    ),
]

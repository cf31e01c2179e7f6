"""Access matrix rows for core endpoints (see bluebox.testing.matrix)."""

from typing import Any

from bluebox.testing.matrix import Endpoint, allowed, everyone


def _analyst_token(w: Any) -> None:
    from bluebox.core import services

    w.analyst_token, _ = services.token_create(actor=w.analyst, user=w.analyst, name="laptop")


def _planner_role(w: Any) -> str:
    from bluebox.core.models import RoleAssignment

    assignment = RoleAssignment.objects.get(user=w.planner)
    return f"/people/{w.planner.pk}/roles/{assignment.pk}/revoke/"


def _planner_compartment(w: Any) -> None:
    from bluebox.core.models import CompartmentGrant

    w.planner_grant = CompartmentGrant.objects.create(
        user=w.planner, mission=w.mission, compartment=8, reason="case work", granted_by=w.admin
    )


def _reveal_alert(w: Any) -> None:
    from django.utils import timezone

    from bluebox.core.models import RevealAlert

    w.reveal_alert = RevealAlert.objects.create(
        mission=w.mission,
        actor=w.source_handler,
        raised_at=timezone.now(),
        window_hours=24,
        limit=20,
        count=21,
    )


def _incident(w: Any) -> None:
    from bluebox.testing.factories import IncidentFactory

    w.incident = IncidentFactory(site=w.site_a, classification=1)


def _downgrade(w: Any) -> None:
    from bluebox.core import downgrades

    _incident(w)
    w.downgrade = downgrades.downgrade_request(
        actor=w.analyst,
        record_type="incidents.incident",
        object_id=w.incident.pk,
        to_classification=0,
        to_compartments=0,
        reason="Published in the joint press release",
    )


# A confidential incident at site A: who sees it, who of those may ask for a lower marking, and
# who may read the requests about it (the request hides like the record it is about).
INCIDENT_READERS = {
    "commissioner",
    "reporter_at_a",
    "analyst",
    "east_analyst",
    "planner",
    "source_handler",
    "detention_officer",
    "hrddp_officer",
}
MAY_ASK = INCIDENT_READERS - {"reporter_at_a", "planner"}


def _asking(yes: int) -> Any:
    return lambda who: yes if who in MAY_ASK else 403 if who in INCIDENT_READERS else 404


def _deciding(deciders: set[str]) -> Any:
    """Those who decide; the other readers of the request are refused; the rest find nothing."""
    return lambda who: 302 if who in deciders else 403 if who in MAY_ASK else 404


# The people pages: the mission's administrator manages, its commanders read (another
# mission's commander lists their own mission's people); for everyone else a person is not found.
PEOPLE_READERS = {"admin", "commissioner"}


def _people_post(expect_admin: int = 302) -> Any:
    return lambda who: expect_admin if who == "admin" else 403 if who == "commissioner" else 404


ENDPOINTS = [
    Endpoint(
        "people/",
        "get",
        lambda w: "/people/",
        allowed(PEOPLE_READERS | {"other_commander"}, 200, 403),
        api=False,
    ),
    Endpoint(
        "people/new/", "get", lambda w: "/people/new/", allowed({"admin"}, 200, 403), api=False
    ),
    Endpoint(
        "people/new/",
        "post",
        lambda w: "/people/new/",
        allowed({"admin"}, 200, 403),
        body=lambda w: {"username": "invited", "role": "admin", "scope": f"mission:{w.mission.pk}"},
        api=False,
    ),
    Endpoint(
        "people/import/",
        "get",
        lambda w: "/people/import/",
        allowed({"admin"}, 200, 403),
        api=False,
    ),
    # Without a file the form is refused (400) for the administrator, before anything is read.
    Endpoint(
        "people/import/",
        "post",
        lambda w: "/people/import/",
        allowed({"admin"}, 400, 403),
        body=lambda w: {"mission": w.mission.pk},
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/",
        "get",
        lambda w: f"/people/{w.planner.pk}/",
        allowed(PEOPLE_READERS, 200, 404),
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/roles/",
        "post",
        lambda w: f"/people/{w.planner.pk}/roles/",
        _people_post(),
        body=lambda w: {"role": "reporter", "scope": f"site:{w.site_a.pk}"},
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/roles/<int:assignment_id>/revoke/",
        "post",
        _planner_role,
        _people_post(),
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/compartments/",
        "post",
        lambda w: f"/people/{w.planner.pk}/compartments/",
        _people_post(),
        body=lambda w: {"compartment": 8, "mission": w.mission.pk, "reason": "case work"},
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/compartments/<int:grant_id>/revoke/",
        "post",
        lambda w: f"/people/{w.planner.pk}/compartments/{w.planner_grant.pk}/revoke/",
        _people_post(),
        setup=_planner_compartment,
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/disable/",
        "post",
        lambda w: f"/people/{w.planner.pk}/disable/",
        _people_post(),
        body=lambda w: {"reason": "end of rotation"},
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/enable/",
        "post",
        lambda w: f"/people/{w.planner.pk}/enable/",
        _people_post(),
        body=lambda w: {"reason": "back"},
        api=False,
    ),
    Endpoint(
        "people/<int:pk>/access-end/",
        "post",
        lambda w: f"/people/{w.planner.pk}/access-end/",
        _people_post(),
        body=lambda w: {"access_ends_on": "", "reason": "rotation extended"},
        api=False,
    ),
    # A reset shows the person's page with the one-time password.
    Endpoint(
        "people/<int:pk>/password/",
        "post",
        lambda w: f"/people/{w.planner.pk}/password/",
        _people_post(200),
        api=False,
    ),
    # One's own password: everyone opens the page; a post without the current password fails.
    Endpoint("account/password/", "get", lambda w: "/account/password/", everyone(200), api=False),
    Endpoint(
        "account/password/",
        "post",
        lambda w: "/account/password/",
        everyone(400),
        body=lambda w: {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
        api=False,
    ),
    Endpoint("api/v1/me/", "get", lambda w: "/api/v1/me/", everyone(200)),
    Endpoint("api/v1/audit/", "get", lambda w: "/api/v1/audit/", everyone(200)),
    Endpoint(
        "api/v1/auth/token/",
        "post",
        lambda w: "/api/v1/auth/token/",
        everyone(400),
        body=lambda w: {"username": "nobody", "password": "wrong"},
    ),
    Endpoint("api/v1/auth/tokens/", "get", lambda w: "/api/v1/auth/tokens/", everyone(200)),
    # Only its holder and an administrator revoke a token; for anyone else it does not exist.
    Endpoint(
        "api/v1/auth/tokens/<int:pk>/",
        "delete",
        lambda w: f"/api/v1/auth/tokens/{w.analyst_token.pk}/",
        allowed({"analyst", "admin"}, 204, 404),
        setup=_analyst_token,
    ),
    Endpoint("audit/", "get", lambda w: "/audit/", everyone(200), api=False),
    Endpoint("login/", "get", lambda w: "/login/", everyone(302), api=False),
    Endpoint("logout/", "post", lambda w: "/logout/", everyone(302), api=False),
    Endpoint(
        "reveal-alerts/",
        "get",
        lambda w: "/reveal-alerts/",
        allowed({"commissioner", "other_commander", "auditor"}, 200, 403),
        api=False,
        setup=_reveal_alert,
    ),
    Endpoint(
        "reveal-alerts/<int:pk>/acknowledge/",
        "post",
        lambda w: f"/reveal-alerts/{w.reveal_alert.pk}/acknowledge/",
        # Another mission's commander: not found, and redirected like a refusal is not.
        lambda who: 302 if who == "commissioner" else 404,
        body=lambda w: {"note": "Checked with the handler: a planned operation."},
        api=False,
        setup=_reveal_alert,
    ),
    Endpoint(
        "downgrades/",
        "get",
        lambda w: "/downgrades/",
        allowed(MAY_ASK | {"other_commander"}, 200, 403),
        api=False,
    ),
    Endpoint(
        "downgrades/new/<str:record_type>/<int:pk>/",
        "get",
        lambda w: f"/downgrades/new/incidents.incident/{w.incident.pk}/",
        _asking(200),
        api=False,
        setup=_incident,
    ),
    Endpoint(
        "downgrades/new/<str:record_type>/<int:pk>/",
        "post",
        lambda w: f"/downgrades/new/incidents.incident/{w.incident.pk}/",
        _asking(302),
        body=lambda w: {"to_classification": "0", "reason": "Published in the press release"},
        api=False,
        setup=_incident,
    ),
    # Only a commander decides, never the analyst who asked.
    Endpoint(
        "downgrades/<int:pk>/approve/",
        "post",
        lambda w: f"/downgrades/{w.downgrade.pk}/approve/",
        _deciding({"commissioner"}),
        body=lambda w: {"note": "Public now"},
        api=False,
        setup=_downgrade,
    ),
    Endpoint(
        "downgrades/<int:pk>/refuse/",
        "post",
        lambda w: f"/downgrades/{w.downgrade.pk}/refuse/",
        _deciding({"commissioner"}),
        body=lambda w: {"note": "The source is still at risk"},
        api=False,
        setup=_downgrade,
    ),
    Endpoint(
        "downgrades/<int:pk>/withdraw/",
        "post",
        lambda w: f"/downgrades/{w.downgrade.pk}/withdraw/",
        _deciding({"analyst"}),
        api=False,
        setup=_downgrade,
    ),
    Endpoint("admin/login/", "get", lambda w: "/admin/login/", everyone(302), api=False),
    # The second step of a sign-in: without a password just passed, back to the login page.
    Endpoint(
        "login/second-factor/",
        "get",
        lambda w: "/login/second-factor/",
        everyone(302),
        api=False,
    ),
    Endpoint("login/enrol/", "get", lambda w: "/login/enrol/", everyone(302), api=False),
    Endpoint(
        "login/passkey/begin/", "post", lambda w: "/login/passkey/begin/", everyone(400), api=False
    ),
    Endpoint(
        "login/passkey/complete/",
        "post",
        lambda w: "/login/passkey/complete/",
        everyone(400),
        api=False,
    ),
    # One's own sign-in security: every signed-in person has theirs, and only theirs.
    Endpoint("account/security/", "get", lambda w: "/account/security/", everyone(200), api=False),
    Endpoint(
        "account/security/totp/",
        "get",
        lambda w: "/account/security/totp/",
        everyone(200),
        api=False,
    ),
    Endpoint(
        "account/security/recovery-codes/",
        "post",
        lambda w: "/account/security/recovery-codes/",
        everyone(302),
        api=False,
    ),
    Endpoint(
        "account/security/remove/",
        "post",
        lambda w: "/account/security/remove/",
        everyone(302),
        api=False,
    ),
    Endpoint(
        "account/recovery-codes/",
        "get",
        lambda w: "/account/recovery-codes/",
        everyone(302),
        api=False,
    ),
    Endpoint(
        "account/passkeys/register/begin/",
        "post",
        lambda w: "/account/passkeys/register/begin/",
        everyone(200),
        api=False,
    ),
    Endpoint(
        "account/passkeys/register/complete/",
        "post",
        lambda w: "/account/passkeys/register/complete/",
        everyone(400),
        api=False,
    ),
    Endpoint(
        "account/step-up/passkey/begin/",
        "post",
        lambda w: "/account/step-up/passkey/begin/",
        everyone(400),
        api=False,
    ),
    Endpoint(
        "account/step-up/passkey/complete/",
        "post",
        lambda w: "/account/step-up/passkey/complete/",
        everyone(400),
        api=False,
    ),
    Endpoint("healthz", "get", lambda w: "/healthz", everyone(200), api=False),
    # Machinery, not content: the test client calls from loopback, which may read both.
    Endpoint("readyz", "get", lambda w: "/readyz", everyone(200), api=False),
    Endpoint("metrics", "get", lambda w: "/metrics", everyone(200), api=False),
    Endpoint("status/", "get", lambda w: "/status/", allowed({"admin"}, 200, 403), api=False),
]

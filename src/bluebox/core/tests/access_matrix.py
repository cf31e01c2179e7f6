"""Access matrix rows for core endpoints (see bluebox.testing.matrix)."""

from typing import Any

from bluebox.testing.matrix import Endpoint, allowed, everyone


def _analyst_token(w: Any) -> None:
    from bluebox.core import services

    w.analyst_token, _ = services.token_create(actor=w.analyst, user=w.analyst, name="laptop")


ENDPOINTS = [
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
    Endpoint("healthz", "get", lambda w: "/healthz", everyone(200), api=False),
    # Machinery, not content: the test client calls from loopback, which may read both.
    Endpoint("readyz", "get", lambda w: "/readyz", everyone(200), api=False),
    Endpoint("metrics", "get", lambda w: "/metrics", everyone(200), api=False),
    Endpoint("status/", "get", lambda w: "/status/", allowed({"admin"}, 200, 403), api=False),
]

"""Access matrix rows for core endpoints (see bluebox.testing.matrix)."""

from bluebox.testing.matrix import Endpoint, everyone

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
    Endpoint("audit/", "get", lambda w: "/audit/", everyone(200), api=False),
    Endpoint("login/", "get", lambda w: "/login/", everyone(302), api=False),
    Endpoint("logout/", "post", lambda w: "/logout/", everyone(302), api=False),
    Endpoint("healthz", "get", lambda w: "/healthz", everyone(200), api=False),
]

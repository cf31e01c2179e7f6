"""Access matrix rows for the overview pages (see bluebox.testing.matrix)."""

from bluebox.testing.matrix import Endpoint, everyone

ENDPOINTS = [
    Endpoint("", "get", lambda w: "/", everyone(200), api=False),
]

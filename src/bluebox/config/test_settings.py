"""Settings for the test suite: fixed keys, tasks run inline, fast test-only password hashing
for fixtures (a test checks that the real settings use argon2)."""

from bluebox.config.settings import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-000000000000000000"  # noqa: S105
FIELD_ENCRYPTION_KEYS = [
    "5Wc_UHBlYpdwOjeHDkHlT_GBRZH7OXghaHnE0B21B8Y=",
    "OYi87t8OVIgvSpVezA-dccOHoUp0rhwfHC08NenWjNQ=",
]
AUDIT_CHAIN_KEY = "test-audit-key"
AUDIT_KEYS = {1: AUDIT_CHAIN_KEY}
HUEY = {**HUEY, "immediate": True}  # noqa: F405
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Every test client builds the middleware again; WhiteNoise would index every static file each
# time (half of an access-matrix row's cost). Looking a file up when it is asked for serves the
# same files from the same finders.
WHITENOISE_AUTOREFRESH = True

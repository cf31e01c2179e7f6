"""Signing in from a browser test, second factor included.

Whoever the sign-in asks for a second factor gets it: a person without one enrols the
authenticator the page offers (its secret is read from the page, as a person would type it), a
person with one types the current code of the secret their test gave them. A code already used
in this 30-second step (the same person signing in twice in a test) is refused as a replay,
exactly as in production, so the next step's code is typed instead (accepted within the
tolerance of one step). An account whose password an administrator set chooses the test
password on the forced-change page that follows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bluebox.core import mfa
from bluebox.testing.factories import TEST_PASSWORD
from bluebox.testing.second_factor import TEST_SECRET

#: Secrets enrolled through the page during this test run, by username.
ENROLLED: dict[str, str] = {}


def _type_code(page: Any, secret: str) -> None:
    now = timezone.now()
    for at in (now, now + timedelta(seconds=mfa.TOTP_STEP_S)):
        page.fill("#id_code", mfa.totp_code(secret, at))
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        if "/login/" not in page.url:
            return


def sign_in(
    page: Any, base: str, username: str, *, secret: str | None = None, password: str | None = None
) -> None:
    """Sign ``username`` in; with ``password`` (a one-time password an administrator handed
    over), the forced change that follows sets the test password, as its holder would."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/login/enrol/" in page.url:
        enrolled = page.inner_text("#totp-secret").replace(" ", "")
        ENROLLED[username] = enrolled
        _type_code(page, enrolled)
        page.wait_for_selector("#recovery-codes")
        page.click("a.button.primary")
        page.wait_for_load_state()
    elif "/login/second-factor/" in page.url:
        _type_code(page, secret or ENROLLED.get(username, TEST_SECRET))
    if "/account/password/" in page.url:
        page.fill("#id_old_password", password or TEST_PASSWORD)
        page.fill("#id_new_password1", TEST_PASSWORD)
        page.fill("#id_new_password2", TEST_PASSWORD)
        page.click("form button[type=submit].primary")
        page.wait_for_load_state()

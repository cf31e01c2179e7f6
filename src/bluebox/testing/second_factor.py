"""Second factors for tests: enrol a person's authenticator, and give them a step-up.

:func:`enrol_totp` stores a real, confirmed authenticator whose secret the test knows, so tests
type real codes (:func:`bluebox.core.mfa.totp_code`). :func:`stepped_up` records a step-up as
if the person had just passed a second-factor check for that record; the tests of the check
itself (``core/tests/test_mfa.py``) type the codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from bluebox.core import mfa
from bluebox.core.models import SecondFactorMethod, StepUp, TotpDevice, User

#: The secret every test authenticator shares unless a test gives its own (base32).
TEST_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - a test fixture


def enrol_totp(user: User, secret: str = TEST_SECRET) -> TotpDevice:
    return TotpDevice.objects.create(
        user=user,
        name="Authenticator app",
        confirmed=True,
        secret=secret,
        created_at=timezone.now(),
    )


def stepped_up(user: User, record: Any) -> StepUp:
    return mfa.record_step_up(
        user=user,
        record_type=mfa.record_type(record),
        object_id=record.pk,
        method=SecondFactorMethod.TOTP,
        device="tests/0",
        now=timezone.now(),
    )


def with_step_ups(
    setup: Callable[[Any], None], record: str, people: list[str]
) -> Callable[[Any], None]:
    """An access-matrix set-up that also gives each of ``people`` a fresh step-up for the
    record it creates (the world attribute named ``record``): the row then tests who may reveal,
    the second factor being tested on its own."""

    def run(world: Any) -> None:
        setup(world)
        for name in people:
            stepped_up(getattr(world, name), getattr(world, record))

    return run

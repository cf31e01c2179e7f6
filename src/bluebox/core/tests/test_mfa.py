"""The second factor at sign-in, as an attacker holding a password would try it.

A source handler's password alone signs no one in; a code is accepted once (replayed or older
codes are wrong); wrong codes back off; recovery codes work once and are stored as digests; the
secret is stored encrypted; a token needs the code too; a grant that makes a second factor
required ends the sessions opened without one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import mfa, services
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry, RecoveryCode, RoleAssignment, TotpDevice
from bluebox.core.roles import Role
from bluebox.testing.factories import person
from bluebox.testing.second_factor import TEST_SECRET, enrol_totp

PASSWORD = "correct horse battery staple"


def _password_step(client: Client, username: str, next_url: str = "") -> object:
    return client.post(
        "/login/" + (f"?next={next_url}" if next_url else ""),
        {"username": username, "password": PASSWORD},
    )


def _signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def _code(at=None) -> str:
    return mfa.totp_code(TEST_SECRET, at or timezone.now())


@pytest.fixture
def handler(world):
    enrol_totp(world.source_handler)
    return world.source_handler


def test_who_needs_a_second_factor(world):
    assert mfa.required_for(world.source_handler)
    assert mfa.required_for(world.commissioner)  # DETENTION and HRDDP by role
    assert mfa.required_for(world.detention_officer)
    assert mfa.required_for(world.hrddp_officer)
    for name in ("reporter_at_a", "analyst", "planner", "human_rights_officer", "auditor", "admin"):
        assert not mfa.required_for(getattr(world, name)), name


def test_the_password_alone_signs_a_source_handler_in_nowhere(world, handler):
    client = Client()
    response = _password_step(client, handler.username, "/incidents/")
    assert response.status_code == 302
    assert response["Location"] == "/login/second-factor/"
    assert not _signed_in(client)
    assert client.get("/incidents/").status_code == 302  # still the login page


def test_a_wrong_code_signs_no_one_in_and_is_audited(world, handler):
    client = Client()
    _password_step(client, handler.username)
    response = client.post("/login/second-factor/", {"code": "000000"})
    assert response.status_code == 400
    assert not _signed_in(client)
    assert AuditEntry.objects.filter(
        action="login-second-factor-failed", actor_id=handler.pk, outcome="denied"
    ).exists()


def test_the_right_code_signs_in_and_goes_where_it_was_asked(world, handler):
    client = Client()
    _password_step(client, handler.username, "/incidents/")
    response = client.post("/login/second-factor/", {"code": _code()})
    assert response.status_code == 302
    assert response["Location"] == "/incidents/"
    assert _signed_in(client)
    assert client.get("/incidents/").status_code == 200
    assert AuditEntry.objects.filter(action="login-second-factor", actor_id=handler.pk).exists()


def test_a_replayed_code_is_refused(world, handler):
    code = _code()
    first = Client()
    _password_step(first, handler.username)
    assert first.post("/login/second-factor/", {"code": code}).status_code == 302
    # Someone who watched the code being typed, within the same 30 seconds.
    second = Client()
    _password_step(second, handler.username)
    assert second.post("/login/second-factor/", {"code": code}).status_code == 400
    assert not _signed_in(second)


def test_an_older_code_than_the_last_accepted_is_refused(world, handler):
    now = timezone.now()
    mfa.verify(user=handler, code=_code(now), now=now)
    older = _code(now - timedelta(seconds=30))
    with pytest.raises(ServiceError):
        mfa.verify(user=handler, code=older, now=now)


def test_a_code_from_a_minute_ago_or_far_ahead_is_refused(world, handler):
    now = timezone.now()
    for shifted in (now - timedelta(seconds=95), now + timedelta(seconds=95)):
        with pytest.raises(ServiceError):
            mfa.verify(user=handler, code=_code(shifted), now=now)
        TotpDevice.objects.filter(user=handler).update(throttling_failure_count=0)


def test_after_a_wrong_code_the_device_waits_before_checking_another(world, handler):
    with pytest.raises(ServiceError):
        mfa.verify(user=handler, code="123456")
    # At once, even the right code is not checked: guessing is slowed down.
    with pytest.raises(ServiceError, match="Too many wrong codes"):
        mfa.verify(user=handler, code=_code())
    device = TotpDevice.objects.get(user=handler)
    assert device.throttling_failure_count == 1
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=5)
    device.save()
    assert mfa.verify(user=handler, code=_code())[0] == "totp"


def test_the_secret_is_stored_encrypted_and_recovery_codes_as_digests(world):
    client = Client()
    _password_step(client, world.detention_officer.username)
    page = client.get("/login/enrol/")
    assert page.status_code == 200
    secret = page.context["secret"].replace(" ", "")
    response = client.post("/login/enrol/", {"code": mfa.totp_code(secret, timezone.now())})
    assert response["Location"] == "/account/recovery-codes/"
    codes = client.get("/account/recovery-codes/").context["codes"]
    assert len(codes) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM core_totpdevice")
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT digest FROM core_recoverycode")
        digests = {row[0] for row in cursor.fetchall()}
    assert secret not in stored
    assert not any(code.replace("-", "") in d or code in d for code in codes for d in digests)
    # Shown once: the page does not show them again.
    assert client.get("/account/recovery-codes/").status_code == 302


def test_first_sign_in_of_a_required_role_enrols_before_anything_opens(world):
    client = Client()
    response = _password_step(client, world.commissioner.username, "/audit/")
    assert response["Location"] == "/login/enrol/"
    assert not _signed_in(client)
    secret = client.get("/login/enrol/").context["secret"].replace(" ", "")
    assert client.post("/login/enrol/", {"code": "111111"}).status_code == 400
    assert not _signed_in(client)
    TotpDevice.objects.update(throttling_failure_count=0)
    client.post("/login/enrol/", {"code": mfa.totp_code(secret, timezone.now())})
    assert _signed_in(client)
    fresh = client.get("/account/recovery-codes/")
    assert fresh.context["next"] == "/audit/"


def test_a_recovery_code_works_once(world, handler):
    codes = mfa.recovery_codes_issue(actor=handler)
    client = Client()
    _password_step(client, handler.username)
    assert client.post("/login/second-factor/", {"code": codes[0].lower()}).status_code == 302
    other = Client()
    _password_step(other, handler.username)
    assert other.post("/login/second-factor/", {"code": codes[0]}).status_code == 400
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1


def test_a_reporter_signs_in_with_a_password_until_they_enrol(world):
    reporter = world.reporter_at_a
    client = Client()
    assert _password_step(client, reporter.username)["Location"] == "/"
    assert _signed_in(client)
    enrol_totp(reporter)
    again = Client()
    assert _password_step(again, reporter.username)["Location"] == "/login/second-factor/"
    assert not _signed_in(again)


def test_the_second_step_expires(world, handler):
    client = Client()
    _password_step(client, handler.username)
    session = client.session
    session["bluebox_pending_login"]["at"] -= 301
    session.save()
    assert client.post("/login/second-factor/", {"code": _code()})["Location"] == "/login/"
    assert not _signed_in(client)


def test_a_token_needs_the_second_factor_too(world, handler):
    api = APIClient()
    body = {"username": handler.username, "password": PASSWORD}
    refused = api.post("/api/v1/auth/token/", body, format="json")
    assert refused.status_code == 400
    assert "code" in refused.json()["errors"]
    granted = api.post("/api/v1/auth/token/", {**body, "code": _code()}, format="json")
    assert granted.status_code == 200
    assert granted.json()["token"].startswith("bbx_")


def test_the_admin_site_signs_in_through_the_second_factor(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/admin/")


def test_a_grant_that_requires_a_second_factor_ends_sessions_opened_without_one(world):
    analyst = world.analyst  # no second factor needed as an analyst
    client = Client()
    _password_step(client, analyst.username)
    assert _signed_in(client)
    second_admin = person("second_admin", Role.ADMIN, mission=world.mission)
    services.compartment_grant(
        actor=second_admin, user=analyst, mission=world.mission, compartment=8, reason="SGBV cases"
    )
    assert client.get("/incidents/").status_code == 302
    entry = AuditEntry.objects.filter(action="compartment-grant").last()
    assert entry is not None and entry.detail["sessions_ended"] == 1
    # Signing in again now goes through enrolment.
    assert _password_step(Client(), analyst.username)["Location"] == "/login/enrol/"


def test_the_last_factor_of_a_required_role_is_not_removed(world, handler):
    device = TotpDevice.objects.get(user=handler)
    with pytest.raises(ServiceError):
        mfa.factor_remove(actor=handler, persistent_id=device.persistent_id)
    # Nor is someone else's (it is not found).
    reporter_device = enrol_totp(world.reporter_at_a)
    with pytest.raises(ServiceError, match="No such factor"):
        mfa.factor_remove(actor=handler, persistent_id=reporter_device.persistent_id)
    assert RoleAssignment.objects.filter(user=handler).exists()

"""Production settings pass Django's deployment checks: HTTPS only (redirect and HSTS), secure
cookies, a real secret key, no debug. Run as an operator would, in a fresh process."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process (Playwright's sync
        # API); a deployment never does, and the check rightly reports it.
        if not key.startswith(("BLUEBOX_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        BLUEBOX_ENV="production",
        BLUEBOX_DATA_DIR=str(tmp_path / "var"),
        BLUEBOX_SECRET_KEY=secrets.token_urlsafe(64),
        BLUEBOX_FIELD_KEYS=Fernet.generate_key().decode(),
        BLUEBOX_AUDIT_KEY=secrets.token_urlsafe(32),
        BLUEBOX_ALLOWED_HOSTS="bluebox.mission.example",
        **extra,
    )
    return env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bluebox.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_a_production_without_https(tmp_path):
    # The check is not vacuous: switching HTTPS off in production is reported.
    env = _production_env(tmp_path, BLUEBOX_SSL_REDIRECT="false", BLUEBOX_HSTS_SECONDS="0")
    result = _check(env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr

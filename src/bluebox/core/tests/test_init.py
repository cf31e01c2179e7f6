"""Settings without side effects, and `bluebox init`, which refuses new keys over existing data."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from io import StringIO

import pytest

from bluebox.commands.init import initialise
from bluebox.core import audit
from bluebox.testing.factories import ProtectedPersonFactory


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("BLUEBOX_")}
    full.pop("DJANGO_SETTINGS_MODULE", None)
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_importing_the_settings_creates_nothing(tmp_path):
    data_dir = tmp_path / "var"
    result = _run(
        "import bluebox.config.settings as s; print(sorted(s.MISSING_KEYS))",
        BLUEBOX_DATA_DIR=str(data_dir),
    )
    assert result.returncode == 0, result.stderr
    assert "BLUEBOX_FIELD_KEYS" in result.stdout
    assert not data_dir.exists()


def test_production_without_keys_says_which_are_missing_without_a_traceback(tmp_path):
    result = _run(
        "from bluebox.cli import main; raise SystemExit(main(['init']))",
        BLUEBOX_DATA_DIR=str(tmp_path / "var"),
        BLUEBOX_ENV="production",
        BLUEBOX_SECRET_KEY="s" * 50,
    )
    assert result.returncode == 2
    assert "BLUEBOX_FIELD_KEYS" in result.stderr and "BLUEBOX_AUDIT_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "field_key").exists()


def test_production_refuses_key_files_beside_the_data(tmp_path):
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / "field_key").write_text("x\n")
    result = _run(
        "import bluebox.config.settings",
        BLUEBOX_DATA_DIR=str(data_dir),
        BLUEBOX_ENV="production",
        BLUEBOX_SECRET_KEY="s" * 50,
        BLUEBOX_FIELD_KEYS="5Wc_UHBlYpdwOjeHDkHlT_GBRZH7OXghaHnE0B21B8Y=",
        BLUEBOX_AUDIT_KEY="a" * 40,
    )
    assert result.returncode != 0 and "environment only" in result.stderr


@pytest.fixture
def fresh(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    settings.MISSING_KEYS = ["BLUEBOX_SECRET_KEY", "BLUEBOX_FIELD_KEYS", "BLUEBOX_AUDIT_KEY"]
    return settings


@pytest.mark.django_db
def test_init_makes_an_owner_only_directory_and_development_keys(fresh):
    data_dir = fresh.DATA_DIR
    assert initialise(out=StringIO(), err=StringIO()) == 0
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "imports").stat().st_mode) == 0o700
    for name in ("secret_key", "field_key", "audit_key"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    field_key = (data_dir / "field_key").read_text().strip()
    assert [field_key] == fresh.FIELD_ENCRYPTION_KEYS  # the running process uses it at once
    # Run again: nothing missing any more, nothing regenerated.
    fresh.MISSING_KEYS = []
    assert initialise(out=StringIO(), err=StringIO()) == 0
    assert (data_dir / "field_key").read_text().strip() == field_key


@pytest.mark.django_db
def test_init_refuses_a_new_field_key_over_stored_identities(world, fresh):
    ProtectedPersonFactory.create_batch(3, incident__site=world.site_a)
    fresh.MISSING_KEYS = ["BLUEBOX_FIELD_KEYS"]
    err = StringIO()
    assert initialise(out=StringIO(), err=err) == 2
    assert "holds 3 protected values" in err.getvalue()
    assert not (fresh.DATA_DIR / "field_key").exists()


@pytest.mark.django_db
def test_init_refuses_a_new_audit_key_over_an_audit_trail(fresh):
    audit.record(actor=None, action="demo-load")
    fresh.MISSING_KEYS = ["BLUEBOX_SECRET_KEY", "BLUEBOX_AUDIT_KEY"]
    err = StringIO()
    assert initialise(out=StringIO(), err=err) == 2
    assert "audit trail of 1 entries" in err.getvalue()
    # All or nothing: the harmless secret key was not generated either.
    assert not (fresh.DATA_DIR / "secret_key").exists()
    assert not (fresh.DATA_DIR / "audit_key").exists()


@pytest.mark.django_db
def test_init_warns_when_the_configured_key_reads_nothing(world, fresh):
    ProtectedPersonFactory(incident__site=world.site_a)
    fresh.MISSING_KEYS = []
    fresh.FIELD_ENCRYPTION_KEYS = ["OYi87t8OVIgvSpVezA-dccOHoUp0rhwfHC08NenWjNQ="]
    (fresh.DATA_DIR).mkdir(parents=True)
    err = StringIO()
    assert initialise(out=StringIO(), err=err) == 0
    assert "1 of 1 sampled protected values cannot be decrypted" in err.getvalue()

"""Shared fixtures: a mission with two sectors and named people, so permission tests read
like sentences ("a reporter at site A cannot see site B's incidents")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache

from bluebox.config import datadir
from bluebox.testing.world import build_world


@pytest.fixture(autouse=True, scope="session")
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's data directory is its own, laid out the way `bluebox init` lays it out."""
    from django.conf import settings

    data_dir = tmp_path_factory.mktemp("data")
    datadir.ensure_layout(data_dir)
    settings.DATA_DIR = data_dir
    settings.STATIC_ROOT = data_dir / "static"
    return data_dir


@pytest.fixture(autouse=True)
def _private_import_dir(settings: Any, tmp_path: Path) -> None:
    """Uploaded import files and the audit anchor go to the test's own directory, never the
    project's data dir."""
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit_anchor.json"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Tests that commit (browser tests) empty the database between tests with TRUNCATE, which
    PostgreSQL refuses on the audit trail in production; the test database lets it through.
    The refusal itself is tested in core/tests/test_audit.py."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_truncate"
                )


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """No test inherits another's cached values (throttle counters live in the database)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_task_store() -> Iterator[None]:
    """Job heartbeats and attempt counts live in the queue's store: none leaks between tests."""
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


@pytest.fixture(autouse=True)
def _interface_language() -> Iterator[None]:
    """Each test starts in the source language and leaves no language active behind it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def world(db: None) -> SimpleNamespace:
    return build_world()

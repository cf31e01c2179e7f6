"""Shared fixtures: a mission with two sectors and named people, so permission tests read
like sentences ("a reporter at site A cannot see site B's incidents")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache

from bluebox.core.roles import Role
from bluebox.testing.factories import FieldSiteFactory, MissionFactory, SectorFactory, person


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


@pytest.fixture
def world(db: None) -> SimpleNamespace:
    mission = MissionFactory(code="minutest", name="Test mission")
    east = SectorFactory(mission=mission, code="east", name="Sector East")
    west = SectorFactory(mission=mission, code="west", name="Sector West")
    site_a = FieldSiteFactory(sector=east, code="site-a", name="Site A", kind="idp_camp")
    site_b = FieldSiteFactory(
        sector=west, code="site-b", name="Site B", kind="market", latitude=3.2, longitude=-9.8
    )
    other_mission = MissionFactory(code="other", name="Other mission")
    other_site = FieldSiteFactory(sector=SectorFactory(mission=other_mission), code="elsewhere")
    w = SimpleNamespace(
        mission=mission,
        east=east,
        west=west,
        site_a=site_a,
        site_b=site_b,
        other_mission=other_mission,
        other_site=other_site,
    )
    w.commissioner = person("commissioner", Role.COMMANDER, mission=mission)
    w.reporter_at_a = person("reporter_a", Role.REPORTER, site=site_a)
    w.reporter_at_b = person("reporter_b", Role.REPORTER, site=site_b)
    w.analyst = person("analyst", Role.ANALYST, mission=mission)
    w.east_analyst = person("east_analyst", Role.ANALYST, sector=east)
    w.planner = person("planner", Role.PLANNER, mission=mission)
    w.source_handler = person("source_handler", Role.SOURCE_HANDLER, mission=mission)
    w.detention_officer = person("detention_officer", Role.DETENTION_OFFICER, mission=mission)
    w.hrddp_officer = person("hrddp_officer", Role.HRDDP_OFFICER, mission=mission)
    w.human_rights_officer = person("hr_officer", Role.HUMAN_RIGHTS, mission=mission)
    w.partner = person("partner", Role.PARTNER, mission=mission)
    w.auditor = person("auditor", Role.AUDITOR, mission=mission)
    w.admin = person("admin", Role.ADMIN, mission=mission)
    w.outsider = person("outsider")
    w.other_commander = person("other_commander", Role.COMMANDER, mission=other_mission)
    return w

"""factory_boy factories (no JSON fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import factory
from django.contrib.auth.hashers import make_password

from bluebox.core.models import RoleAssignment, User
from bluebox.incidents.models import ImportJob, Incident, ProtectedPerson
from bluebox.missions.models import Authority, FieldSite, Mission, Sector

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Hash once with a fast test hasher; the argon2 path is tested on its own.
    return make_password(TEST_PASSWORD, hasher="md5")


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    code = factory.Sequence(lambda n: f"mission-{n}")
    name = factory.Sequence(lambda n: f"Mission {n}")
    host_country = "Testland"
    authority = Authority.NON_EXECUTIVE
    chapter_vii = True


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    mission = factory.SubFactory(MissionFactory)
    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"Sector {n}")


class FieldSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FieldSite

    sector = factory.SubFactory(SectorFactory)
    mission = factory.SelfAttribute("sector.mission")
    code = factory.Sequence(lambda n: f"site-{n}")
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = "team_site"
    latitude = 3.0
    longitude = -9.5


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name")
    password = factory.LazyFunction(_password_hash)


def person(username: str, role: str | None = None, **scope: Any) -> User:
    """A named person holding ``role`` in a scope (mission=..., sector=... or site=...)."""
    user: User = UserFactory.create(username=username)
    if role is not None:
        mission = scope.get("mission") or (scope.get("sector") or scope["site"]).mission
        RoleAssignment.objects.create(
            user=user,
            role=role,
            mission=mission,
            sector=scope.get("sector"),
            site=scope.get("site"),
        )
    return user


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    site = factory.SubFactory(FieldSiteFactory)
    mission = factory.SelfAttribute("site.mission")
    sector = factory.SelfAttribute("site.sector")
    title = factory.Sequence(lambda n: f"Incident {n}")
    incident_type = "killing"
    occurred_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    reported_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    latitude = 3.01
    longitude = -9.49
    classification = 1


class ProtectedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtectedPerson

    incident = factory.SubFactory(IncidentFactory)
    mission = factory.SelfAttribute("incident.mission")
    sector = factory.SelfAttribute("incident.sector")
    site = factory.SelfAttribute("incident.site")
    kind = "informant"
    pseudonym = factory.Sequence(lambda n: f"INF-{n:08X}")
    identity_compartment = 1  # SOURCE
    identity = "Test Informant"
    created_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    classification = 1


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A finished import with one bad row (no file left on disk)."""

    class Meta:
        model = ImportJob

    mission = factory.SubFactory(MissionFactory)
    fmt = "ucdp"
    filename = "ged-extract.csv"
    size = 2048
    sha256 = "0" * 64
    status = "refused"
    rows = 3
    error_count = 1
    errors = factory.LazyFunction(
        lambda: [{"row": 2, "external_id": "900002", "field": "latitude", "message": "missing"}]
    )
    requested_by = factory.SubFactory(UserFactory)
    requested_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, 9, 0, tzinfo=UTC))

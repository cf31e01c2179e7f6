"""factory_boy factories for force records."""

from __future__ import annotations

import factory

from bluebox.deployment.models import (
    ContributingCountry,
    FormedPoliceUnit,
    IndividualPoliceOfficer,
    SpecialisedPoliceTeam,
)
from bluebox.testing.factories import FieldSiteFactory

_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def country_code(n: int) -> str:
    """Three characters, as the column holds: 'X' and two base-36 digits (ISO's user-assigned
    X-range, so no real country is taken), 1,296 codes before they repeat."""
    return "X" + _BASE36[n // 36 % 36] + _BASE36[n % 36]


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContributingCountry
        django_get_or_create = ("code",)

    code = factory.Sequence(country_code)
    name = factory.Sequence(lambda n: f"Country {n}")
    is_synthetic = True


class FpuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormedPoliceUnit

    home_site = factory.SubFactory(FieldSiteFactory, kind="team_site")
    mission = factory.SelfAttribute("home_site.mission")
    country = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"FPU {n}")
    strength = 140
    platoons = 4
    women = 14
    languages = ["en"]


class SptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialisedPoliceTeam

    site = factory.SubFactory(FieldSiteFactory)
    mission = factory.SelfAttribute("site.mission")
    country = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"SPT {n}")
    specialty = "sgbv"
    strength = 8
    women = 4
    languages = ["en"]


class IpoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndividualPoliceOfficer

    site = factory.SubFactory(FieldSiteFactory)
    mission = factory.SelfAttribute("site.mission")
    country = factory.SubFactory(CountryFactory)
    service_number = factory.Sequence(lambda n: f"SN-{n:05d}")
    rank = "Inspector"
    gender = "male"
    years_of_service = 8
    languages = ["en"]
    skills = ["community_policing"]

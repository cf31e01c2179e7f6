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


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContributingCountry
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:02d}")
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

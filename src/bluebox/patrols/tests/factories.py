"""Factories for patrol records (factory_boy); countries come from the force records' factory."""

from __future__ import annotations

import factory

from bluebox.deployment.models import FormedPoliceUnit
from bluebox.deployment.tests.factories import CountryFactory
from bluebox.patrols.models import PatrolTeam
from bluebox.testing.factories import FieldSiteFactory


class FpuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormedPoliceUnit

    home_site = factory.SubFactory(FieldSiteFactory)
    mission = factory.SelfAttribute("home_site.mission")
    country = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"FPU {n}")
    strength = 140
    platoons = 3


class PatrolTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatrolTeam

    site = factory.SubFactory(FieldSiteFactory)
    mission = factory.SelfAttribute("site.mission")
    sector = factory.SelfAttribute("site.sector")
    name = factory.Sequence(lambda n: f"Team {n}")
    mode = "vehicle"
    duty_shifts = factory.LazyFunction(lambda: ["morning"])
    days_off = factory.LazyFunction(lambda: [7])

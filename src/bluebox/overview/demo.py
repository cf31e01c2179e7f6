"""Adapter from the pure scenario generator to database records: the demo mission.

Everything it creates is marked synthetic. Demo accounts share one password that is printed by
``bluebox demo`` and ``make run``; they exist only where the demo was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.assessment.demo import load_demo_assessment
from bluebox.core import audit, mfa
from bluebox.core.models import RoleAssignment, TotpDevice, User
from bluebox.core.roles import Resource, Role
from bluebox.deployment.models import (
    Caveat,
    ContributingCountry,
    FormedPoliceUnit,
    IndividualPoliceOfficer,
)
from bluebox.detention.demo import load_demo_detention
from bluebox.engagement.demo import load_demo_engagement
from bluebox.engines.scenario import Scenario, generate_scenario
from bluebox.engines.spatial import h3_cell, priogrid_gid
from bluebox.evaluation import demo as evaluation_demo
from bluebox.guide.demo import load_demo_rules
from bluebox.incidents.models import Incident
from bluebox.missions import definition
from bluebox.missions import services as mission_services
from bluebox.missions.models import (
    Authority,
    ComponentKind,
    FieldSite,
    Mission,
    PartnerKind,
    Sector,
)
from bluebox.patrols.demo import load_demo_patrol_weeks
from bluebox.patrols.services import patrol_teams_from_deployment
from bluebox.sharing.demo import load_demo_sharing

DEMO_PASSWORD = "bluebox-demo-2026"  # noqa: S105 - printed to the operator on purpose; demo only
# The authenticator secret (base32) of every demo account whose roles require a second factor:
# published in the README so a newcomer can add it to any authenticator app, or read the current
# code with `bluebox demo-code`. Demo only, like the password.
DEMO_TOTP_SECRET = "BLUEBOXDEMOTOTPSECRETFORVARONIA2"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    scope: str  # "mission", "sector:<code>" or "site:<code>"


DEMO_ACCOUNTS = [
    DemoAccount(
        "reporter", "Amara Diallo (reporter, Korrin IDP camp)", Role.REPORTER, "site:korrin-camp"
    ),
    DemoAccount("analyst", "Lena Novak (analyst, JMAC)", Role.ANALYST, "mission"),
    DemoAccount("planner", "Tomás Reyes (police planning officer)", Role.PLANNER, "mission"),
    DemoAccount("commissioner", "Grace Mensah (police commissioner)", Role.COMMANDER, "mission"),
    DemoAccount(
        "source.handler", "Idris Bello (source handler)", Role.SOURCE_HANDLER, "sector:east"
    ),
    DemoAccount(
        "detention.officer", "Marie Dubois (custody focal point)", Role.DETENTION_OFFICER, "mission"
    ),
    DemoAccount(
        "hrddp.officer", "Samuel Okafor (HRDDP focal point)", Role.HRDDP_OFFICER, "mission"
    ),
    DemoAccount(
        "community.officer",
        "Fatou Sow (community policing officer, Korrin IDP camp)",
        Role.COMMUNITY_OFFICER,
        "site:korrin-camp",
    ),
    DemoAccount("hr.officer", "Aisha Karim (human rights section)", Role.HUMAN_RIGHTS, "mission"),
    DemoAccount("partner", "Col. Pieter Janssen (military liaison)", Role.PARTNER, "mission"),
    DemoAccount("auditor", "Ruth Achieng (oversight)", Role.AUDITOR, "mission"),
    DemoAccount("admin", "System administrator", Role.ADMIN, "mission"),
]


def database_is_empty() -> bool:
    return not Mission.objects.exists() and not User.objects.exists()


def _scope(account: DemoAccount, mission: Mission) -> dict[str, object]:
    if account.scope.startswith("site:"):
        return {"site": FieldSite.objects.get(mission=mission, code=account.scope[5:])}
    if account.scope.startswith("sector:"):
        return {"sector": Sector.objects.get(mission=mission, code=account.scope[7:])}
    return {}


@transaction.atomic
def load_demo(*, seed: int, end: date | None = None) -> Mission:
    """Create (or re-create) the demo mission from ``seed``; returns the mission."""
    end = end or timezone.now().date()
    scenario = generate_scenario(seed, end=end)
    if Mission.objects.filter(code=scenario.mission_code).exists():
        raise RuntimeError(
            "The demo mission already exists; regenerate into an empty database "
            "(operational records are never deleted)."
        )
    mission = _load_structure(scenario)
    _load_force(scenario, mission)
    _load_accounts(mission)
    _load_incidents(scenario, mission)
    _load_capabilities(mission)
    evaluated = load_demo_patrol_weeks(mission, seed=seed, end=end)
    evaluation_demo.load_demo_intervention(mission, end=scenario.end)
    load_demo_assessment(
        mission, end=scenario.incidents[-1].occurred_at if scenario.incidents else None
    )
    audit.record(
        actor=None,
        action="demo-load",
        resource=Resource.MISSION,
        object_id=mission.pk,
        mission_id=mission.pk,
        detail={"seed": seed, "incidents": len(scenario.incidents), "patrol_weeks": evaluated},
    )
    return mission


def demo_definition(scenario: Scenario) -> dict[str, Any]:
    """The demo mission as a mission definition (``docs/missions.md``), like any real mission."""

    def polygon(points: Any) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}

    return {
        "code": scenario.mission_code,
        "name": scenario.mission_name,
        "host_country": scenario.country_name,
        "timezone": scenario.timezone,
        "languages": ["en", "fr"],
        "synthetic": True,
        "mandate": {
            "chapter_vii": True,
            "poc_mandate": True,
            "authority": Authority.QUASI_EXECUTIVE.value,
            "conditions": {
                "requires_national_absence": True,
                "requires_host_request": True,
                "text": (
                    "Urgent temporary measures: arrest and detention only where national police "
                    "are absent or not operational, at the request of the Varonian government."
                ),
            },
        },
        "sop": {"detention": {"handover_target_hours": 48, "hard_limit_hours": 72}},
        "boundary": polygon(scenario.boundary),
        "sectors": [
            {"code": s.code, "name": s.name, "boundary": polygon(s.boundary)}
            for s in scenario.sectors
        ],
        "sites": [
            {
                "code": site.code,
                "name": site.name,
                "sector": site.sector,
                "kind": site.kind,
                "latitude": site.latitude,
                "longitude": site.longitude,
                "national_police_present": site.national_police_present,
                "national_police_operational": site.national_police_operational,
                "population": site.population,
                "market_days": sorted(site.market_days),
            }
            for site in scenario.sites
        ],
        "components": [
            {"kind": ComponentKind.UNPOL.value, "name": "MINUVAR Police"},
            {"kind": ComponentKind.MILITARY.value, "name": "MINUVAR Force"},
            {"kind": ComponentKind.HUMAN_RIGHTS.value, "name": "Human Rights Division"},
            {"kind": ComponentKind.CIVIL_AFFAIRS.value, "name": "Civil Affairs Section"},
            {"kind": ComponentKind.JMAC.value, "name": "Joint Mission Analysis Centre"},
        ],
        "partners": [
            {"kind": PartnerKind.HOST_POLICE.value, "name": "Varonian National Police"},
            {"kind": PartnerKind.HOST_GENDARMERIE.value, "name": "Varonian Gendarmerie"},
            *(
                {"kind": kind.value, "name": name, "parent": parent, "site": site}
                for kind, parent, name, site in [
                    (
                        PartnerKind.HOST_POLICE,
                        "Varonian National Police",
                        "Orlan police district",
                        "orlan-station",
                    ),
                    (
                        PartnerKind.HOST_POLICE,
                        "Varonian National Police",
                        "Lissa police post",
                        "lissa-station",
                    ),
                    (
                        PartnerKind.HOST_GENDARMERIE,
                        "Varonian Gendarmerie",
                        "Gendarmerie mobile squadron 3",
                        "ashgrove-base",
                    ),
                ]
            ),
            {"kind": PartnerKind.NGO.value, "name": "Varonia Women's Protection Network"},
        ],
    }


def _load_structure(scenario: Scenario) -> Mission:
    """Set the demo mission up through the same service as any mission definition."""
    parsed = definition.parse(demo_definition(scenario))
    mission = mission_services.mission_create(actor=None, definition=parsed, via="demo").mission
    mission.settings = {**mission.settings, "demo_seed": scenario.seed}
    mission.save(update_fields=["settings"])
    return mission


def _load_force(scenario: Scenario, mission: Mission) -> None:
    countries = {}
    for spec in scenario.countries:
        countries[spec.code], _ = ContributingCountry.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "is_synthetic": True,
                "capital_approval_delay_days": spec.capital_approval_delay_days,
            },
        )
    sites = {s.code: s for s in FieldSite.objects.filter(mission=mission)}
    for caveat in scenario.caveats:
        Caveat.objects.create(
            mission=mission,
            country=countries[caveat.country],
            kind=caveat.kind,
            parameters=caveat.parameters,
            description=caveat.description,
        )
    for fpu in scenario.fpus:
        FormedPoliceUnit.objects.create(
            mission=mission,
            country=countries[fpu.country],
            name=fpu.name,
            strength=fpu.strength,
            platoons=fpu.platoons,
            women=fpu.women,
            home_site=sites[fpu.home_site],
        )
    IndividualPoliceOfficer.objects.bulk_create(
        IndividualPoliceOfficer(
            mission=mission,
            country=countries[ipo.country],
            service_number=ipo.service_number,
            rank=ipo.rank,
            gender=ipo.gender,
            years_of_service=ipo.years_of_service,
            languages=list(ipo.languages),
            skills=list(ipo.skills),
            site=sites[ipo.site],
        )
        for ipo in scenario.ipos
    )


def _load_accounts(mission: Mission) -> None:
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(username=account.username, display_name=account.display_name)
            # The administrator manages accounts in the admin site, which lists no
            # operational content; staff status gives nothing through the access module.
            user.is_staff = user.is_superuser = account.role == Role.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.create(
            user=user, role=account.role, mission=mission, **_scope(account, mission)
        )
        if mfa.required_for(user) and not mfa.enrolled(user):
            TotpDevice.objects.create(
                user=user,
                name="Demo authenticator",
                confirmed=True,
                secret=DEMO_TOTP_SECRET,
                created_at=timezone.now(),
            )


def _load_capabilities(mission: Mission) -> None:
    """Give the demo something to show in the field guide, detention, HRDDP, engagement and
    patrol planning (the rules first: they gate the detention register)."""
    load_demo_rules(mission)
    load_demo_detention(mission)
    load_demo_sharing(mission)
    load_demo_engagement(mission)
    planner = User.objects.get(username="planner")
    for site in FieldSite.objects.filter(
        mission=mission, code__in=["ashgrove-base", "lissa-station"]
    ):
        patrol_teams_from_deployment(actor=planner, site_id=site.pk)


def _load_incidents(scenario: Scenario, mission: Mission) -> None:
    sites = {s.code: s for s in FieldSite.objects.filter(mission=mission)}
    reporter = User.objects.get(username="reporter")
    batch = []
    # The demo's intervention that was not randomised halves the incidents of its area.
    camp = next(s for s in scenario.sites if s.code == evaluation_demo.SITE)
    for spec in evaluation_demo.thin(
        scenario.incidents, site=camp, end=scenario.end, seed=scenario.seed
    ):
        site = sites[spec.site]
        batch.append(
            Incident(
                mission=mission,
                sector_id=site.sector_id,
                site=site,
                title=spec.title,
                incident_type=spec.incident_type,
                occurred_at=spec.occurred_at,
                latitude=spec.latitude,
                longitude=spec.longitude,
                h3_cell=h3_cell(spec.latitude, spec.longitude),
                priogrid_gid=priogrid_gid(spec.latitude, spec.longitude),
                perpetrator_category=spec.perpetrator_category,
                perpetrator_actor=spec.perpetrator_actor,
                civilian_targeting=spec.civilian_targeting,
                fatalities_best=spec.fatalities_best,
                fatalities_low=spec.fatalities_low,
                fatalities_high=spec.fatalities_high,
                victims_women=spec.victims_women,
                victims_men=spec.victims_men,
                victims_girls=spec.victims_girls,
                victims_boys=spec.victims_boys,
                weapons=list(spec.weapons),
                poc_tier=spec.poc_tier,
                poc_phase=spec.poc_phase,
                source_reliability=spec.source_reliability,
                information_credibility=spec.information_credibility,
                classification=spec.classification,
                compartments=spec.compartments,
                status=spec.status,
                reported_by=reporter,
                reported_at=spec.occurred_at,
                source="demo",
                external_id=spec.external_id,
            )
        )
    Incident.objects.bulk_create(batch, batch_size=500)

"""The named people of the test mission: the ``world`` fixture of every app's tests.

A mission with two sectors and named people, so permission tests read like sentences ("a
reporter at site A cannot see site B's incidents"); and another mission, with an outsider.
"""

from __future__ import annotations

from types import SimpleNamespace

from bluebox.core.roles import Role
from bluebox.testing.factories import FieldSiteFactory, MissionFactory, SectorFactory, person


def build_world() -> SimpleNamespace:
    """The test mission, its sectors and sites, another mission, and the named people."""
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
    w.community_officer = person("community_officer", Role.COMMUNITY_OFFICER, site=site_a)
    w.human_rights_officer = person("hr_officer", Role.HUMAN_RIGHTS, mission=mission)
    w.partner = person("partner", Role.PARTNER, mission=mission)
    w.auditor = person("auditor", Role.AUDITOR, mission=mission)
    w.admin = person("admin", Role.ADMIN, mission=mission)
    w.outsider = person("outsider")
    w.other_commander = person("other_commander", Role.COMMANDER, mission=other_mission)
    return w

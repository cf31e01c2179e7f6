"""Each person's menu lists the modules their roles let them use, and every link in it opens."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from bluebox.testing.matrix import PEOPLE

NAV_LINK = re.compile(r'<a href="([^"]+)" data-module="([^"]+)">')
EVERY_MEMBER = {"dashboard"}
# The field guide: everyone who acts in the mission, and the administrator who loads its rules.
GUIDE = {"guide"}
# The mission's people: its administrator manages them, its commanders read who holds what.
PEOPLE_PAGE = {"people"}
# The operational picture: for everyone who sees incidents (its one map of every layer).
PICTURE = {"map"}

# What each person of the `world` fixture finds in their menu.
MENUS = {
    "commissioner": EVERY_MEMBER
    | GUIDE
    | PEOPLE_PAGE
    | PICTURE
    | {"incidents", "alerts", "forecast", "deployment", "patrols", "detention", "hrddp", "field"}
    | {"assessment", "sharing", "engagement"},
    # Reporters and analysts read the detention register of what they see (pseudonyms, clocks).
    "reporter_at_a": EVERY_MEMBER
    | GUIDE
    | PICTURE
    | {"incidents", "alerts", "forecast", "patrols", "detention", "field", "assessment"},
    "analyst": EVERY_MEMBER
    | GUIDE
    | PICTURE
    | {
        "incidents",
        "alerts",
        "forecast",
        "deployment",
        "patrols",
        "detention",
        "field",
        "assessment",
        "sharing",
        "engagement",
    },
    "planner": EVERY_MEMBER
    | GUIDE
    | PICTURE
    | {"incidents", "forecast", "deployment", "patrols", "field", "assessment"}
    | {"engagement"},
    "detention_officer": EVERY_MEMBER | GUIDE | PICTURE | {"incidents", "detention"},
    # Courses for host-state units are read by the HRDDP focal point.
    "hrddp_officer": EVERY_MEMBER | GUIDE | PICTURE | {"incidents", "hrddp", "engagement"},
    # Dialogues, committees and courses.
    "community_officer": EVERY_MEMBER | GUIDE | {"engagement"},
    "auditor": {"audit"},
    "admin": EVERY_MEMBER | GUIDE | PEOPLE_PAGE,
    "outsider": set(),
}


def _menu(client: Client) -> dict[str, str]:
    page = client.get(reverse("dashboard")).content.decode()
    if 'id="nav"' not in page:
        return {}
    nav = page[page.index('id="nav"') : page.index("</nav>")]
    return {key: url for url, key in NAV_LINK.findall(nav)}


@pytest.mark.parametrize("who", PEOPLE)
def test_every_link_in_the_menu_opens(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    refused = {
        key: status
        for key, url in _menu(client).items()
        if (status := client.get(url).status_code) != 200
    }
    assert refused == {}, who


@pytest.mark.parametrize("who", sorted(MENUS))
def test_the_menu_follows_the_roles(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    assert set(_menu(client)) == MENUS[who]

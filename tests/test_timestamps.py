"""Every time of day a page shows carries its time zone: a reporter in one zone and an analyst in
another must not read the same "08:00" as two different moments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from bluebox.testing.factories import IncidentFactory

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bluebox"
# A |date format with a time of day (H:i, G:i...) and no zone (T, e, O or P) in it.
TIME_OF_DAY = re.compile(r'\|date:"([^"]*[HGhg]:i[^"]*)"')


def test_no_template_shows_a_time_without_its_zone():
    missing = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for fmt in TIME_OF_DAY.findall(line)
        if not re.search(r"(?<!\\)[TeOP]", fmt)
    ]
    assert missing == []


@pytest.mark.django_db
def test_an_incident_page_says_which_zone_its_times_are_in(world):
    incident = IncidentFactory(site=world.site_a)
    client = Client()
    client.force_login(world.analyst)
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", html)

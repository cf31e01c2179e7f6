"""A forecast's warning speaks every language of the mission: its CAP document carries one
<info> per language, each with the headline, the event and the reasons in that language, and
stays a valid CAP 1.2 document; an alert a person typed keeps its one <info>."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from bluebox.alerts import cap as cap_documents
from bluebox.alerts.services import warning_draft
from bluebox.forecasting import jobs, services
from bluebox.forecasting.models import CandidateStatus, WarningCandidate
from bluebox.forecasting.tests.factories import TODAY, incidents_at_site_a, small_settings

pytestmark = pytest.mark.django_db

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ARABIC = re.compile("[\u0600-\u06ff]")


def _drafted(world, django_capture_on_commit_callbacks):
    small_settings(world.mission, model="lightgbm", warning_threshold=0.2)
    world.mission.settings = {**world.mission.settings, "languages": ["en", "fr", "ar"]}
    world.mission.save(update_fields=["settings"])
    incidents_at_site_a(world)
    with django_capture_on_commit_callbacks(execute=False):
        run = services.forecast_run_request(
            actor=world.analyst, mission_id=world.mission.pk, today=TODAY
        )
    run = jobs.forecast_run_execute(run_id=run.pk)
    candidate = WarningCandidate.objects.filter(run=run, status=CandidateStatus.DRAFTED).first()
    assert candidate is not None and candidate.cap_alert is not None
    return candidate


def test_a_forecast_warning_has_an_info_in_each_mission_language(
    world, django_capture_on_commit_callbacks
):
    candidate = _drafted(world, django_capture_on_commit_callbacks)
    cap = candidate.cap_alert
    assert cap.texts["description"]["params"]["reasons"], "the reasons are kept as messages"
    document = cap_documents.cap_xml(cap)
    assert cap_documents.validate(document) == []
    infos = {
        i.findtext(f"{CAP}language"): i for i in etree.fromstring(document).findall(f"{CAP}info")
    }
    assert list(infos) == ["en", "fr", "ar"]
    site = candidate.area.site.name
    english, french, arabic = (
        {k: infos[code].findtext(f"{CAP}{k}") for k in ("event", "headline", "description")}
        for code in ("en", "fr", "ar")
    )
    assert english["headline"] == cap.headline and site in english["headline"]
    for said in (french, arabic):
        assert site in said["headline"] and said["headline"] != english["headline"]
        assert said["event"] != english["event"]
        assert f"{candidate.area.percent}" in said["description"]
        assert candidate.area.period in said["description"]
    assert "Principales raisons" in french["description"] and "civils" in french["description"]
    assert ARABIC.search(arabic["headline"]) and ARABIC.search(arabic["description"])
    # The reasons are said in Arabic too, not pasted in English.
    reasons = arabic["description"].split("الأسباب الرئيسية:")[1]
    assert ARABIC.search(reasons) and not re.search(r"\b(civilians|attacks?)\b", reasons)
    # Everything but the words is the same in every block.
    for code in ("fr", "ar"):
        for tag in ("severity", "urgency", "certainty", "expires"):
            assert infos[code].findtext(f"{CAP}{tag}") == infos["en"].findtext(f"{CAP}{tag}")


def test_an_alert_a_person_typed_keeps_its_one_info(world):
    world.mission.settings = {**(world.mission.settings or {}), "languages": ["en", "fr", "ar"]}
    world.mission.save(update_fields=["settings"])
    cap = warning_draft(
        actor=world.analyst,
        mission=world.mission,
        area={"description": "Camp A", "circle": (3.0, -9.5, 5)},
        headline="Armed group seen near Camp A",
        description="Typed by the analyst.",
        severity="Severe",
        certainty="Likely",
        urgency="Expected",
        restriction="Mission personnel",
    )
    document = cap_documents.cap_xml(cap)
    assert cap_documents.validate(document) == []
    infos = etree.fromstring(document).findall(f"{CAP}info")
    assert [i.findtext(f"{CAP}language") for i in infos] == ["en"]

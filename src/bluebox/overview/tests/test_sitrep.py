"""The weekly situation report holds what its reader may see, in every format.

A hand-built world: week 2026-W46 (Monday 9 to Sunday 15 November 2026) at sites A (sector
East) and B (sector West), the week before, an earlier week, and records the report must leave
out (voided, the next week, another mission). The commissioner sees everything; the reporter
at site A sees site A's confidential records only, and is the attacker of the last tests.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import hxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bluebox.alerts import services as alert_services
from bluebox.alerts.intake import InboundMessage
from bluebox.alerts.models import Channel
from bluebox.core.models import AuditEntry
from bluebox.detention.models import Breach
from bluebox.detention.tests.factories import ApprehensionFactory
from bluebox.overview import sitrep
from bluebox.patrols.models import Patrol, PatrolPlan, PlannedPatrol, PlanStatus
from bluebox.patrols.tests.factories import PatrolTeamFactory
from bluebox.testing.factories import FieldSiteFactory, IncidentFactory
from bluebox.testing.validators import hxlvalidate, pdf_report

WEEK = sitrep.Week(date(2026, 11, 9))
MONDAY = datetime(2026, 11, 9, tzinfo=UTC)
SECRET_AT_B = "Massacre at the cattle market"


def at(days: float, hours: float = 10) -> datetime:
    """A moment ``days`` after the report week's Monday (negative: the weeks before)."""
    return MONDAY + timedelta(days=days, hours=hours)


def incident(site, when, **fields):
    return IncidentFactory(site=site, occurred_at=when, reported_at=when, **fields)


@pytest.fixture
def week(world):
    a, b = world.site_a, world.site_b
    incident(
        a,
        at(1),
        title="Attack on the camp's east gate",
        status="verified",
        perpetrator_category="armed_group",
        fatalities_best=3,
        fatalities_high=3,
        fatalities_civilians=2,
        victims_women=1,
    )
    incident(a, at(2), incident_type="roadblock", perpetrator_category="criminal_group")
    incident(a, at(3), incident_type="looting", status="verified", victims_men=2)
    # Sunday 23:30 is the week's; Monday 00:00 the next week's.
    incident(a, at(6, 23.5), incident_type="threat")
    incident(a, at(7, 0), incident_type="threat", title="Next week's threat")
    incident(
        a,
        at(4),
        incident_type="abduction",
        classification=2,
        title="Strictly confidential abduction",
    )
    incident(
        b,
        at(2),
        title=SECRET_AT_B,
        status="verified",
        perpetrator_category="militia",
        fatalities_best=5,
        fatalities_high=5,
        victims_unknown=4,
        classification=2,
    )
    incident(b, at(5), incident_type="arson", title="Shelters burnt at the market")
    voided = incident(a, at(1), title="Voided report")
    voided.voided_at = at(8)
    voided.void_reason = "Entered twice"
    voided.save()
    incident(world.other_site, at(1), title="Other mission's killing")
    # The week before, and the earlier weeks of the four-week average.
    incident(a, at(-6))
    incident(b, at(-5))
    for n in range(3):
        incident(a, at(-20 + n), incident_type="roadblock")
    incident(b, at(-19), incident_type="roadblock")
    incident(a, at(-40), title="Six weeks before: outside the average")
    return world


def report(user, world, sector=None):
    return sitrep.sitrep(user, mission=world.mission, sector=sector, week=WEEK)


def test_the_commissioner_s_week_in_figures(week):
    r = report(week.commissioner, week)
    assert (r.incidents.value, r.incidents.previous, r.incidents.average) == (7, 2, 1.5)
    by_type = {f.code: (f.value, f.previous, f.average) for f in r.by_type}
    assert by_type == {
        "killing": (2, 2, 0.5),
        "roadblock": (1, 0, 1.0),
        "looting": (1, 0, 0.0),
        "threat": (1, 0, 0.0),
        "abduction": (1, 0, 0.0),
        "arson": (1, 0, 0.0),
    }
    assert str(r.by_type[0].label) == "Killing"
    assert {f.code: f.value for f in r.by_perpetrator} == {
        "armed_group": 1,
        "criminal_group": 1,
        "militia": 1,
        "unknown": 4,
    }
    assert (r.verified, r.unverified) == (3, 4)
    assert (r.fatalities, r.victims, r.civilians_killed) == (8, 7, 2)
    assert [(f.code, f.label, f.value) for f in r.top_sites] == [
        ("site-a", "Site A", 5),
        ("site-b", "Site B", 2),
    ]
    assert [(s.summary, s.place, s.fatalities) for s in r.serious] == [
        (SECRET_AT_B, "Site B", 5),
        ("Attack on the camp's east gate", "Site A", 3),
        (r.serious[2].summary, "Site A", 0),
    ]
    assert str(r.serious[2].type_label) == "Looting"
    assert r.classification == 2
    # Eight weeks drawn, the report's week last, summing to what the weeks hold.
    assert r.chart_weeks[-1] == WEEK.start and len(r.chart_weeks) == sitrep.CHART_WEEKS
    totals = [sum(counts[i] for _label, counts in r.chart_series) for i in range(8)]
    assert totals[-1] == 7 and totals[-2] == 2 and sum(totals) == 14


def test_a_sector_report_holds_the_sector_only(week):
    r = report(week.commissioner, week, sector=week.west)
    assert (r.incidents.value, r.incidents.previous) == (2, 1)
    assert [f.code for f in r.top_sites] == ["site-b"]
    assert r.civilians_killed is None  # nothing in the sector records it: not "0"


def test_the_reporter_at_a_counts_what_they_may_see(week):
    r = report(week.reporter_at_a, week)
    # Site A's confidential records: not site B's, not the strictly confidential abduction.
    assert (r.incidents.value, r.incidents.previous, r.incidents.average) == (4, 1, 1.0)
    assert (r.verified, r.unverified) == (2, 2)
    assert (r.fatalities, r.victims, r.civilians_killed) == (3, 3, 2)
    assert [f.code for f in r.top_sites] == ["site-a"]
    assert SECRET_AT_B not in [s.summary for s in r.serious]
    assert r.classification == 1
    # Their report on sector West (which they may name) is empty, not site B's.
    west = report(week.reporter_at_a, week, sector=week.west)
    assert west.incidents.value == 0 and west.top_sites == [] and west.serious == []


@pytest.fixture
def operations(week):
    """Alerts, custody and patrols of the week."""
    w = week
    channel = Channel.objects.create(mission=w.mission, name="Hotline", secret="s3cret")

    def receive(when, text):
        message = InboundMessage(
            sender="+23672123456", text=text, sent_at=when, external_id=f"m{when.timestamp()}"
        )
        return alert_services.alert_receive(channel=channel, message=message, now=when)

    quick = receive(at(1), "Armed men at the well")
    alert_services.alert_acknowledge(
        actor=w.analyst, alert_id=quick.pk, now=quick.received_at + timedelta(minutes=1)
    )
    alert_services.alert_respond(
        actor=w.analyst, alert_id=quick.pk, now=quick.respond_due_at - timedelta(minutes=1)
    )
    late = receive(at(2), "Shots heard near the school")
    alert_services.alert_respond(
        actor=w.analyst, alert_id=late.pk, now=late.respond_due_at + timedelta(hours=1)
    )
    receive(at(3), "Cattle taken from the north field")
    twice = receive(at(3, 14), "Smoke over the river crossing")
    alert_services.alert_close(
        actor=w.analyst, alert_id=twice.pk, reason="Same as an earlier call", duplicate=True
    )
    receive(at(-3), "Last week's call")

    held_a = ApprehensionFactory(site=w.site_a, apprehended_at=at(1), recorded_by=w.analyst)
    held_b = ApprehensionFactory(site=w.site_b, apprehended_at=at(2), recorded_by=w.analyst)
    ApprehensionFactory(site=w.site_a, apprehended_at=at(-10), recorded_by=w.analyst)
    for held, kind in ((held_a, "target"), (held_b, "limit")):
        Breach.objects.create(
            mission=w.mission,
            apprehension=held,
            deadline=kind,
            deadline_at=held.apprehended_at + timedelta(hours=48),
            detected_at=held.apprehended_at + timedelta(hours=48),
        )

    team = PatrolTeamFactory(site=w.site_a)
    plans = {}
    for status in (PlanStatus.APPROVED, PlanStatus.DRAFT):
        plans[status] = PatrolPlan.objects.create(
            week_start=WEEK.start,
            version=1 if status == PlanStatus.APPROVED else 2,
            status=status,
            generated_by=w.planner,
            generated_at=at(-2),
            mission=w.mission,
            sector=w.east,
            site=w.site_a,
        )

    def planned(plan, day):
        return PlannedPatrol.objects.create(
            plan=plan,
            mission=w.mission,
            sector=w.east,
            site=w.site_a,
            team=team,
            date=WEEK.start + timedelta(days=day),
            slot=f"d{day}-morning",
            shift="morning",
            area="8a2a1072b59ffff",
            depart="08:00",
            arrive="08:30",
            leave="11:30",
            back="12:00",
        )

    first = planned(plans[PlanStatus.APPROVED], 0)
    planned(plans[PlanStatus.APPROVED], 2)
    planned(plans[PlanStatus.DRAFT], 4)  # a draft plans nothing yet

    def done(when, plan_row=None):
        Patrol.objects.create(
            mission=w.mission,
            sector=w.east,
            site=w.site_a,
            team=team,
            planned=plan_row,
            started_at=when,
            ended_at=when + timedelta(hours=2),
            members=8,
            recorded_by=w.reporter_at_a,
            recorded_at=when + timedelta(hours=3),
        )

    done(at(0, 8), first)
    done(at(3, 15))
    done(at(-4))
    return w


def test_alerts_custody_and_patrols_of_the_week(operations):
    r = report(operations.commissioner, operations)
    assert r.alerts == sitrep.Alerts(
        raised=3, acknowledged_in_time=1, answered=2, answered_in_time=1
    )
    assert r.detention == sitrep.Detention(
        taken_into_custody=2, target_breaches=1, limit_breaches=1
    )
    assert r.patrols == sitrep.Patrols(planned=2, done=2, done_as_planned=1)


def test_a_part_the_reader_holds_no_role_for_is_left_out(operations):
    r = report(operations.hrddp_officer, operations)
    assert r.incidents.value > 0
    assert r.alerts is None and r.patrols is None


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(user, world, path, **query):
    params = {"mission": world.mission.pk, "week": WEEK.iso, **query}
    return _client(user).get(path, params)


def test_the_page_shows_the_week_and_links_the_downloads(week):
    response = _get(week.analyst, week, "/sitrep/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-week="2026-W46"' in page and "STRICTLY CONFIDENTIAL" in page
    assert f"/sitrep/report.pdf?mission={week.mission.pk}&amp;week=2026-W46" in page
    assert SECRET_AT_B in page and "<svg" in page
    entry = AuditEntry.objects.filter(action="sitrep").latest("seq")
    assert entry.detail["week"] == "2026-W46" and entry.detail["format"] == "html"


def test_the_default_week_is_the_last_complete_one(week):
    response = _client(week.analyst).get("/sitrep/", {"mission": week.mission.pk})
    expected = sitrep.Week.last_complete(datetime.now(UTC)).iso
    assert f'data-week="{expected}"' in response.content.decode()


@pytest.mark.parametrize("bad", ["2026-47", "2026-W60", "26-W01", "1850-W01", "2026-W4x"])
def test_a_bad_week_is_a_clear_400(week, bad):
    assert _get(week.analyst, week, "/sitrep/", week=bad).status_code == 400


def test_the_page_speaks_french_and_arabic(week):
    fr = _client(week.analyst).get(f"/fr/sitrep/?mission={week.mission.pk}&week=2026-W46")
    assert "Rapport de situation hebdomadaire" in fr.content.decode()
    assert "Meurtre" in fr.content.decode()
    ar = _client(week.analyst).get(f"/ar/sitrep/?mission={week.mission.pk}&week=2026-W46")
    assert "تقرير الحالة الأسبوعي" in ar.content.decode()


def test_the_pdf_is_marked_on_every_page(week):
    response = _get(week.commissioner, week, "/sitrep/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pages = pdf_report(response.content)["pages"]
    assert pages
    for text in pages:
        assert "STRICTLY CONFIDENTIAL" in text
    text = "\n".join(pages)
    assert "2026-W46" in text and SECRET_AT_B in text


def test_the_csv_carries_hxl_tags_and_the_figures(week):
    response = _get(week.commissioner, week, "/sitrep/figures.csv")
    assert response.status_code == 200
    body = response.content.decode()
    passed, problems = hxlvalidate(body)
    assert passed, problems
    dataset = hxl.data(io.BytesIO(body.encode()), hxl.InputOptions(allow_local=True))
    tags = [column.get_display_tag(sort_attributes=True) for column in dataset.columns]
    assert "#indicator+code" in tags and "#indicator+num+value" in tags
    assert "#date+start" in tags and "#meta+classification" in tags
    rows = list(csv.DictReader(io.StringIO(body)))[1:]
    figures = {(r["figure"], r["category"]): r for r in rows}
    assert figures[("incidents", "")]["value"] == "7"
    assert figures[("incidents", "")]["previous_week"] == "2"
    assert figures[("incidents", "")]["four_week_average"] == "1.5"
    assert figures[("incidents_by_type", "killing")]["label"] == "Killing"
    assert figures[("incidents_by_site", "site-b")]["value"] == "2"
    assert {r["classification"] for r in rows} == {"STRICTLY_CONFIDENTIAL"}
    assert {r["week_start"] for r in rows} == {"2026-11-09"}


# --- as an attacker: the reporter at site A tries to learn about site B -----------------------


def test_the_reporter_at_a_finds_nothing_of_site_b_in_any_format(week):
    hidden = [SECRET_AT_B, "Site B", "site-b", "Shelters burnt", "Strictly confidential abduction"]
    page = _get(week.reporter_at_a, week, "/sitrep/").content.decode()
    printed = _get(week.reporter_at_a, week, "/sitrep/report.pdf").content
    pdf = "\n".join(pdf_report(printed)["pages"])
    table = _get(week.reporter_at_a, week, "/sitrep/figures.csv").content.decode()
    for text in (page, pdf, table):
        for word in hidden:
            assert word not in text
        assert "STRICTLY CONFIDENTIAL" not in text  # the marking says nothing of them either
    rows = list(csv.DictReader(io.StringIO(table)))[1:]
    assert {(r["figure"], r["category"]) for r in rows if r["figure"] == "incidents_by_site"} == {
        ("incidents_by_site", "site-a")
    }
    assert next(r for r in rows if r["figure"] == "incidents")["value"] == "4"


def test_naming_site_b_s_sector_gives_an_empty_report_not_its_incidents(week):
    table = _get(week.reporter_at_a, week, "/sitrep/figures.csv", sector=week.west.pk)
    rows = list(csv.DictReader(io.StringIO(table.content.decode())))[1:]
    assert next(r for r in rows if r["figure"] == "incidents")["value"] == "0"
    assert "site-b" not in table.content.decode()


def test_another_mission_or_sector_answers_as_missing(week):
    other_sector = FieldSiteFactory(sector__mission=week.other_mission).sector
    for query in ({"mission": week.other_mission.pk}, {"sector": other_sector.pk}):
        assert _get(week.reporter_at_a, week, "/sitrep/", **query).status_code == 404
    # Without a role that sees incidents there is no report at all.
    assert _get(week.auditor, week, "/sitrep/figures.csv").status_code == 403


def test_the_dashboard_links_the_report_for_those_who_see_incidents(week):
    assert 'id="sitrep-link"' in _client(week.analyst).get("/").content.decode()
    assert 'id="sitrep-link"' not in _client(week.partner).get("/").content.decode()


def test_the_report_costs_the_same_queries_however_many_incidents(operations):
    reader = operations.commissioner
    report(reader, operations)  # the reader's roles are read once, then kept on them
    with CaptureQueriesContext(connection) as few:
        report(reader, operations)
    for n in range(60):
        site = operations.site_a if n % 2 else operations.site_b
        incident(site, at(n % 7), status="verified", fatalities_best=1, fatalities_high=1)
    report(reader, operations)
    with CaptureQueriesContext(connection) as many:
        busy = report(reader, operations)
    assert busy.incidents.value == 67
    assert len(many.captured_queries) == len(few.captured_queries)

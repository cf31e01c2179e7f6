"""Outcome indicators computed from the registers for each audience, or entered with evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from bluebox.assessment import selectors, services
from bluebox.assessment.models import IndicatorValue
from bluebox.core.classification import Classification
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.engagement.services import commitment_update
from bluebox.engagement.tests.factories import commitment_row, dialogue, session
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.validators import hxlvalidate

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def _incident(site, **kwargs):
    return IncidentFactory(
        site=site, occurred_at=datetime(2026, 11, 10, 8, 0, tzinfo=UTC), **kwargs
    )


@pytest.fixture
def defined(world):
    world.site_a.population = 20_000
    world.site_a.save()
    world.site_b.population = 5_000
    world.site_b.save()
    indicator = services.indicator_define(
        actor=world.analyst,
        mission_id=world.mission.pk,
        code="poc-incidents",
        name="Incidents against civilians per 10,000 people",
        definition="Incidents targeting civilians in the period, per 10,000 residents.",
        unit="per_10k",
        source="computed",
        computation="incidents_against_civilians_per_10k",
        owner="Police analysis cell",
        baseline=3.0,
        target=1.5,
        higher_is_better=False,
        disaggregation="sector",
    )
    for _ in range(4):
        _incident(world.site_a)
    _incident(world.site_b)
    _incident(world.site_b, civilian_targeting=False)
    return indicator


def _latest(user, indicator, sector=None):
    values = [v for v in selectors.indicator_values(user, indicator) if v.sector_id == sector]
    return values[-1] if values else None


def test_values_per_10k_by_sector_with_their_provenance(world, defined):
    services.indicators_compute(
        actor=world.analyst, mission_id=world.mission.pk, period_start=NOV[0], period_end=NOV[1]
    )
    mission = _latest(world.commissioner, defined)
    assert mission.value == pytest.approx(10_000 * 5 / 25_000)
    assert mission.provenance["records"] == 5 and mission.provenance["register"] == "incidents"
    east = _latest(world.commissioner, defined, world.east.pk)
    assert east.value == pytest.approx(10_000 * 4 / 20_000)


def test_a_sector_reader_gets_their_sector_only_and_nothing_mission_wide(world, defined):
    services.indicators_compute(
        actor=world.analyst, mission_id=world.mission.pk, period_start=NOV[0], period_end=NOV[1]
    )
    values = selectors.indicator_values(world.east_analyst, defined)
    assert {v.sector_id for v in values} == {world.east.pk}


def test_a_value_never_counts_what_its_reader_may_not_see(world, defined):
    # A strictly confidential incident: the commissioner's value counts it, the planner's not.
    _incident(world.site_a, classification=Classification.STRICTLY_CONFIDENTIAL)
    services.indicators_compute(
        actor=world.analyst, mission_id=world.mission.pk, period_start=NOV[0], period_end=NOV[1]
    )
    assert _latest(world.commissioner, defined).numerator == 6
    assert _latest(world.planner, defined).numerator == 5
    assert _latest(world.reporter_at_a, defined) is None
    assert not selectors.indicators_for(world.partner).exists()


def test_computing_again_refreshes_rather_than_duplicates(world, defined):
    args = {"actor": world.analyst, "mission_id": world.mission.pk}
    first = services.indicators_compute(**args, period_start=NOV[0], period_end=NOV[1])
    _incident(world.site_a)
    again = services.indicators_compute(**args, period_start=NOV[0], period_end=NOV[1])
    assert first == again == IndicatorValue.objects.count()
    assert _latest(world.commissioner, defined).numerator == 6


def test_entered_values_need_evidence_and_computed_ones_cannot_be_typed(world, defined):
    entered = services.indicator_define(
        actor=world.commissioner,
        mission_id=world.mission.pk,
        code="vetted-officers",
        name="Host-state officers vetted and trained",
        definition="Officers trained after HRDDP vetting.",
        unit="count",
        source="entered",
        owner="Capacity-building unit",
    )
    with pytest.raises(ServiceError, match="rests on"):
        services.indicator_value_enter(
            actor=world.analyst, indicator_pk=entered.pk, period_start=NOV[0],
            period_end=NOV[1], value=40, evidence=" ",
        )  # fmt: skip
    with pytest.raises(ServiceError, match="computed"):
        services.indicator_value_enter(
            actor=world.analyst, indicator_pk=defined.pk, period_start=NOV[0],
            period_end=NOV[1], value=0.1, evidence="Made up",
        )  # fmt: skip
    services.indicator_value_enter(
        actor=world.analyst, indicator_pk=entered.pk, period_start=NOV[0],
        period_end=NOV[1], value=40, evidence="Training attendance sheets, 3-14 Nov",
    )  # fmt: skip
    assert _latest(world.planner, entered).value == 40


@pytest.mark.parametrize("who", ["planner", "east_analyst", "reporter_at_a", "admin"])
def test_only_mission_analysts_and_commanders_define_and_compute(world, who):
    with pytest.raises(NotPermitted):
        services.indicators_compute(
            actor=getattr(world, who),
            mission_id=world.mission.pk,
            period_start=NOV[0],
            period_end=NOV[1],
        )


def test_dashboard_csv_with_hxl_and_factsheet(world, defined):
    services.indicators_compute(
        actor=world.analyst, mission_id=world.mission.pk, period_start=NOV[0], period_end=NOV[1]
    )
    client = Client()
    client.force_login(world.commissioner)
    page = client.get("/assessment/indicators/").content.decode()
    assert "Incidents against civilians per 10,000 people" in page
    assert "1 of 1 indicators are computed" in page
    csv_text = client.get("/assessment/indicators/export.csv").content.decode()
    assert csv_text.splitlines()[1].startswith("#indicator+code")
    passed, report = hxlvalidate(csv_text)
    assert passed, report
    factsheet = client.get("/assessment/indicators/factsheet.pdf")
    assert factsheet.status_code == 200 and factsheet.content.startswith(b"%PDF")


def _commitments_kept(world):
    return services.indicator_define(
        actor=world.analyst,
        mission_id=world.mission.pk,
        code="commitments-kept",
        name="Commitments to communities kept on time",
        definition="Commitments agreed and due in the period, done by their due date.",
        unit="percent",
        source="computed",
        computation="commitments_kept",
        owner="Community-oriented policing unit",
        disaggregation="sector",
    )


def test_commitments_kept_counts_agreed_ones_done_by_their_due_day(world):
    indicator = _commitments_kept(world)
    due = date(2026, 11, 20)
    s = session(
        world,
        dialogue(world),
        held_on=date(2026, 10, 15),
        commitments=[
            commitment_row(due, text="Kept"),
            commitment_row(due, text="Done late"),
            commitment_row(due, text="Dropped after agreeing"),
            commitment_row(due, text="Still open"),
            commitment_row(due, text="Never agreed", status="proposed"),
            commitment_row(due, text="Dropped before agreeing", status="proposed"),
            commitment_row(date(2026, 12, 5), text="Due next month"),
            commitment_row(due, text="Confidential, kept", classification=2),
        ],
    )
    rows = {c.text: c for c in s.commitments.all()}

    def move(text, status, day):
        commitment_update(
            actor=world.commissioner,
            commitment_id=rows[text].pk,
            status=status,
            evidence="Follow-up meeting minutes",
            now=datetime(2026, 11, day, 12, 0, tzinfo=UTC),
        )

    move("Kept", "done", 20)
    move("Done late", "done", 23)
    move("Dropped after agreeing", "dropped", 10)
    move("Dropped before agreeing", "dropped", 10)
    move("Due next month", "done", 5)
    move("Confidential, kept", "done", 12)
    services.indicators_compute(
        actor=world.analyst, mission_id=world.mission.pk, period_start=NOV[0], period_end=NOV[1]
    )
    # Due in November and agreed: kept, done late, dropped, open, confidential kept -> 2 of 5.
    full = _latest(world.commissioner, indicator)
    assert (full.numerator, full.denominator) == (2, 5)
    assert full.value == pytest.approx(40.0)
    assert full.provenance["register"] == "engagement commitments"
    assert _latest(world.commissioner, indicator, world.east.pk).denominator == 5
    assert _latest(world.commissioner, indicator, world.west.pk).value is None
    # A reader not cleared for the strictly confidential commitment: 1 of 4.
    lesser = _latest(world.planner, indicator)
    assert (lesser.numerator, lesser.denominator) == (1, 4)
    assert lesser.value == pytest.approx(25.0)

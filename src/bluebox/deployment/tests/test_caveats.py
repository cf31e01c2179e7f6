"""Caveats are structured rules: bad parameters are refused with a clear error and change
nothing; only planners and commanders record them."""

from __future__ import annotations

import pytest

from bluebox.core import access
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.deployment import services
from bluebox.deployment.models import Caveat
from bluebox.deployment.tests.factories import CountryFactory, FpuFactory


@pytest.fixture
def pcc(world):
    return CountryFactory(code="PCC", name="Pacifica")


def _create(w, pcc, kind, parameters, **kw):
    return services.caveat_create(
        actor=w.planner,
        mission_id=w.mission.pk,
        country_id=pcc.pk,
        kind=kind,
        parameters=parameters,
        **kw,
    )


@pytest.mark.parametrize(
    ("kind", "parameters", "message"),
    [
        ("excluded_sites", {"sites": ["site-a", "nowhere"]}, "Unknown sites: nowhere."),
        ("excluded_sites", {"sites": []}, "Give a non-empty list of sites."),
        ("excluded_sites", {"sites": ["site-a", "site-a"]}, "listed more than once"),
        ("excluded_sites", {"sites": ["elsewhere"]}, "Unknown sites: elsewhere."),  # other mission
        ("excluded_site_kinds", {"site_kinds": ["beach"]}, "Unknown site kinds: beach."),
        ("excluded_tasks", {"tasks": ["singing"]}, "Unknown tasks: singing."),
        ("capital_approval", {"delay_days": -1}, "between 0 and 365"),
        ("capital_approval", {"delay_days": "7"}, "whole number of days"),
        ("capital_approval", {}, "missing delay_days"),
        ("no_overnight_outside_base", {"sites": ["site-a"]}, "not used by this kind: sites"),
        ("no_such_kind", {}, "Unknown kind of caveat."),
        ("excluded_sites", ["site-a"], "must be an object"),
    ],
)
def test_bad_caveat_parameters_are_refused_and_change_nothing(
    world, pcc, kind, parameters, message
):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ServiceError) as caught:
        _create(world, pcc, kind, parameters)
    assert message in caught.value.message
    assert Caveat.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_good_caveats_are_stored_normalised(world, pcc):
    caveat = _create(world, pcc, "excluded_sites", {"sites": ["site-b", "site-a"]})
    assert caveat.parameters == {"sites": ["site-a", "site-b"]}
    assert _create(world, pcc, "capital_approval", {"delay_days": 14}).parameters == {
        "delay_days": 14
    }
    assert _create(world, pcc, "no_overnight_outside_base", {}).parameters == {}
    assert AuditEntry.objects.filter(resource="force", action="create").count() == 3


def test_a_unit_caveat_must_name_one_of_the_country_s_fpus(world, pcc):
    other = FpuFactory(home_site=world.site_a)  # another country's unit
    with pytest.raises(ServiceError) as caught:
        _create(world, pcc, "no_overnight_outside_base", {}, unit_id=other.pk)
    assert "unit" in caught.value.field_errors
    own = FpuFactory(home_site=world.site_a, country=pcc)
    assert _create(world, pcc, "no_overnight_outside_base", {}, unit_id=own.pk).unit == own


def test_an_update_with_bad_parameters_keeps_the_old_ones(world, pcc):
    caveat = _create(world, pcc, "excluded_sites", {"sites": ["site-a"]})
    with pytest.raises(ServiceError):
        services.caveat_update(actor=world.planner, caveat_id=caveat.pk, parameters={"sites": []})
    caveat.refresh_from_db()
    assert caveat.parameters == {"sites": ["site-a"]}


def test_only_planners_and_commanders_record_caveats(world, pcc):
    with pytest.raises(access.NotPermitted):
        services.caveat_create(
            actor=world.analyst,
            mission_id=world.mission.pk,
            country_id=pcc.pk,
            kind="no_overnight_outside_base",
            parameters={},
        )
    with pytest.raises(access.NotVisible):
        services.caveat_create(
            actor=world.other_commander,
            mission_id=world.mission.pk,
            country_id=pcc.pk,
            kind="no_overnight_outside_base",
            parameters={},
        )
    assert Caveat.objects.count() == 0


def test_roster_nominations_move_forward_only(world, pcc):
    from datetime import date

    nomination = services.roster_nominate(
        actor=world.planner,
        mission_id=world.mission.pk,
        country_id=pcc.pk,
        data={
            "reference": "PAC-0042",
            "rank": "Inspector",
            "gender": "female",
            "specialty": "sgbv",
            "languages": ["fr"],
            "available_from": date(2027, 1, 15),
        },
    )
    assert nomination.status == "nominated"
    with pytest.raises(ServiceError):
        services.roster_nomination_set_status(
            actor=world.planner, nomination_id=nomination.pk, status="deployed"
        )
    for status in ("cleared", "selected", "deployed"):
        nomination = services.roster_nomination_set_status(
            actor=world.planner, nomination_id=nomination.pk, status=status
        )
    assert nomination.status == "deployed"

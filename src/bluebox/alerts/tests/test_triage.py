"""Triage: clocks and escalation, duplicates, guesses, conversion, answers and forwarding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bluebox.alerts import jobs, matching, selectors, services
from bluebox.alerts.models import Alert, OutboundMessage
from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.incidents.models import Incident
from bluebox.testing.second_factor import stepped_up

from .conftest import NOW

PHONE = "+23672123456"


def receive(gateway, text, *, phone=PHONE, at=NOW, external_id=""):
    return services.alert_receive(
        channel=gateway.channel,
        message=services.InboundMessage(
            sender=phone, text=text, sent_at=at, external_id=external_id
        ),
        now=at,
    )


def test_clocks_run_out_and_escalate_once_per_interval(world, gateway):
    alert = receive(gateway, "Armed men near Site A")
    assert selectors.clock(alert, NOW + timedelta(minutes=4)).remaining_s == 360
    assert jobs.alerts_escalate(now=NOW + timedelta(minutes=9)) == []
    assert jobs.alerts_escalate(now=NOW + timedelta(minutes=11)) == [alert.pk]
    assert jobs.alerts_escalate(now=NOW + timedelta(minutes=20)) == []  # within 30 min
    assert jobs.alerts_escalate(now=NOW + timedelta(minutes=42)) == [alert.pk]
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    services.alert_acknowledge(actor=world.reporter_at_a, alert_id=alert.pk, now=NOW)
    # Acknowledged: the respond clock runs (45 min), escalation waits for it.
    assert selectors.clock(Alert.objects.get(), NOW + timedelta(minutes=50)).overdue


def test_the_board_puts_the_most_urgent_first(world, gateway):
    older = receive(gateway, "Looting at Site A", at=NOW - timedelta(minutes=8))
    newer = receive(gateway, "Roadblock at Site A", phone="+23675987654")
    rows = selectors.board(world.analyst, now=NOW)
    assert [a.pk for a, _ in rows] == [older.pk, newer.pk]


def test_a_reporter_triages_alerts_at_their_site_only(world, gateway):
    at_a = receive(gateway, "Shots at Site A")
    at_b = receive(gateway, "Shots at Site B", phone="+23675987654")
    nowhere = receive(gateway, "Something happened", phone="+23677111222")
    assert set(selectors.alerts_for(world.reporter_at_a)) == {at_a}
    assert set(selectors.alerts_for(world.analyst)) == {at_a, at_b, nowhere}
    with pytest.raises(NotVisible):
        services.alert_acknowledge(actor=world.reporter_at_a, alert_id=at_b.pk)
    with pytest.raises(NotPermitted):
        services.alert_forward(actor=world.reporter_at_a, alert_id=at_a.pk)


def test_the_same_caller_repeating_is_a_possible_duplicate(world, gateway):
    first = receive(gateway, "Armed men at the water point of Site A")
    again = receive(gateway, "armed men at the water point Site A!", at=NOW + timedelta(minutes=5))
    other = receive(gateway, "Fire in the market", at=NOW + timedelta(minutes=6))
    assert again.duplicate_of == first and other.duplicate_of is None
    # Another caller, same guessed type and place within the hour.
    near = receive(gateway, "Threat at Site A, armed men", phone="+23675987654")
    assert near.duplicate_of == first


@pytest.mark.parametrize(
    ("text", "kind", "place"),
    [
        ("Two people killed near Site A last night", "killing", "Site A"),
        ("Deux personnes tuées près du site-a", "killing", "Site A"),
        ("Une femme violée au marché PK5", "sgbv", "Kilo 5 market"),
        ("Children abducted on the road to Site B", "abduction", "Site B"),
        ("Barrière illégale et racket à PK5", "roadblock", "Kilo 5 market"),
        ("All quiet", "", ""),
    ],
)
def test_keywords_and_gazetteer_guess_type_and_place(world, gateway, text, kind, place):
    alert = receive(gateway, text)
    assert (alert.guessed_type, alert.guessed_place) == (kind, place)
    assert (kind in alert.match_reason) or not kind


def test_matching_ignores_case_and_accents():
    places = [matching.Place("Bambari", (), 5.7, 20.6)]
    assert matching.guess("BAMBARI: maisons BRÛLÉES", places).incident_type == "arson"
    assert matching.guess("bambari, maisons brulees", places).place is not None


def test_an_alert_becomes_an_incident_without_the_caller(world, gateway):
    alert = receive(gateway, "Two people killed near Site A")
    incident = services.alert_convert(actor=world.reporter_at_a, alert_id=alert.pk, data={})
    assert (incident.incident_type, incident.site) == ("killing", world.site_a)
    assert PHONE not in incident.description and "CALLER" not in incident.title
    alert.refresh_from_db()
    assert alert.status == "converted" and alert.incident == incident
    with pytest.raises(ServiceError):
        services.alert_convert(actor=world.reporter_at_a, alert_id=alert.pk, data={})
    assert Incident.objects.count() == 1


def test_an_alert_without_a_place_needs_a_position_to_convert(world, gateway):
    alert = receive(gateway, "Something bad")
    with pytest.raises(ServiceError):
        services.alert_convert(actor=world.analyst, alert_id=alert.pk, data={})
    incident = services.alert_convert(
        actor=world.analyst, alert_id=alert.pk, data={"latitude": 3.1, "longitude": -9.6}
    )
    assert incident.site is None and incident.latitude == 3.1


def test_forwarding_to_host_police_only_where_the_mission_does_it(world, gateway):
    alert = receive(gateway, "Looting at Site A")
    with pytest.raises(ServiceError):
        services.alert_forward(actor=world.analyst, alert_id=alert.pk)
    world.mission.settings["host_police_forwarding"] = {"enabled": True, "address": "+23670000001"}
    world.mission.save()
    message = services.alert_forward(actor=world.analyst, alert_id=alert.pk)
    assert message.recipient == "host_police" and message.status == "sent"
    assert PHONE not in message.text and "Looting at Site A" in message.text
    assert OutboundMessage.objects.get(pk=message.pk).to_address.reveal() == "+23670000001"


def test_an_answer_goes_back_through_the_recording_gateway(world, gateway):
    alert = receive(gateway, "Looting at Site A")
    before = len(services.RECORDER.sent)
    message = services.alert_reply(actor=world.reporter_at_a, alert_id=alert.pk, text="On our way")
    assert services.RECORDER.sent[before:] == [(PHONE, "On our way", f"bluebox-{message.pk}")]
    assert OutboundMessage.objects.get().caller == alert.caller


def test_only_source_holders_reveal_a_caller_with_a_purpose(world, gateway):
    alert = receive(gateway, "Looting at Site A")
    with pytest.raises(NotPermitted):
        services.caller_reveal(actor=world.analyst, alert_id=alert.pk, purpose="Call them back now")
    with pytest.raises(ServiceError):
        services.caller_reveal(actor=world.source_handler, alert_id=alert.pk, purpose="x")
    stepped_up(world.source_handler, alert)
    revealed = services.caller_reveal(
        actor=world.source_handler, alert_id=alert.pk, purpose="Call them back now"
    )
    assert revealed["phone"] == PHONE


@pytest.mark.parametrize(
    "text",
    [
        "Des hommes armés menacent les commerçants au marché de Mabe",
        "Armed men at Mabe market threaten the traders",
        "MARCHÉ MABE: menaces",
    ],
)
def test_a_french_place_name_finds_its_site_and_the_sites_reporter_sees_the_alert(
    world, gateway, text
):
    from bluebox.testing.factories import FieldSiteFactory, person

    mabe = FieldSiteFactory(
        sector=world.east, code="mabe-market", name="Mabe market", kind="market"
    )
    reporter = person("reporter_mabe", "reporter", site=mabe)
    alert = receive(gateway, text)
    assert (alert.guessed_type, alert.guessed_place) == ("threat", "Mabe market")
    assert alert.site == mabe
    assert alert in selectors.alerts_for(reporter)
    assert alert not in selectors.alerts_for(world.reporter_at_a)


def test_site_aliases_say_the_proper_name_and_the_kind_in_french():
    aliases = matching.site_aliases("Korrin IDP camp", "idp_camp")
    assert "korrin" in aliases and "camp de deplaces de korrin" in aliases
    assert matching.site_aliases("Lissa police station", "police_station")[:2] == (
        "lissa",
        "commissariat de lissa",
    )

"""ACLED's current vocabulary in, meaning kept, and every received column back out.

The file below has ACLED's 31 current columns with text actor types and interactions, one row
for each of the 25 sub-event types; the export is re-imported as served (HXL row included).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from bluebox.incidents import jobs
from bluebox.incidents.exports import ACLED_COLUMNS as EXPORTED_COLUMNS
from bluebox.incidents.importers import ACLED_EVENT_TYPES
from bluebox.incidents.models import Incident
from bluebox.missions.models import Mission
from bluebox.testing.factories import IncidentFactory, MissionFactory
from bluebox.testing.validators import hxlvalidate

NOW = datetime(2026, 11, 20, tzinfo=UTC)
COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]  # fmt: skip
DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
ACTORS = {  # sub-event type -> actor1, inter1, actor2, inter2, civilian targeting, deaths
    "Armed clash": ("UPC: Unity for Peace in Central Africa", "Rebel group",
                    "Military Forces of the Central African Republic (2016-)", "State forces",
                    "", "4"),
    "Remote explosive/landmine/IED": ("Unidentified Armed Group (Central African Republic)",
                                      "Political militia", "Civilians (Central African Republic)",
                                      "Civilians", "Civilian targeting", "2"),
    "Air/drone strike": ("Military Forces of Rwanda (1994-)", "External/Other forces",
                         "3R: Return, Reclamation, Rehabilitation", "Rebel group", "", "0"),
    "Attack": ("Anti-Balaka", "Identity militia", "Civilians (Central African Republic)",
               "Civilians", "Civilian targeting", "0"),
    "Peaceful protest": ("Protesters (Central African Republic)", "Protesters", "", "", "", "0"),
    "Agreement": ("Government of the Central African Republic (2016-)", "State forces",
                  "UPC: Unity for Peace in Central Africa", "Rebel group", "", "0"),
}  # fmt: skip
DEFAULT_ACTORS = ("Wagner Group", "External/Other forces", "Civilians (Central African Republic)",
                  "Civilians", "Civilian targeting", "1")  # fmt: skip


def _interaction(inter1: str, inter2: str) -> str:
    return f"{inter1}-{inter2}" if inter2 else f"{inter1} only"


def acled_rows() -> list[dict[str, str]]:
    rows = []
    n = 0
    for event_type, subs in ACLED_EVENT_TYPES.items():
        for sub in subs:
            n += 1
            actor1, inter1, actor2, inter2, targeting, deaths = ACTORS.get(sub, DEFAULT_ACTORS)
            rows.append(
                {
                    "event_id_cnty": f"CEN{1000 + n}",
                    "event_date": f"2024-06-{n:02d}",
                    "year": "2024",
                    "time_precision": str(1 + n % 3),
                    "disorder_type": DISORDER[event_type],
                    "event_type": event_type,
                    "sub_event_type": sub,
                    "actor1": actor1,
                    "assoc_actor_1": "Fulani Ethnic Militia (Central African Republic)"
                    if n == 3
                    else "",
                    "inter1": inter1,
                    "actor2": actor2,
                    "assoc_actor_2": "Women (Central African Republic)" if n == 5 else "",
                    "inter2": inter2,
                    "interaction": _interaction(inter1, inter2),
                    "civilian_targeting": targeting,
                    "iso": "140",
                    "region": "Middle Africa",
                    "country": "Central African Republic",
                    "admin1": "Ouaka",
                    "admin2": "Bambari",
                    "admin3": "Bambari" if n % 2 else "Ngakobo",
                    "location": f"Village {n}",
                    "latitude": f"5.{7600 + n}",
                    "longitude": f"20.{6700 + n}",
                    "geo_precision": str(1 + n % 3),
                    "source": "Radio Ndeke Luka; Corbeau News",
                    "source_scale": "National",
                    "notes": f"On {n} June 2024, an event of type {sub} near Village {n}.",
                    "fatalities": deaths,
                    "tags": "crowd size=no report" if event_type == "Protests" else "",
                    "timestamp": str(1718064000 + n),
                }
            )
    return rows


def _write(path, rows, columns=COLUMNS):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _import(mission: Mission, path, actor=None):
    return jobs.incidents_import(actor=actor, mission=mission, fmt="acled", path=path, now=NOW)


@pytest.fixture
def car(world):
    world.mission.host_country = "Central African Republic"
    world.mission.save()
    return world.mission


def _export(user, mission) -> str:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/incidents/export/acled/?mission={mission.pk}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_every_current_sub_event_type_imports(world, car, tmp_path):
    rows = acled_rows()
    assert len(rows) == 25 and len(COLUMNS) == 31
    report = _import(car, _write(tmp_path / "acled.csv", rows), world.analyst)
    assert report.created == 25, report.as_dict()
    assert Incident.objects.filter(mission=car, source="acled").count() == 25


def test_the_meaning_of_an_acled_event_is_kept(world, car, tmp_path):
    _import(car, _write(tmp_path / "acled.csv", acled_rows()))
    by_sub = {i.source_record["sub_event_type"]: i for i in Incident.objects.filter(mission=car)}
    ied = by_sub["Remote explosive/landmine/IED"]
    # An IED that killed two civilians is a killing of civilians with an IED, not a battle.
    assert (ied.incident_type, ied.weapons, ied.fatalities_best) == ("killing", ["ied"], 2)
    assert ied.civilian_targeting and ied.threat_nature == "green"
    # An attack on civilians with no one killed is an assault, not a threat.
    assert by_sub["Attack"].incident_type == "assault"
    assert by_sub["Air/drone strike"].incident_type == "explosion"
    assert by_sub["Air/drone strike"].perpetrator_category == "foreign_state_forces"
    assert by_sub["Armed clash"].incident_type == "armed_clash"
    assert by_sub["Armed clash"].perpetrator_category == "armed_group"
    assert by_sub["Peaceful protest"].incident_type == "protest"
    assert by_sub["Agreement"].incident_type == "strategic_development"
    assert by_sub["Agreement"].perpetrator_category == "host_state_forces"
    assert by_sub["Arrests"].incident_type == "arrest"
    assert by_sub["Sexual violence"].incident_type == "sgbv"
    assert by_sub["Disrupted weapons use"].incident_type == "threat"
    # ACLED's own codes are kept whole.
    assert by_sub["Peaceful protest"].source_record["interaction"] == "Protesters only"
    assert by_sub["Peaceful protest"].source_record["tags"] == "crowd size=no report"


def test_older_numeric_actor_codes_still_import(world, car, tmp_path):
    rows = acled_rows()[:3]
    for row in rows:
        row["inter1"], row["inter2"], row["interaction"] = "2", "1", "12"
    report = _import(car, _write(tmp_path / "old.csv", rows))
    assert report.created == 3
    assert {i.perpetrator_category for i in Incident.objects.filter(mission=car)} == {"armed_group"}


def test_unknown_acled_words_are_reported_by_row_and_nothing_is_imported(world, car, tmp_path):
    rows = acled_rows()[:4]
    rows[1]["inter1"] = "Space forces"
    rows[3]["disorder_type"] = "Disorder of the day"
    with pytest.raises(jobs.ImportRefused) as refused:
        _import(car, _write(tmp_path / "bad.csv", rows))
    problems = [(e.row, e.field) for e in refused.value.report.errors]
    assert problems == [(2, "inter1"), (4, "disorder_type")]
    assert not Incident.objects.filter(mission=car).exists()


def test_an_acled_export_gives_back_every_column_received_and_reimports_as_served(
    world, car, tmp_path
):
    rows = acled_rows()
    _import(car, _write(tmp_path / "acled.csv", rows))
    text = _export(world.analyst, car)
    passed, report = hxlvalidate(text)
    assert passed, report
    served = list(csv.reader(io.StringIO(text)))
    assert served[0][:31] == COLUMNS == [name for name, _ in EXPORTED_COLUMNS]
    assert served[1][0].startswith("#")
    out = {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(text))}
    for row in rows:
        back = out[row["event_id_cnty"]]
        assert {c: back[c] for c in COLUMNS} == row, row["sub_event_type"]
    assert {row["classification"] for row in list(out.values())[1:]} == {"UNCLASSIFIED"}

    # The file as served, HXL row included, imports: into the same mission it changes nothing,
    # into another it gives the same events.
    served_path = tmp_path / "served.csv"
    served_path.write_text(text, encoding="utf-8")
    again = _import(car, served_path)
    assert (again.created, again.unchanged, again.rows) == (0, 25, 25)
    other = MissionFactory(code="other2", host_country="Central African Republic")
    copy = _import(other, served_path)
    assert copy.created == 25
    fields = ["external_id", "incident_type", "perpetrator_category", "fatalities_best",
              "latitude", "longitude", "occurred_at", "actors", "civilian_targeting",
              "description", "admin1", "admin2", "location_name", "weapons"]  # fmt: skip
    first = list(Incident.objects.filter(mission=car).order_by("external_id").values(*fields))
    second = list(Incident.objects.filter(mission=other).order_by("external_id").values(*fields))
    assert first == second


def test_a_changed_field_is_exported_as_changed(world, car, tmp_path):
    _import(car, _write(tmp_path / "acled.csv", acled_rows()))
    incident = Incident.objects.get(mission=car, source_record__sub_event_type="Armed clash")
    Incident.objects.filter(pk=incident.pk).update(fatalities_best=9, fatalities_high=9)
    out = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(_export(world.analyst, car)))}
    assert out[incident.external_id]["fatalities"] == "9"
    assert out[incident.external_id]["admin3"] == incident.source_record["admin3"]


def test_bluebox_events_keep_their_type_and_perpetrator_through_acled(world, car, tmp_path):
    kinds = [("arson", "criminal_group"), ("roadblock", "unknown"), ("killing", "militia"),
             ("threat", "host_state_forces"), ("armed_robbery", "criminal_group"),
             ("attack_on_site", "armed_group"), ("explosion", "foreign_state_forces")]  # fmt: skip
    for n, (kind, category) in enumerate(kinds):
        IncidentFactory(
            site=world.site_a,
            incident_type=kind,
            perpetrator_category=category,
            perpetrator_actor=f"Actor {n}",
            classification=0,
        )
    text = _export(world.analyst, car)
    out = list(csv.DictReader(io.StringIO(text)))[1:]
    by_actor = {row["actor1"]: row for row in out}
    # ACLED's words where it has them; no actor type claimed where it has none.
    assert by_actor["Actor 0"]["inter1"] == "" and by_actor["Actor 1"]["inter1"] == ""
    assert by_actor["Actor 3"]["inter1"] == "State forces"
    assert by_actor["Actor 6"]["inter1"] == "External/Other forces"
    assert by_actor["Actor 6"]["event_type"] == "Explosions/Remote violence"
    assert all(row["tags"] == "" and row["source"] == "bluebox" for row in out)
    path = tmp_path / "served.csv"
    path.write_text(text, encoding="utf-8")
    other = MissionFactory(code="other3")
    assert _import(other, path).created == len(kinds)
    back = {
        i.perpetrator_actor: (i.incident_type, i.perpetrator_category)
        for i in Incident.objects.filter(mission=other)
    }
    assert back == {f"Actor {n}": kind for n, kind in enumerate(kinds)}

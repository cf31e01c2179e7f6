"""Incident exports: bluebox CSV (with an HXL hashtag row), ACLED-compatible CSV, GeoJSON.

Every export is built from :func:`bluebox.incidents.selectors.incidents_for_export` — what the
exporter may see, nothing more — carries the highest classification it contains, never holds a
protected identity (victims are counts; informants, survivors and callers are not exported) and
is written to the audit trail. Rows are streamed, so memory does not grow with the export.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Max, QuerySet

from bluebox.core import audit
from bluebox.core.classification import Classification
from bluebox.core.roles import Resource
from bluebox.core.spreadsheet import safe_cell, safe_row
from bluebox.incidents.importers import Context as ImportContext
from bluebox.incidents.importers import RowProblem, parse_acled
from bluebox.incidents.models import Incident

# (column, HXL hashtag). The first twelve columns are what the early-warning engine reads.
BLUEBOX_COLUMNS: list[tuple[str, str]] = [
    ("occurred_at", "#date+occurred"),
    ("date_precision", "#meta+date_precision"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("incident_type", "#event+type"),
    ("civilian_targeting", "#indicator+civilian_targeting"),
    ("fatalities_best", "#affected+killed+best"),
    ("fatalities_low", "#affected+killed+low"),
    ("fatalities_high", "#affected+killed+high"),
    ("admin1", "#adm1+name"),
    ("perpetrator_category", "#group+perpetrator+type"),
    ("actor", "#group+perpetrator+name"),
    ("id", "#event+id"),
    ("source", "#meta+source"),
    ("external_id", "#meta+source+id"),
    ("occurred_until", "#date+end"),
    ("location_precision", "#geo+precision"),
    ("location_name", "#loc+name"),
    ("admin2", "#adm2+name"),
    ("h3_cell", "#geo+h3"),
    ("priogrid_gid", "#geo+priogrid"),
    ("site", "#loc+site+code"),
    ("sector", "#loc+sector+code"),
    ("violence_type", "#event+type+ucdp"),
    ("actors", "#group+name+other"),
    ("weapons", "#capacity+weapons"),
    ("victims_women", "#affected+victims+f+adults"),
    ("victims_men", "#affected+victims+m+adults"),
    ("victims_girls", "#affected+victims+f+children"),
    ("victims_boys", "#affected+victims+m+children"),
    ("victims_unknown", "#affected+victims+unknown"),
    ("fatalities_civilians", "#affected+killed+civilians"),
    ("poc_tier", "#indicator+poc_tier"),
    ("poc_phase", "#indicator+poc_phase"),
    ("source_reliability", "#meta+reliability"),
    ("information_credibility", "#meta+credibility"),
    ("threat_nature", "#indicator+threat_nature"),
    ("primacy", "#indicator+primacy"),
    ("status", "#status"),
    ("classification", "#meta+classification"),
]

ACLED_COLUMNS: list[tuple[str, str]] = [
    ("event_id_cnty", "#event+code"),
    ("event_date", "#date+occurred"),
    ("year", "#date+year"),
    ("time_precision", "#meta+date_precision"),
    ("disorder_type", "#event+type+disorder"),
    ("event_type", "#event+type"),
    ("sub_event_type", "#event+type+sub"),
    ("actor1", "#group+name+first"),
    ("assoc_actor_1", "#group+name+first+assoc"),
    ("inter1", "#group+type+first"),
    ("actor2", "#group+name+second"),
    ("assoc_actor_2", "#group+name+second+assoc"),
    ("inter2", "#group+type+second"),
    ("interaction", "#group+interaction"),
    ("civilian_targeting", "#indicator+civilian_targeting"),
    ("iso", "#country+code"),
    ("region", "#region+name"),
    ("country", "#country+name"),
    ("admin1", "#adm1+name"),
    ("admin2", "#adm2+name"),
    ("admin3", "#adm3+name"),
    ("location", "#loc+name"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("geo_precision", "#geo+precision"),
    ("source", "#meta+source"),
    ("source_scale", "#meta+source+scale"),
    ("notes", "#description"),
    ("fatalities", "#affected+killed"),
    ("tags", "#meta+tags"),
    ("timestamp", "#date+updated"),
]

# Two columns beyond ACLED's 31: bluebox's own meaning of an event it originated (ACLED has no
# words for an arson or a roadblock) and the row's classification. ACLED readers skip them.
ACLED_EXTRA_COLUMNS: list[tuple[str, str]] = [
    ("bluebox_incident_type", "#event+type+bluebox"),
    ("bluebox_perpetrator_category", "#group+type+first+bluebox"),
    ("classification", "#meta+classification"),
]

# incident type -> (disorder type, ACLED event type, sub-event type), for events that did not
# come from ACLED; an ACLED event gives back its own codes.
PV, SD, VAC = "Political violence", "Strategic developments", "Violence against civilians"
ACLED_EVENT = {
    "killing": (PV, VAC, "Attack"),
    "assault": (PV, VAC, "Attack"),
    "abduction": (PV, VAC, "Abduction/forced disappearance"),
    "sgbv": (PV, VAC, "Sexual violence"),
    "looting": (SD, SD, "Looting/property destruction"),
    "armed_robbery": (PV, VAC, "Attack"),
    "attack_on_site": (PV, VAC, "Attack"),
    "roadblock": (SD, SD, "Other"),
    "intercommunal_clash": (PV, "Riots", "Mob violence"),
    "threat": (SD, SD, "Other"),
    "arson": (SD, SD, "Looting/property destruction"),
    "armed_clash": (PV, "Battles", "Armed clash"),
    "explosion": (PV, "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "protest": ("Demonstrations", "Protests", "Peaceful protest"),
    "arrest": (SD, SD, "Arrests"),
    "strategic_development": (SD, SD, "Other"),
}
EXPLOSION_BY_WEAPON = {
    "artillery": "Shelling/artillery/missile attack",
    "mortar": "Shelling/artillery/missile attack",
    "rocket": "Shelling/artillery/missile attack",
    "aircraft": "Air/drone strike",
    "drone": "Air/drone strike",
    "chemical": "Chemical weapon",
    "explosive": "Grenade",
}
# Perpetrator category -> ACLED actor type (text). Criminal groups and unknown perpetrators have
# no ACLED actor type: the column stays empty rather than claim one.
ACLED_INTER = {
    "host_state_forces": "State forces",
    "foreign_state_forces": "External/Other forces",
    "armed_group": "Rebel group",
    "militia": "Political militia",
    "criminal_group": "",
    "unknown": "",
}
ACLED_TIME_PRECISION = {"minute": "1", "day": "1", "week": "2", "month": "3", "year": "3"}
ACLED_GEO_PRECISION = {1: "1", 2: "2"}
# ACLED column -> the incident fields it was read into. Where those fields still hold what the
# received value gives, the export writes the received value as it came; where someone changed
# them, it writes the incident's. Columns not listed (iso, region, admin3, source, ...) have no
# field and always come back as received.
ACLED_READ_INTO: dict[str, tuple[str, ...]] = {
    "event_id_cnty": ("external_id",),
    "event_date": ("occurred_at",),
    "year": ("occurred_at",),
    "time_precision": ("date_precision",),
    "disorder_type": ("incident_type",),
    "event_type": ("incident_type",),
    "sub_event_type": ("incident_type",),
    "actor1": ("perpetrator_actor",),
    "inter1": ("perpetrator_category", "perpetrator_actor"),
    "assoc_actor_1": ("actors",),
    "actor2": ("actors",),
    "assoc_actor_2": ("actors",),
    "inter2": ("actors",),
    "interaction": ("perpetrator_category", "actors"),
    "civilian_targeting": ("civilian_targeting",),
    "admin1": ("admin1",),
    "admin2": ("admin2",),
    "location": ("location_name",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "geo_precision": ("location_precision",),
    "notes": ("description",),
    "fatalities": ("fatalities_best", "fatalities_low", "fatalities_high"),
}
ACLED_NUMERIC = {
    "year", "time_precision", "latitude", "longitude", "geo_precision", "fatalities", "timestamp",
}  # fmt: skip
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_FAR_FUTURE = datetime(2999, 1, 1, tzinfo=UTC)  # "no date is in the future" for re-reading

EXPORT_FIELDS = [
    "pk",
    "mission__host_country",
    "site__code",
    "sector__code",
    *[name for name, _ in BLUEBOX_COLUMNS if name not in {"id", "actor", "site", "sector"}],
    "perpetrator_actor",
    "title",
    "description",
    "fatalities_civilians",
    "source_record",
]

FORMATS = ("csv", "acled", "geojson")


@dataclass(frozen=True)
class ExportMarking:
    count: int
    classification: int

    @property
    def label(self) -> str:
        return Classification(self.classification).name.replace("_", " ")


def marking(queryset: QuerySet[Incident]) -> ExportMarking:
    """How many rows an export holds and the highest classification among them."""
    result = queryset.order_by().aggregate(top=Max("classification"))
    top = result["top"] if result["top"] is not None else Classification.UNCLASSIFIED
    return ExportMarking(count=queryset.count(), classification=int(top))


def _rows(queryset: QuerySet[Incident]) -> Iterator[dict[str, Any]]:
    yield from queryset.values(*EXPORT_FIELDS).iterator(chunk_size=2000)


def _bluebox_row(row: dict[str, Any]) -> list[Any]:
    values = dict(row)
    values["id"] = row["pk"]
    values["actor"] = row["perpetrator_actor"]
    values["site"] = row["site__code"] or ""
    values["sector"] = row["sector__code"] or ""
    values["occurred_at"] = row["occurred_at"].isoformat()
    values["occurred_until"] = row["occurred_until"].isoformat() if row["occurred_until"] else ""
    values["civilian_targeting"] = "true" if row["civilian_targeting"] else "false"
    values["actors"] = "; ".join(row["actors"] or [])
    values["weapons"] = "; ".join(row["weapons"] or [])
    values["classification"] = Classification(row["classification"]).name
    return ["" if values[name] is None else values[name] for name, _ in BLUEBOX_COLUMNS]


def _acled_sub_event(row: dict[str, Any]) -> tuple[str, str, str]:
    disorder, event_type, sub = ACLED_EVENT[row["incident_type"]]
    if row["incident_type"] == "explosion":
        for weapon in row["weapons"] or []:
            if weapon in EXPLOSION_BY_WEAPON:
                return disorder, event_type, EXPLOSION_BY_WEAPON[weapon]
    return disorder, event_type, sub


def _acled_computed(row: dict[str, Any]) -> dict[str, Any]:
    """ACLED columns from the incident as bluebox holds it."""
    disorder, event_type, sub = _acled_sub_event(row)
    occurred = row["occurred_at"]
    others = [a for a in (row["actors"] or []) if a != row["perpetrator_actor"]]
    inter1 = ACLED_INTER[row["perpetrator_category"]]
    inter2 = "Civilians" if row["civilian_targeting"] else ""
    if row["source"] == "acled":
        event_id = row["external_id"]
    else:
        event_id = f"{row['source']}-{row['external_id'] or row['pk']}"
    return {
        "event_id_cnty": event_id,
        "event_date": occurred.date().isoformat(),
        "year": occurred.year,
        "time_precision": ACLED_TIME_PRECISION[row["date_precision"]],
        "disorder_type": disorder,
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": row["perpetrator_actor"],
        "assoc_actor_1": "",
        "inter1": inter1,
        "actor2": others[0] if others else ("Civilians" if row["civilian_targeting"] else ""),
        "assoc_actor_2": "; ".join(others[1:]),
        "inter2": inter2,
        "interaction": (f"{inter1}-{inter2}" if inter2 else f"{inter1} only") if inter1 else "",
        "civilian_targeting": "Civilian targeting" if row["civilian_targeting"] else "",
        "iso": "",
        "region": "",
        "country": row["mission__host_country"],
        "admin1": row["admin1"],
        "admin2": row["admin2"],
        "admin3": "",
        "location": row["location_name"] or row["site__code"] or "",
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "geo_precision": ACLED_GEO_PRECISION.get(row["location_precision"], "3"),
        "source": "" if row["source"] == "acled" else row["source"],
        "source_scale": "",
        "notes": row["description"] or row["title"],
        "fatalities": row["fatalities_best"],
        "tags": "",
        "timestamp": "",
    }


def _acled_as_received(row: dict[str, Any], host_country: str) -> dict[str, str]:
    """The received ACLED columns whose incident fields are still what they gave."""
    record = row["source_record"] or {}
    if row["source"] != "acled" or not record:
        return {}
    try:
        parsed = parse_acled(record, ImportContext(host_country=host_country, now=_FAR_FUTURE))
    except RowProblem:
        return {}
    kept = {}
    for column, value in record.items():
        fields = ACLED_READ_INTO.get(column, ())
        if all(row[name] == parsed[name] for name in fields):
            kept[column] = value
    return kept


def _acled_row(row: dict[str, Any]) -> list[Any]:
    values = _acled_computed(row)
    values.update(_acled_as_received(row, row["mission__host_country"]))
    values["bluebox_incident_type"] = row["incident_type"]
    values["bluebox_perpetrator_category"] = row["perpetrator_category"]
    values["classification"] = Classification(row["classification"]).name
    out = []
    for name, _ in [*ACLED_COLUMNS, *ACLED_EXTRA_COLUMNS]:
        value = values.get(name, "")
        # A received number is written as it came, without the formula guard ("-9.49").
        numeric = name in ACLED_NUMERIC and isinstance(value, str) and _NUMBER.fullmatch(value)
        out.append(value if numeric else safe_cell(value))
    return out


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet[Incident], fmt: str = "csv", *, hxl: bool = True) -> Iterator[str]:
    """CSV text, line by line: header, HXL hashtag row, then one row per incident."""
    columns = [*ACLED_COLUMNS, *ACLED_EXTRA_COLUMNS] if fmt == "acled" else BLUEBOX_COLUMNS
    convert = _acled_row if fmt == "acled" else _bluebox_row
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in columns])
    if hxl:
        yield writer.writerow([tag for _, tag in columns])
    for row in _rows(queryset):
        # The ACLED row guards its own text cells (it knows which received cells are numbers).
        yield writer.writerow(convert(row) if fmt == "acled" else safe_row(convert(row)))


def geojson_chunks(queryset: QuerySet[Incident], mark: ExportMarking) -> Iterator[str]:
    """A GeoJSON FeatureCollection (EPSG:4326), streamed feature by feature."""
    head = {"type": "FeatureCollection", "classification": mark.label, "count": mark.count}
    yield json.dumps(head)[:-1] + ', "features": ['
    first = True
    for row in _rows(queryset):
        values = dict(zip([n for n, _ in BLUEBOX_COLUMNS], _bluebox_row(row), strict=True))
        properties = {k: v for k, v in values.items() if k not in ("latitude", "longitude")}
        # JSON has booleans; the CSV spells them out for spreadsheets.
        properties["civilian_targeting"] = bool(row["civilian_targeting"])
        feature = {
            "type": "Feature",
            "id": row["pk"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": properties,
        }
        yield ("" if first else ",") + json.dumps(feature)
        first = False
    yield "]}\n"


def content_type(fmt: str) -> str:
    return "application/geo+json" if fmt == "geojson" else "text/csv; charset=utf-8"


def filename(fmt: str, mark: ExportMarking) -> str:
    suffix = "geojson" if fmt == "geojson" else "csv"
    kind = "acled" if fmt == "acled" else "incidents"
    return f"{kind}-{mark.label.replace(' ', '_')}.{suffix}"


def export(
    *, actor: Any, queryset: QuerySet[Incident], fmt: str, channel: str
) -> tuple[ExportMarking, Iterable[str]]:
    """Mark, audit and stream one export of ``queryset`` (already filtered by access)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    mark = marking(queryset)
    audit.record(
        actor=actor,
        action="export",
        resource=Resource.INCIDENT,
        detail={
            "format": fmt,
            "rows": mark.count,
            "classification": mark.classification,
            "channel": channel,
        },
    )
    if fmt == "geojson":
        return mark, geojson_chunks(queryset, mark)
    return mark, csv_lines(queryset, fmt)

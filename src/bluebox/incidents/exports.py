"""Incident exports: bluebox CSV (with an HXL hashtag row), ACLED-compatible CSV, GeoJSON.

Every export is built from :func:`bluebox.incidents.selectors.incidents_for_export` — what the
exporter may see, nothing more — carries the highest classification it contains, never holds a
protected identity (victims are counts; informants, survivors and callers are not exported) and
is written to the audit trail. Rows are streamed, so memory does not grow with the export.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet

from bluebox.core import audit
from bluebox.core.classification import Classification
from bluebox.core.roles import Resource
from bluebox.core.spreadsheet import safe_row
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

# incident type -> (disorder type, ACLED event type, sub-event type)
VAC = "Violence against civilians"
ACLED_EVENT = {
    "killing": ("Political violence", VAC, "Attack"),
    "abduction": ("Political violence", VAC, "Abduction/forced disappearance"),
    "sgbv": ("Political violence", VAC, "Sexual violence"),
    "looting": ("Strategic developments", "Strategic developments", "Looting/property destruction"),
    "armed_robbery": ("Political violence", VAC, "Attack"),
    "attack_on_site": ("Political violence", VAC, "Attack"),
    "roadblock": ("Strategic developments", "Strategic developments", "Other"),
    "intercommunal_clash": ("Political violence", "Riots", "Mob violence"),
    "threat": ("Strategic developments", "Strategic developments", "Other"),
    "arson": ("Strategic developments", "Strategic developments", "Looting/property destruction"),
    "armed_clash": ("Political violence", "Battles", "Armed clash"),
}
ACLED_INTER = {
    "host_state_forces": "1",
    "armed_group": "2",
    "criminal_group": "3",
    "militia": "4",
    "unknown": "3",
}
ACLED_TIME_PRECISION = {"minute": "1", "day": "1", "week": "2", "month": "3", "year": "3"}
ACLED_GEO_PRECISION = {1: "1", 2: "2"}

EXPORT_FIELDS = [
    "pk",
    "mission__host_country",
    "site__code",
    "sector__code",
    *[name for name, _ in BLUEBOX_COLUMNS if name not in {"id", "actor", "site", "sector"}],
    "perpetrator_actor",
    "title",
    "description",
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


def _acled_row(row: dict[str, Any]) -> list[Any]:
    disorder, event_type, sub = ACLED_EVENT[row["incident_type"]]
    occurred = row["occurred_at"]
    others = [a for a in (row["actors"] or []) if a != row["perpetrator_actor"]]
    values = {
        "event_id_cnty": f"{row['source']}-{row['external_id'] or row['pk']}",
        "event_date": occurred.date().isoformat(),
        "year": occurred.year,
        "time_precision": ACLED_TIME_PRECISION[row["date_precision"]],
        "disorder_type": disorder,
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": row["perpetrator_actor"],
        "assoc_actor_1": "",
        "inter1": ACLED_INTER[row["perpetrator_category"]],
        "actor2": others[0] if others else ("Civilians" if row["civilian_targeting"] else ""),
        "assoc_actor_2": "; ".join(others[1:]),
        "inter2": "7" if row["civilian_targeting"] else "",
        "interaction": "",
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
        "source": row["source"],
        "source_scale": "",
        "notes": row["title"],
        "fatalities": row["fatalities_best"],
        "tags": Classification(row["classification"]).name,
        "timestamp": "",
    }
    return [values[name] for name, _ in ACLED_COLUMNS]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet[Incident], fmt: str = "csv", *, hxl: bool = True) -> Iterator[str]:
    """CSV text, line by line: header, HXL hashtag row, then one row per incident."""
    columns = ACLED_COLUMNS if fmt == "acled" else BLUEBOX_COLUMNS
    convert = _acled_row if fmt == "acled" else _bluebox_row
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in columns])
    if hxl:
        yield writer.writerow([tag for _, tag in columns])
    for row in _rows(queryset):
        yield writer.writerow(safe_row(convert(row)))


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

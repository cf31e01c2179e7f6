"""Shared incidents as redacted extracts in the HURIDOCS "who did what to whom" shape.

An extract has the six HURIDOCS parts — event, act, victim, perpetrator, source, intervention —
and holds only the field groups the reader's agreements share (:class:`access.SharedView`):
a group not shared is absent, not empty; coordinates are the centre of the agreement's H3 cell,
never the recorded point, unless every agreement sharing the place shares it exactly; names are
pseudonyms keyed per agreement; free text (title, description, place names, response notes) is
withheld unless an agreement shares it. Protected people (sources, survivors) are never in an
extract: victims are counts.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import h3

from bluebox.core.access import SharedView
from bluebox.core.classification import Classification
from bluebox.core.sharing import SharedField, tlp_label
from bluebox.incidents.models import Incident, IncidentResponse

SOURCE_LABELS = {
    "ucdp": "UCDP GED",
    "acled": "ACLED",
}


def pseudonym(key: str, name: str) -> str:
    """The same name gives the same pseudonym under one agreement, and unrelated ones elsewhere."""
    digest = hmac.new(
        bytes.fromhex(key),
        b"bluebox.sharing.pseudonym.v1\x00" + name.strip().lower().encode(),
        hashlib.sha256,
    )
    return "Actor-" + digest.hexdigest()[:6].upper()


def blurred(latitude: float, longitude: float, resolution: int) -> dict[str, Any]:
    """The H3 cell of the point at ``resolution`` and that cell's centre (never the point)."""
    cell = h3.latlng_to_cell(latitude, longitude, resolution)
    lat, lon = h3.cell_to_latlng(cell)
    return {
        "h3_cell": str(cell),
        "resolution": resolution,
        "latitude": round(lat, 5),
        "longitude": round(lon, 5),
        "exact": False,
    }


def shown_name(view: SharedView, name: str) -> str | None:
    if not name.strip():
        return None
    return pseudonym(view.pseudonym_key, name) if view.pseudonymise_names else name


def extract(
    incident: Incident, view: SharedView, responses: list[IncidentResponse] | None = None
) -> dict[str, Any]:
    """One incident as its reader may see it through ``view``."""
    text = not view.withhold_text
    event: dict[str, Any] = {"id": incident.pk}
    if text:
        event["title"] = incident.title
        event["description"] = incident.description
    if view.shows(SharedField.WHEN):
        event["date"] = incident.occurred_at.date().isoformat()
        event["date_precision"] = incident.date_precision
    if view.shows(SharedField.WHERE):
        if view.location_resolution is None:
            place: dict[str, Any] = {
                "latitude": incident.latitude,
                "longitude": incident.longitude,
                "h3_cell": incident.h3_cell,
                "exact": True,
                "admin1": incident.admin1,
                "admin2": incident.admin2,
            }
            if view.shows_text(SharedField.WHERE):
                place["place_name"] = incident.location_name
        else:
            place = blurred(incident.latitude, incident.longitude, view.location_resolution)
            place["admin1"] = incident.admin1
        event["location"] = place
    out: dict[str, Any] = {
        "id": incident.pk,
        "marking": {
            "tlp": tlp_label(view.tlp),
            "classification": str(Classification(incident.classification).label),
            "agreements": [{"id": a.pk, "title": a.title} for a in view.agreements],
        },
        "event": event,
    }
    if view.shows(SharedField.ACT):
        out["acts"] = [
            {
                "type": incident.incident_type,
                "label": str(incident.get_incident_type_display()),
                "civilian_targeting": incident.civilian_targeting,
                "killed": {
                    "best": incident.fatalities_best,
                    "low": incident.fatalities_low,
                    "high": incident.fatalities_high,
                    "civilians": incident.fatalities_civilians,
                },
            }
        ]
    if view.shows(SharedField.VICTIMS):
        out["victims"] = {
            "women": incident.victims_women,
            "men": incident.victims_men,
            "girls": incident.victims_girls,
            "boys": incident.victims_boys,
            "unknown": incident.victims_unknown,
        }
    if view.shows(SharedField.PERPETRATOR):
        others = [
            str(a.get("name", "")) if isinstance(a, dict) else str(a) for a in incident.actors
        ]
        out["perpetrators"] = [
            {
                "category": incident.perpetrator_category,
                "label": str(incident.get_perpetrator_category_display()),
                "name": shown_name(view, incident.perpetrator_actor),
            },
            *(
                {"category": None, "label": None, "name": shown_name(view, n)}
                for n in others
                if n.strip()
            ),
        ]
    if view.shows(SharedField.SOURCE):
        out["source"] = {
            "origin": SOURCE_LABELS.get(incident.source, "UN police"),
            "reliability": incident.source_reliability,
            "credibility": incident.information_credibility,
        }
    if view.shows(SharedField.INTERVENTION):
        out["interventions"] = [
            {
                "mode": r.mode,
                "label": str(r.get_mode_display()),
                "date": r.responded_at.date().isoformat(),
                **(
                    {"description": r.description}
                    if view.shows_text(SharedField.INTERVENTION)
                    else {}
                ),
            }
            for r in (responses or [])
        ]
    return out


#: CSV columns of an export, each with its HXL hashtag.
CSV_COLUMNS = [
    ("id", "#event+id"),
    ("tlp", "#meta+tlp"),
    ("date", "#date+occurred"),
    ("h3_cell", "#geo+cell"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("admin1", "#adm1+name"),
    ("act", "#event+type"),
    ("killed", "#affected+killed"),
    ("perpetrator_category", "#actor+type"),
    ("perpetrator", "#actor+name"),
    ("victims_women", "#affected+f+adults"),
    ("victims_men", "#affected+m+adults"),
    ("victims_girls", "#affected+f+children"),
    ("victims_boys", "#affected+m+children"),
    ("reliability", "#meta+source+reliability"),
    ("credibility", "#meta+source+credibility"),
    ("title", "#event+title"),
]


def csv_row(item: dict[str, Any]) -> list[Any]:
    """One extract flattened to :data:`CSV_COLUMNS`; cells of groups not shared are empty."""
    event = item["event"]
    place = event.get("location", {})
    act = (item.get("acts") or [{}])[0]
    perpetrator = (item.get("perpetrators") or [{}])[0]
    victims = item.get("victims", {})
    source = item.get("source", {})
    return [
        item["id"],
        item["marking"]["tlp"],
        event.get("date", ""),
        place.get("h3_cell", ""),
        place.get("latitude", ""),
        place.get("longitude", ""),
        place.get("admin1", ""),
        act.get("label", ""),
        act.get("killed", {}).get("best", ""),
        perpetrator.get("label", "") or "",
        perpetrator.get("name", "") or "",
        victims.get("women", ""),
        victims.get("men", ""),
        victims.get("girls", ""),
        victims.get("boys", ""),
        source.get("reliability", ""),
        source.get("credibility", ""),
        event.get("title", ""),
    ]

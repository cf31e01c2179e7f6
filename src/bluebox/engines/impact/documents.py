"""Documents in and out of the impact engine: schema-checked, then tables."""

from __future__ import annotations

from typing import Any

import pandas as pd

from bluebox.engines.impact.schemas import validate


def design_panel_from_dict(doc: dict[str, Any]) -> pd.DataFrame:
    """The design panel of an ``impact-design`` document, one row per area-slot.

    Raises
    ------
    DocumentError
        If the document does not match ``impact-design.schema.json``.
    """
    validate(doc, "impact-design")
    frame = pd.DataFrame(doc["rows"])
    if frame.empty:
        frame = pd.DataFrame(columns=["area", "period", "probability", "treated", "incidents"])
    if "randomised" in frame.columns:
        frame["randomised"] = frame["randomised"].fillna(True).astype(bool)
    return frame


def design_panel_to_dict(panel: pd.DataFrame, *, site: str | None = None) -> dict[str, Any]:
    """An ``impact-design`` document from a design panel."""
    keep = [
        c
        for c in (
            "area",
            "period",
            "week_start",
            "slot",
            "probability",
            "treated",
            "minutes",
            "incidents",
            "randomised",
        )
        if c in panel.columns
    ]
    rows = []
    for rec in panel[keep].to_dict("records"):
        row: dict[str, Any] = {
            "area": str(rec["area"]),
            "period": int(rec["period"]),
            "probability": float(rec["probability"]),
            "treated": int(rec["treated"]),
            "incidents": int(rec["incidents"]),
        }
        if "minutes" in rec:
            row["minutes"] = float(rec["minutes"])
        if "randomised" in rec:
            row["randomised"] = bool(rec["randomised"])
        for k in ("week_start", "slot"):
            if k in rec:
                row[k] = str(rec[k])
        rows.append(row)
    doc: dict[str, Any] = {"schema": "bluebox/impact-design/1", "rows": rows}
    if site is not None:
        doc["site"] = site
    return doc


def intervention_panel_from_dict(doc: dict[str, Any]) -> pd.DataFrame:
    """The unit x period panel of an ``impact-interventions`` document.

    Raises
    ------
    DocumentError
        If the document does not match ``impact-interventions.schema.json``.
    """
    validate(doc, "impact-interventions")
    frame = pd.DataFrame(doc["rows"], columns=["unit", "period", "incidents", "start"])
    frame["start"] = frame["start"].astype(float)
    return frame


def intervention_panel_to_dict(panel: pd.DataFrame) -> dict[str, Any]:
    """An ``impact-interventions`` document from a unit x period panel."""
    rows = []
    for rec in panel.to_dict("records"):
        start = rec.get("start")
        rows.append(
            {
                "unit": str(rec["unit"]),
                "period": int(rec["period"]),
                "incidents": int(rec["incidents"]),
                "start": None if start is None or pd.isna(start) else int(start),
            }
        )
    return {"schema": "bluebox/impact-interventions/1", "rows": rows}

"""Mission definitions: the documented file a mission is set up from, read and checked.

A definition (YAML or JSON, ``docs/schemas/mission-definition.schema.json``) holds the mission's
identity, mandate profile, SOP limits and geography. :func:`load` reads a file and resolves the
GeoJSON files it names; :func:`check` returns every error with its path in the file (nothing is
written until a definition has none); :func:`from_mission` writes a mission back in the same
shape, so ``export`` then ``create`` round-trips.

Settings owned by other apps (forecast, deployment, primacy rules...) are checked by validators
those apps register with :func:`register_settings_validator`, so this module stays at the bottom
of the house.
"""

from __future__ import annotations

import csv
import io
import json
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import shapely
import yaml
from shapely.geometry import Point, shape

from bluebox.engines.custody import CustodyLimits

#: Largest definition file read; a mission's geography fits well within it.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: How far (in degrees, about 1 km) a site or sector may stray outside the country boundary.
BOUNDARY_TOLERANCE_DEG = 0.01

SettingsValidator = Callable[[Any], object]
_SETTINGS_VALIDATORS: dict[str, SettingsValidator] = {}


def register_settings_validator(key: str, validator: SettingsValidator) -> None:
    """Let the app that reads ``Mission.settings[key]`` check it; raise ``ValueError`` on bad."""
    _SETTINGS_VALIDATORS[key] = validator


class DefinitionError(Exception):
    """A definition file that cannot be used; ``errors`` lists each problem with its path."""

    def __init__(self, errors: list[Problem]) -> None:
        super().__init__(f"{len(errors)} error(s) in the mission definition")
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    path: str  # e.g. "sites[3].latitude", "" for the whole file
    message: str

    def as_text(self) -> str:
        return f"{self.path or '(file)'}: {self.message}"


@dataclass
class Definition:
    """A parsed definition with every file reference resolved into data."""

    data: dict[str, Any]
    source: Path | None = None
    warnings: list[Problem] = field(default_factory=list)


def schema() -> dict[str, Any]:
    text = resources.files("bluebox.missions").joinpath("schemas/mission-definition.schema.json")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


def load(path: str | Path) -> Definition:
    """Read a definition file and the GeoJSON files it names; raise :class:`DefinitionError`."""
    source = Path(path)
    data = _read_document(source, "")
    if not isinstance(data, dict):
        raise DefinitionError([Problem("", "a mission definition is a mapping of keys to values")])
    return parse(data, base=source.parent, source=source)


def parse(
    data: dict[str, Any], *, base: Path | None = None, source: Path | None = None
) -> Definition:
    """Resolve file references in ``data`` (relative to ``base``) and check the result."""
    problems = _schema_problems(data)
    if problems:
        raise DefinitionError(problems)
    resolved = json.loads(json.dumps(data))
    problems = _resolve_files(resolved, base)
    if problems:
        raise DefinitionError(problems)
    problems = _schema_problems(resolved)
    if problems:
        raise DefinitionError(problems)
    definition = Definition(resolved, source=source)
    problems = check(definition)
    if problems:
        raise DefinitionError(problems)
    return definition


def _read_text(path: Path, where: str) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DefinitionError([Problem(where, f"no such file: {path}")]) from None
    if size > MAX_FILE_BYTES:
        too_large = f"{path.name} is larger than {MAX_FILE_BYTES} bytes"
        raise DefinitionError([Problem(where, too_large)])
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DefinitionError([Problem(where, f"{path.name} is not UTF-8 text")]) from None


def _read_document(path: Path, where: str) -> Any:
    text = _read_text(path, where)
    try:
        if path.suffix.lower() in {".yaml", ".yml"}:
            return yaml.safe_load(text)
        return json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise DefinitionError([Problem(where, f"{path.name} cannot be read: {exc}")]) from None


def _schema_problems(data: Any) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        problems.extend(_explained(error))
    return problems


def _explained(error: jsonschema.ValidationError) -> list[Problem]:
    """One error as the problems a person can fix, each at its own path."""
    if error.validator == "oneOf" and error.context:
        # An area or a site list that matches neither "inline" nor "a file name": report what
        # is wrong inside the variant of the same JSON type, not that no variant matched.
        inner = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
        if inner:
            return [p for e in inner for p in _explained(e)]
    if error.validator == "additionalProperties":
        message = f"unknown key: {error.message.split('(')[-1].rstrip(')')}"
    else:
        message = error.message
    return [Problem(_path(error.absolute_path), message)]


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _resolve_files(data: dict[str, Any], base: Path | None) -> list[Problem]:
    problems: list[Problem] = []

    def geometry(value: Any, where: str) -> Any:
        if not isinstance(value, str):
            return value
        try:
            document = _read_document(_relative(value, base), where)
        except DefinitionError as exc:
            problems.extend(exc.errors)
            return None
        found = _first_geometry(document)
        if found is None:
            problems.append(Problem(where, f"{value} holds no Polygon or MultiPolygon"))
        return found

    if "boundary" in data:
        data["boundary"] = geometry(data["boundary"], "boundary")
    for i, sector in enumerate(data.get("sectors", [])):
        if "boundary" in sector:
            sector["boundary"] = geometry(sector["boundary"], f"sectors[{i}].boundary")
    if isinstance(data.get("sites"), str):
        path = _relative(data["sites"], base)
        try:
            if path.suffix.lower() == ".csv":
                data["sites"], site_problems = sites_from_hxl_csv(_read_text(path, "sites"))
            else:
                data["sites"], site_problems = sites_from_geojson(_read_document(path, "sites"))
        except DefinitionError as exc:
            return [*problems, *exc.errors]
        problems.extend(site_problems)
    return problems


def attach_uploaded(data: dict[str, Any], key: str, name: str, raw: bytes) -> list[Problem]:
    """Put an uploaded file in ``data[key]`` ("boundary" or "sites"), in place of the file the
    definition names there: an uploaded definition cannot point at files on the server, so its
    geography travels as files of its own (GeoJSON, or an HXL-tagged CSV for the sites)."""
    if len(raw) > MAX_FILE_BYTES:
        return [Problem(key, f"{name} is larger than {MAX_FILE_BYTES} bytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [Problem(key, f"{name} is not UTF-8 text")]
    if key == "sites" and name.lower().endswith(".csv"):
        data["sites"], problems = sites_from_hxl_csv(text)
        return problems
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(key, f"{name} cannot be read: {exc}")]
    if key == "sites":
        data["sites"], problems = sites_from_geojson(document)
    else:
        data[key] = _first_geometry(document)
        problems = [] if data[key] else [Problem(key, f"{name} holds no Polygon or MultiPolygon")]
    return problems


def _relative(name: str, base: Path | None) -> Path:
    path = Path(name)
    return path if path.is_absolute() or base is None else base / path


def _first_geometry(document: Any) -> dict[str, Any] | None:
    """The polygon of a GeoJSON geometry, Feature or the first polygon Feature of a collection."""
    if not isinstance(document, dict):
        return None
    kind = document.get("type")
    if kind in {"Polygon", "MultiPolygon"}:
        return document
    if kind == "Feature":
        return _first_geometry(document.get("geometry"))
    if kind == "FeatureCollection":
        for feature in document.get("features") or []:
            found = _first_geometry(feature)
            if found is not None:
                return found
    return None


SITE_PROPERTIES = (
    "code",
    "name",
    "sector",
    "kind",
    "national_police_present",
    "national_police_operational",
    "population",
    "market_days",
)


def sites_from_geojson(document: Any) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Field sites from a FeatureCollection of points whose properties hold the site keys."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [], [Problem("sites", "the sites file must be a GeoJSON FeatureCollection")]
    sites, problems = [], []
    for i, feature in enumerate(document.get("features") or []):
        where = f"sites[{i}]"
        geometry = (feature or {}).get("geometry") or {}
        coordinates = geometry.get("coordinates")
        if geometry.get("type") != "Point" or not isinstance(coordinates, list | tuple):
            problems.append(Problem(where, "each site is a GeoJSON Point feature"))
            continue
        properties = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        site = {k: properties[k] for k in SITE_PROPERTIES if k in properties}
        if len(coordinates) >= 2:
            site["longitude"], site["latitude"] = coordinates[0], coordinates[1]
        sites.append(site)
    return sites, problems


#: HXL hashtags of a sites CSV (the spreadsheet a mission's offices keep): key, tag, attributes
#: the column must carry (others may be added), and how to read the cell.
HXL_SITE_COLUMNS: tuple[tuple[str, str, frozenset[str], str], ...] = (
    ("code", "loc", frozenset({"site", "code"}), "text"),
    ("name", "loc", frozenset({"name"}), "text"),
    ("sector", "loc", frozenset({"sector", "code"}), "text"),
    ("kind", "loc", frozenset({"type"}), "text"),
    ("latitude", "geo", frozenset({"lat"}), "number"),
    ("longitude", "geo", frozenset({"lon"}), "number"),
    ("population", "population", frozenset(), "integer"),
    ("national_police_present", "status", frozenset({"police", "present"}), "boolean"),
    ("national_police_operational", "status", frozenset({"police", "operational"}), "boolean"),
    ("market_days", "date", frozenset({"market", "weekdays"}), "weekdays"),
)
_TRUE, _FALSE = {"yes", "true", "1", "y", "oui"}, {"no", "false", "0", "n", "non", ""}


def _hxl_key(hashtag: str) -> str | None:
    tag, *attributes = hashtag.strip().lower().lstrip("#").split("+")
    for key, wanted_tag, wanted, _kind in HXL_SITE_COLUMNS:
        if tag == wanted_tag and wanted <= {a.strip() for a in attributes}:
            return key
    return None


def _hxl_value(raw: str, kind: str) -> Any:
    """The cell as the schema wants it; a cell that does not convert stays text (and is named)."""
    text = raw.strip()
    converters: dict[str, Callable[[str], Any]] = {
        "number": float,
        "integer": lambda t: int(t) if t else None,
        "weekdays": lambda t: [int(d) for d in t.replace(",", " ").split()],
    }
    if kind == "boolean":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    converter = converters.get(kind)
    if converter is None:
        return text
    try:
        return converter(text)
    except ValueError:
        return text


def sites_from_hxl_csv(text: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Field sites from a CSV whose hashtag row (HXL) names the columns; see docs/missions.md."""
    rows = list(csv.reader(io.StringIO(text)))
    tag_row = next(
        (i for i, row in enumerate(rows[:25]) if any(c.strip().startswith("#") for c in row)),
        None,
    )
    if tag_row is None:
        return [], [Problem("sites", "the sites CSV has no HXL hashtag row (#loc+site+code ...)")]
    keys = [_hxl_key(cell) if cell.strip().startswith("#") else None for cell in rows[tag_row]]
    missing = [key for key, *_ in HXL_SITE_COLUMNS[:6] if key not in keys]
    if missing:
        tags = {k: "#" + "+".join([t, *sorted(a)]) for k, t, a, _ in HXL_SITE_COLUMNS}
        names = ", ".join(f"{k} ({tags[k]})" for k in missing)
        return [], [Problem("sites", f"the sites CSV lacks the columns {names}")]
    kinds = {key: kind for key, _t, _a, kind in HXL_SITE_COLUMNS}
    sites = []
    for row in rows[tag_row + 1 :]:
        if not any(cell.strip() for cell in row):
            continue
        site = {}
        for key, cell in zip(keys, row, strict=False):
            if key is not None and (cell.strip() or kinds[key] == "boolean"):
                site[key] = _hxl_value(cell, kinds[key])
        sites.append(site)
    return sites, []


def check(definition: Definition) -> list[Problem]:
    """Every problem beyond the schema's: references, time zone, geography, owners' settings."""
    data = definition.data
    problems: list[Problem] = []
    try:
        zoneinfo.ZoneInfo(data["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(Problem("timezone", f"unknown IANA time zone {data['timezone']!r}"))
    sector_codes = _unique(data["sectors"], "code", "sectors", problems)
    site_codes = _unique(data["sites"], "code", "sites", problems)
    for i, site in enumerate(data["sites"]):
        if site["sector"] not in sector_codes:
            problems.append(
                Problem(f"sites[{i}].sector", f"no sector with code {site['sector']!r}")
            )
    partner_names = _unique(data.get("partners", []), "name", "partners", problems)
    for i, partner in enumerate(data.get("partners", [])):
        if partner.get("parent") and partner["parent"] not in partner_names:
            problems.append(
                Problem(f"partners[{i}].parent", f"no partner named {partner['parent']!r}")
            )
        if partner.get("parent") == partner["name"]:
            problems.append(Problem(f"partners[{i}].parent", "a partner cannot be its own parent"))
        if partner.get("site") and partner["site"] not in site_codes:
            problems.append(
                Problem(f"partners[{i}].site", f"no site with code {partner['site']!r}")
            )
    detention = data.get("sop", {}).get("detention")
    if detention is not None:
        try:
            CustodyLimits.from_settings(detention)
        except ValueError as exc:
            problems.append(Problem("sop.detention", str(exc)))
    for key, value in data.get("settings", {}).items():
        validator = _SETTINGS_VALIDATORS.get(key)
        if validator is None:
            continue
        try:
            validator(value)
        except (ValueError, TypeError, KeyError) as exc:
            problems.append(Problem(f"settings.{key}", str(exc)))
    problems.extend(_geography_problems(definition))
    return problems


def _unique(items: list[dict[str, Any]], key: str, where: str, problems: list[Problem]) -> set[str]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = item[key]
        if value in seen:
            problems.append(Problem(f"{where}[{i}].{key}", f"{value!r} appears more than once"))
        seen.add(value)
    return seen


def _polygon(geometry: dict[str, Any], where: str, problems: list[Problem]) -> Any:
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        problems.append(Problem(where, f"not a valid GeoJSON polygon: {exc}"))
        return None
    if polygon.is_empty or not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        problems.append(Problem(where, f"not a valid polygon ({reason})"))
        return None
    return polygon


def _geography_problems(definition: Definition) -> list[Problem]:
    data = definition.data
    problems: list[Problem] = []
    country = None
    if data.get("boundary") is not None:
        country = _polygon(data["boundary"], "boundary", problems)
    allowed = country.buffer(BOUNDARY_TOLERANCE_DEG) if country is not None else None
    sectors = {}
    for i, sector in enumerate(data["sectors"]):
        if sector.get("boundary") is None:
            continue
        polygon = _polygon(sector["boundary"], f"sectors[{i}].boundary", problems)
        if polygon is None:
            continue
        sectors[sector["code"]] = polygon
        if allowed is not None and not allowed.contains(polygon):
            problems.append(
                Problem(
                    f"sectors[{i}].boundary",
                    f"sector {sector['code']!r} extends outside the country boundary",
                )
            )
    for i, site in enumerate(data["sites"]):
        point = Point(site["longitude"], site["latitude"])
        if allowed is not None and not allowed.contains(point):
            problems.append(
                Problem(
                    f"sites[{i}]",
                    f"site {site['code']!r} ({site['latitude']}, {site['longitude']}) is outside "
                    "the country boundary (check that coordinates are latitude and longitude in "
                    "degrees, not swapped)",
                )
            )
        own = sectors.get(site["sector"])
        if own is not None and not own.buffer(BOUNDARY_TOLERANCE_DEG).contains(point):
            definition.warnings.append(
                Problem(f"sites[{i}]", f"site {site['code']!r} lies outside its sector's boundary")
            )
    return problems


def country_polygon(boundary: dict[str, Any] | None) -> Any:
    """The mission's boundary as a shapely geometry (buffered by the tolerance), or None."""
    if not boundary:
        return None
    return shape(boundary).buffer(BOUNDARY_TOLERANCE_DEG)

"""The field's own validators, run as their users run them (for tests).

``hxlvalidate`` is libhxl's command-line validator with HXL's default schema; the GeoJSON check
is ``geojson-validator``'s; the CAP schema is the OASIS XSD shipped in ``bluebox/alerts/schemas``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path


def hxlvalidate(text: str) -> tuple[bool, str]:
    """Run libhxl's ``hxlvalidate`` (default schema) on CSV text: (passed, its report)."""
    script = Path(sys.executable).with_name("hxlvalidate")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as f:
        f.write(text)
        name = f.name
    try:
        result = subprocess.run(  # noqa: S603 - a fixed local script on a temporary file
            [str(script), "-e", "error", name],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        Path(name).unlink()
    return result.returncode == 0, result.stdout + result.stderr


def geojson_problems(document: dict[str, object]) -> dict[str, object]:
    """What ``geojson-validator`` finds wrong in a GeoJSON document (empty when valid)."""
    import geojson_validator

    problems: dict[str, object] = {}
    structure = geojson_validator.validate_structure(document)
    if structure:
        problems["structure"] = structure
    geometries = geojson_validator.validate_geometries(document)
    invalid = geometries.get("invalid") if isinstance(geometries, dict) else geometries
    if invalid:
        problems["geometries"] = invalid
    return problems

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


def pdf_report(pdf: bytes) -> dict[str, object]:
    """What poppler's ``pdfinfo``, ``pdffonts`` and ``pdftotext`` say about a PDF: its info
    fields, the fonts (name, embedded) and the text of each page."""
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as f:
        f.write(pdf)
        name = f.name
    try:
        info_text = _run(["pdfinfo", name])
        info = {
            key.strip(): value.strip()
            for key, _, value in (line.partition(":") for line in info_text.splitlines())
        }
        font_lines = _run(["pdffonts", name]).splitlines()[2:]
        fonts = [(line.split()[0], line.split()[-5] == "yes") for line in font_lines if line]
        pages = [
            _run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), name, "-"])
            for n in range(1, int(info.get("Pages", "0")) + 1)
        ]
    finally:
        Path(name).unlink()
    return {"info": info, "fonts": fonts, "pages": pages}


def _run(command: list[str]) -> str:
    result = subprocess.run(  # noqa: S603 - poppler's own tools on a temporary file
        command, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout

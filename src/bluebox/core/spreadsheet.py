"""CSV cells that a spreadsheet opens as text, never as a formula.

Incident titles, actor names and unit names come from field reports, community messages and
imported files; a cell starting with ``=``, ``+``, ``-``, ``@`` or a control character would be
run as a formula by the spreadsheet an analyst opens the export in. Such text cells get a
leading apostrophe (the usual guard); numbers are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]

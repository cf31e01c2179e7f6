"""The per-row error every import reports: which row, which record, which column, and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    row: int  # data row number, 1 = first row after the header
    external_id: str
    field: str
    message: str

    def as_text(self) -> str:
        return f"row {self.row} (id {self.external_id or '?'}): {self.field}: {self.message}"

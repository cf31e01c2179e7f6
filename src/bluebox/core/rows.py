"""What every CSV import shares: its data rows, and the per-row error it reports (which row,
which record, which column, and why)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _


def data_rows(
    reader: Iterable[dict[str | None, str | None]], *, limit: int, too_many: type[Exception]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a ``csv.DictReader`` with something in them, numbered from 1 after the header,
    their cells stripped; a file of more than ``limit`` rows raises ``too_many``."""
    for number, raw in enumerate(reader, start=1):
        if number > limit:
            raise too_many(
                _("The file has more than %(n)d rows, the most one import takes.") % {"n": limit}
            )
        cells = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if any(cells.values()):
            yield number, cells


@dataclass(frozen=True)
class RowError:
    row: int  # data row number, 1 = first row after the header
    external_id: str
    field: str
    message: str

    def as_text(self) -> str:
        return f"row {self.row} (id {self.external_id or '?'}): {self.field}: {self.message}"

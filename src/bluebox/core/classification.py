"""Classification levels and need-to-know compartments carried by every operational record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.IntegerChoices):
    """The UN's three levels, ordered so that a higher number is more restricted."""

    UNCLASSIFIED = 0, _("Unclassified")
    CONFIDENTIAL = 1, _("Confidential")
    STRICTLY_CONFIDENTIAL = 2, _("Strictly confidential")


class Compartment(models.IntegerChoices):
    """Need-to-know compartments, stored as a bit set so access filters stay in SQL."""

    SOURCE = 1, _("Source")
    DETENTION = 2, _("Detention")
    HRDDP = 4, _("HRDDP")
    SGBV = 8, _("SGBV")


ALL_COMPARTMENTS = 0
for _member in Compartment:
    ALL_COMPARTMENTS |= int(_member)


def masks_within(allowed: int) -> list[int]:
    """Every compartment bit set that only uses compartments in ``allowed``.

    Filtering with ``compartments__in=masks_within(held)`` keeps the check portable across
    SQLite and PostgreSQL without bitwise SQL.
    """
    return [value for value in range(ALL_COMPARTMENTS + 1) if value & ~allowed == 0]


def compartment_labels(mask: int) -> list[str]:
    """The names of the compartments in a bit set, in the order they are declared."""
    return [str(member.label) for member in Compartment if mask & int(member)]


def marking(classification: int, compartments: int) -> str:
    """A record's protection in words: "Confidential · Source, Detention"."""
    level = str(Classification(classification).label)
    names = compartment_labels(compartments)
    return f"{level} · {', '.join(names)}" if names else level

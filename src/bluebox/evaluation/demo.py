"""Demo data for evaluation: one intervention that was not randomised, with a known effect.

A second FPU platoon deployed at Korrin camp eight periods of four weeks before the demo's last
day: from its first day, each incident of the scenario in the camp's area (the H3 cell of
resolution 6 holding the camp) is kept with probability :data:`EFFECT`, so the area has a
quarter of its incidents while every other area keeps all of its own (``docs/demo.md``). Its
evaluation page shows what a single area among two dozen comparison areas can and cannot prove:
difference-in-differences finds the reduction; the synthetic control's placebo test, whose
smallest possible p-value is 1/25, does not reject. Deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np
from django.utils import timezone

from bluebox.core.classification import Classification
from bluebox.core.models import User
from bluebox.engines.spatial import h3_cell
from bluebox.evaluation import adapter
from bluebox.evaluation.models import Intervention, InterventionKind
from bluebox.missions.models import FieldSite, Mission

SITE = "korrin-camp"
#: Rate ratio of incidents in the camp's area from the start: a quarter as many.
EFFECT = 0.25
#: Whole periods of four weeks between the start and the demo's last day.
POST_PERIODS = 8
TITLE = "Second FPU platoon at Korrin camp"

S = TypeVar("S")


def start_day(end: date) -> date:
    """The intervention's first day: ``POST_PERIODS`` whole periods before ``end``."""
    return end - timedelta(days=POST_PERIODS * adapter.PERIOD_DAYS - 1)


def thin(specs: Iterable[S], *, site: Any, end: date, seed: int) -> list[S]:
    """The scenario's incidents with the intervention's effect applied in the site's area.

    ``site`` has ``latitude`` and ``longitude``; each spec has those and ``occurred_at``.
    """
    rng = np.random.default_rng(seed + 18)
    unit = adapter.unit_of(h3_cell(site.latitude, site.longitude))
    first = start_day(end)
    kept = []
    for spec in specs:
        cell = h3_cell(spec.latitude, spec.longitude)  # type: ignore[attr-defined]
        when = spec.occurred_at.date()  # type: ignore[attr-defined]
        if when >= first and adapter.unit_of(cell) == unit and rng.random() >= EFFECT:
            continue
        kept.append(spec)
    return kept


def load_demo_intervention(mission: Mission, *, end: date) -> Intervention:
    """The intervention record, as the mission's analyst would have recorded it."""
    site = FieldSite.objects.get(mission=mission, code=SITE)
    return Intervention.objects.create(
        mission=mission,
        sector=site.sector,
        site=site,
        kind=InterventionKind.FPU,
        title=TITLE,
        description=(
            "A second platoon of the camp's FPU, deployed after a spate of attacks on "
            "displaced people collecting firewood."
        ),
        area=h3_cell(site.latitude, site.longitude),
        started_on=start_day(end),
        classification=Classification.CONFIDENTIAL,
        created_by=User.objects.get(username="analyst"),
        created_at=timezone.now(),
    )

"""The demo's evaluations find what was put in: an effect at Lissa, nothing at Ashgrove."""

from __future__ import annotations

from datetime import date

import pytest

from bluebox.core.models import User
from bluebox.engines.impact import verdict
from bluebox.evaluation import selectors
from bluebox.missions.models import FieldSite
from bluebox.overview.demo import load_demo
from bluebox.patrols.demo import COMPLIANCE, TRUTHS, WEEKS
from bluebox.patrols.models import PatrolDesignCell

END = date(2026, 10, 31)


@pytest.mark.django_db
def test_the_demo_evaluations_find_the_effect_and_the_null_put_in():
    mission = load_demo(seed=1, end=END)
    analyst = User.objects.get(username="analyst")
    found = {
        t.site: selectors.site_evaluation(
            user=analyst,
            site_id=FieldSite.objects.get(mission=mission, code=t.site).pk,
            n_resamples=500,
        )
        for t in TRUTHS
    }
    assert PatrolDesignCell.objects.count() == len(TRUTHS) * WEEKS * 19 * 21
    for ev in found.values():
        assert len(ev.weeks) == WEEKS
        assert 0.8 < ev.executed_of_planned / ev.planned <= 1.0

    # Lissa: presence halves incidents; nine orders in ten are carried out, so being sent a
    # patrol multiplies them by about 1 - 0.9 x 0.5 = 0.55 (displacement aside).
    lissa = found["lissa-station"].results
    itt = -COMPLIANCE * (1 - TRUTHS[0].effect)
    assert lissa.same_slot.verdict == verdict.REDUCTION, lissa.same_slot
    assert lissa.same_slot.relative_low < itt < lissa.same_slot.relative_high
    assert lissa.spillover.estimate > 0

    # Ashgrove, where nothing works: the evaluation says so.
    ashgrove = found["ashgrove-base"].results.same_slot
    assert ashgrove.verdict == verdict.NO_EFFECT, ashgrove
    assert ashgrove.covers(0.0)

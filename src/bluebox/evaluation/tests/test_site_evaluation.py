"""A site's evaluation finds the effect that was put in, and shows each reader only their own."""

from __future__ import annotations

import pytest

from bluebox.core.access import NotVisible
from bluebox.engines.impact import verdict
from bluebox.evaluation import selectors
from bluebox.evaluation.tests.conftest import EFFECT
from bluebox.incidents.models import Incident


def test_the_evaluation_finds_the_patrol_effect_put_in(evaluated):
    w = evaluated
    ev = selectors.site_evaluation(user=w.analyst, site_id=w.site_a.pk, n_resamples=500)
    same = ev.results.same_slot
    assert len(ev.weeks) == 12 and ev.cells == 12 * 19 * 21
    assert same.verdict == verdict.REDUCTION, same
    assert same.relative_low < EFFECT - 1 < same.relative_high
    # The hot spots got more patrols and more incidents: unweighted, patrols look harmful.
    assert same.detail["naive_difference"] > same.estimate
    assert ev.incidents == Incident.objects.filter(site=w.site_a).count() - 12
    assert ev.results.dose.n > 0


def test_a_site_where_nothing_works_shows_a_null(patrol_world, django_capture_on_commit_callbacks):
    from bluebox.evaluation.tests.conftest import build_evaluated_site
    from bluebox.patrols import services
    from bluebox.patrols.tests.conftest import WEEK

    w = patrol_world
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.patrol_plan_request(
            actor=w.planner, site_id=w.site_a.pk, week_start=WEEK, seed=3
        )
    plan = services.patrol_plan_approve(actor=w.commissioner, plan_id=plan.pk)
    build_evaluated_site(w, plan, effect=1.0, seed=2)
    ev = selectors.site_evaluation(user=w.analyst, site_id=w.site_a.pk, n_resamples=500)
    assert ev.results.same_slot.verdict == verdict.NO_EFFECT
    assert ev.results.same_slot.covers(0.0)


def test_each_reader_gets_the_evaluation_of_what_they_may_see(evaluated):
    w = evaluated
    # A strictly confidential incident counts for the analyst, not for the planner.
    Incident.objects.filter(site=w.site_a).update(classification=2)
    analyst = selectors.site_evaluation(user=w.analyst, site_id=w.site_a.pk, n_resamples=100)
    planner = selectors.site_evaluation(user=w.planner, site_id=w.site_a.pk, n_resamples=100)
    assert analyst.incidents > 0
    assert planner.incidents == 0
    assert planner.results.same_slot.verdict == verdict.INSUFFICIENT


def test_people_who_may_not_evaluate_the_site_get_nothing(evaluated):
    w = evaluated
    for who in (w.reporter_at_a, w.reporter_at_b, w.other_commander, w.outsider, w.admin):
        with pytest.raises(NotVisible):
            selectors.site_evaluation(user=who, site_id=w.site_a.pk, n_resamples=10)
    assert selectors.evaluation_sites(w.reporter_at_a) == []
    assert w.site_a in selectors.evaluation_sites(w.analyst)

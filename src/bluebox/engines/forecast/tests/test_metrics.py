"""Metrics against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from bluebox.engines.forecast.metrics import (
    average_precision,
    bootstrap_weights,
    brier,
    captured,
    crps_samples,
    mse_log1p,
    period_stats,
    roc_auc,
    scores_from_weights,
)


def test_brier_is_the_mean_squared_gap_between_probability_and_outcome() -> None:
    # (0.1^2 + 0.2^2 + 0.5^2) / 3 = 0.1
    assert brier(np.array([0.1, 0.8, 0.5]), np.array([0, 1, 1])) == pytest.approx(0.1)


def test_average_precision_without_ties() -> None:
    # positives at ranks 1 and 3: precisions 1 and 2/3
    ap = average_precision(np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 0, 1, 0]))
    assert ap == pytest.approx((1 + 2 / 3) / 2)


def test_average_precision_treats_ties_as_one_threshold() -> None:
    # thresholds 0.9 (fp), 0.5 (tp+fp: precision 1/3, recall 1/2), 0.1 (precision 1/2)
    scores, hit = np.array([0.9, 0.5, 0.5, 0.1]), np.array([0, 1, 0, 1])
    assert average_precision(scores, hit) == pytest.approx(0.5 / 3 + 0.5 * 0.5)
    assert average_precision(scores, hit) == pytest.approx(average_precision_score(hit, scores))


def test_roc_auc_counts_ties_as_one_half() -> None:
    # positive-negative pairs: only (0.5, 0.5) is a tie, worth 1/2, out of four pairs
    scores, hit = np.array([0.9, 0.5, 0.5, 0.1]), np.array([0, 1, 0, 1])
    assert roc_auc(scores, hit) == pytest.approx(0.125)
    assert roc_auc(scores, hit) == pytest.approx(roc_auc_score(hit, scores))


def test_ranking_metrics_are_undefined_without_positives() -> None:
    assert math.isnan(average_precision(np.array([0.2, 0.1]), np.array([0, 0])))
    assert math.isnan(roc_auc(np.array([0.2, 0.1]), np.array([0, 0])))


def test_weights_repeat_rows() -> None:
    scores, hit = np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 0, 1, 0])
    w = np.array([[2.0, 1.0, 0.0, 1.0]])
    repeated = average_precision(np.array([0.9, 0.9, 0.8, 0.6]), np.array([1, 1, 0, 0]))
    assert average_precision(scores, hit, w)[0] == pytest.approx(repeated)
    assert roc_auc(scores, hit, w)[0] == pytest.approx(
        roc_auc(np.array([0.9, 0.9, 0.8, 0.6]), np.array([1, 1, 0, 0]))
    )


def test_mse_log1p() -> None:
    assert mse_log1p(np.array([0.0, math.e - 1]), np.array([0.0, 0.0])) == pytest.approx(0.5)


def test_crps_of_two_samples_and_of_a_point_mass() -> None:
    # samples {0, 2}, y = 1: E|X - y| = 1, E|X - X'| = 1, CRPS = 1 - 1/2
    crps = crps_samples(np.array([[0.0, 2.0], [3.0, 3.0]]), np.array([1.0, 1.0]))
    assert crps == pytest.approx([0.5, 2.0])


def test_crps_matches_the_pairwise_definition() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.poisson(2.0, size=(1, 50)).astype(float), np.array([1.0])
    pairwise = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[0][:, None] - x[0][None, :]))
    assert crps_samples(x, y)[0] == pytest.approx(pairwise)


def test_captured_events_in_the_top_share_of_area() -> None:
    scores, events, area = np.array([4.0, 3.0, 2.0, 1.0]), np.array([1, 0, 2, 5]), np.ones(4)
    assert captured(scores, events, area, 0.25) == pytest.approx(1.0)
    # 62.5 % of the area: two whole areas and half of the third
    assert captured(scores, events, area, 0.625) == pytest.approx(1.0 + 0.0 + 1.0)


def test_captured_with_ties_is_the_expectation_of_random_tie_breaks() -> None:
    assert captured(np.ones(4), np.array([0, 4, 0, 0]), np.ones(4), 0.25) == pytest.approx(1.0)


def test_captured_respects_area_sizes() -> None:
    # the top area is half of the surface: 10 % of the area is a fifth of it
    assert captured(
        np.array([2.0, 1.0]), np.array([5, 1]), np.array([2.0, 2.0]), 0.1
    ) == pytest.approx(1.0)


def test_period_scores_with_unit_weights_equal_plain_scores() -> None:
    rng = np.random.default_rng(0)
    n_groups, per = 6, 20
    group = np.repeat(np.arange(n_groups), per)
    p = rng.random(group.size)
    events = (rng.random(group.size) < p * 0.5).astype(float)
    mean = p * 2
    fat = events * 3
    crps = rng.random(group.size)
    stats = period_stats(group, n_groups, p, mean, crps, events, fat, np.ones(group.size))
    scores = scores_from_weights(
        stats, np.ones((1, n_groups)), group, p, (events > 0).astype(float)
    )
    assert scores["brier"][0] == pytest.approx(brier(p, events > 0))
    assert scores["mse_log1p"][0] == pytest.approx(mse_log1p(mean, fat))
    assert scores["crps"][0] == pytest.approx(crps.mean())
    assert scores["average_precision"][0] == pytest.approx(average_precision(p, events > 0))
    assert scores["roc_auc"][0] == pytest.approx(roc_auc(p, events > 0))
    assert scores["pai_10"][0] == pytest.approx(scores["hit_rate_10"][0] * 10)


def test_bootstrap_weights_resample_every_period_count() -> None:
    w = bootstrap_weights(12, 50, random_state=1)
    assert w.shape == (50, 12)
    assert np.all(w.sum(axis=1) == 12)
    assert np.array_equal(w, bootstrap_weights(12, 50, random_state=1))
    assert not np.array_equal(w, bootstrap_weights(12, 50, random_state=2))

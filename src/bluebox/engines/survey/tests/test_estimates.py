"""Survey estimates checked against a hand computation of the Taylor-linearised variance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bluebox.engines.survey import Response, age_band, proportion

# Two strata, three clusters each, weighted respondents: small enough to compute by hand.
DESIGN = [
    # stratum, psu, weight, outcome
    ("north", "n1", 2.0, 1), ("north", "n1", 2.0, 0), ("north", "n1", 2.0, 1),
    ("north", "n2", 3.0, 1), ("north", "n2", 3.0, 1),
    ("north", "n3", 1.5, 0), ("north", "n3", 1.5, 0), ("north", "n3", 1.5, 1),
    ("south", "s1", 4.0, 0), ("south", "s1", 4.0, 0),
    ("south", "s2", 2.5, 1), ("south", "s2", 2.5, 0), ("south", "s2", 2.5, 1),
    ("south", "s3", 5.0, 1), ("south", "s3", 5.0, 0),
]  # fmt: skip


def _responses() -> list[Response]:
    return [Response(float(y), w, stratum=h, psu=c) for h, c, w, y in DESIGN]


def _by_hand() -> tuple[float, float, int]:
    """The ratio estimator p = Σwy / Σw and its linearised with-replacement variance:
    z_i = w_i (y_i - p) / Σw, summed per PSU; V = Σ_h n_h/(n_h - 1) Σ_c (z_hc - mean_h z)²."""
    w = np.array([d[2] for d in DESIGN])
    y = np.array([d[3] for d in DESIGN], dtype=float)
    p = float((w * y).sum() / w.sum())
    z = w * (y - p) / w.sum()
    variance = 0.0
    strata = sorted({d[0] for d in DESIGN})
    psus = 0
    for h in strata:
        clusters = sorted({d[1] for d in DESIGN if d[0] == h})
        totals = np.array(
            [z[[i for i, d in enumerate(DESIGN) if d[1] == c]].sum() for c in clusters]
        )
        n_h = len(clusters)
        psus += n_h
        variance += n_h / (n_h - 1) * ((totals - totals.mean()) ** 2).sum()
    return p, math.sqrt(variance), psus - len(strata)


def test_the_estimate_and_its_standard_error_match_the_hand_computation():
    (overall,) = proportion(_responses(), min_respondents=1)
    p, se, df = _by_hand()
    assert overall.estimate == pytest.approx(p, abs=1e-12)
    assert overall.se == pytest.approx(se, rel=1e-9)
    # The logit interval with the design's degrees of freedom (PSUs minus strata).
    t = stats.t.ppf(0.975, df)
    half = t * se / (p * (1 - p))
    logit = math.log(p / (1 - p))
    lower, upper = (1 / (1 + math.exp(-(logit + s * half))) for s in (-1, 1))
    assert overall.lower == pytest.approx(lower, rel=1e-6)
    assert overall.upper == pytest.approx(upper, rel=1e-6)
    assert 0 < overall.lower < p < overall.upper < 1


def test_without_a_design_it_is_the_weighted_share_with_each_respondent_a_unit():
    responses = [Response(1.0, 2.0), Response(0.0, 1.0), Response(1.0, 1.0), Response(0.0, 4.0)]
    (overall,) = proportion(responses, min_respondents=1)
    assert overall.estimate == pytest.approx(3 / 8)


def test_a_domain_with_too_few_respondents_is_suppressed_not_zero_or_hundred():
    responses = [
        *(Response(1.0, 1.0, groups={"sex": "female"}) for _ in range(30)),
        *(Response(0.0, 1.0, groups={"sex": "female"}) for _ in range(10)),
        *(Response(1.0, 1.0, groups={"sex": "male"}) for _ in range(3)),
    ]
    female, male = proportion(responses, by="sex", min_respondents=25)
    assert (female.level, female.n, female.suppressed) == ("female", 40, False)
    assert female.estimate == pytest.approx(0.75)
    assert (male.level, male.n, male.suppressed) == ("male", 3, True)
    assert male.estimate is None and male.lower is None and male.upper is None


def test_everyone_suppressed_when_the_whole_sample_is_small():
    (overall,) = proportion([Response(1.0, 1.0)] * 5)
    assert overall.suppressed and overall.estimate is None


def test_age_bands():
    assert [age_band(a) for a in (None, 14, 15, 24, 25, 49, 50, 70)] == [
        "", "", "15-24", "15-24", "25-34", "35-49", "50-64", "65+",
    ]  # fmt: skip

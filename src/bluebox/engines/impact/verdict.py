"""Estimates with their intervals, and verdicts that refuse to claim an effect inside the noise.

Every estimator of this engine returns an :class:`Estimate`. Its ``verdict`` is a code that the
product turns into words in the reader's language; :func:`verdict_text` gives the English
sentence for the command line and the documents.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

#: Verdict codes, in the order a reader should worry about them.
INSUFFICIENT = "insufficient_data"
NO_EFFECT = "no_detectable_effect"
REDUCTION = "reduction"
INCREASE = "increase"
VERDICTS = (INSUFFICIENT, NO_EFFECT, REDUCTION, INCREASE)

#: Significance level of every verdict: a true zero is claimed at most this often.
ALPHA = 0.05


@dataclass(frozen=True)
class Estimate:
    """One estimated effect with its 95 % interval and the verdict drawn from them.

    Attributes
    ----------
    method : str
        Which estimator produced it (``ipw``, ``did``, ``synthetic_control``, ``wdq``...).
    estimand : str
        What is estimated, in words (e.g. "incidents per area-slot, patrol minus no patrol").
    estimate : float
        The point estimate on the estimand's scale.
    low, high : float
        The 95 % interval.
    p_value : float or None
        Of the test of no effect (randomisation or placebo test where there is one).
    relative : float or None
        The same effect as a share of the counterfactual level (-0.3 = 30 % fewer).
    relative_low, relative_high : float or None
        The 95 % interval of ``relative``.
    baseline : float or None
        The counterfactual level (e.g. incidents per area-slot without a patrol).
    n : int
        Observations used.
    verdict : str
        One of :data:`VERDICTS`.
    detail : dict
        Estimator-specific figures (randomisation interval, placebo distribution...).
    """

    method: str
    estimand: str
    estimate: float
    low: float
    high: float
    p_value: float | None
    n: int
    verdict: str
    relative: float | None = None
    relative_low: float | None = None
    relative_high: float | None = None
    baseline: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, Any]:
        """The estimate as a document (``impact-estimate.schema.json``)."""
        return _clean(asdict(self))


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def decide(
    *,
    low: float,
    high: float,
    p_value: float | None,
    enough: bool,
    alpha: float = ALPHA,
) -> str:
    """The verdict from an interval and a test.

    An effect is claimed only when the interval excludes zero *and* the test of no effect
    (where there is one) rejects at ``alpha``; both control the false-positive rate on their
    own, so requiring both can only lower it. ``enough`` is the estimator's own judgement that
    the data can say anything at all (enough patrolled and unpatrolled slots, a pre-period
    that fits...).
    """
    if not enough:
        return INSUFFICIENT
    significant = p_value is None or p_value < alpha
    if high < 0 and significant:
        return REDUCTION
    if low > 0 and significant:
        return INCREASE
    return NO_EFFECT


def verdict_text(estimate: Estimate) -> str:
    """The verdict as one English sentence (the product translates its own)."""
    rel = estimate.relative
    if estimate.verdict == INSUFFICIENT:
        return "There is not enough data to say whether it made a difference."
    if estimate.verdict == NO_EFFECT:
        span = ""
        if estimate.relative_low is not None and estimate.relative_high is not None:
            span = (
                f" The data are compatible with anything from {_pct(estimate.relative_low)} "
                f"to {_pct(estimate.relative_high)}."
            )
        return "No effect can be told apart from chance." + span
    what = "fewer" if estimate.verdict == REDUCTION else "more"
    if rel is not None and estimate.relative_low is not None and estimate.relative_high is not None:
        return (
            f"About {abs(rel) * 100:.0f} % {what} incidents "
            f"(95 % interval {_pct(estimate.relative_low)} to {_pct(estimate.relative_high)}); "
            "unlikely to be chance."
        )
    return (
        f"An effect of {estimate.estimate:+.3g} (95 % interval {estimate.low:+.3g} to "
        f"{estimate.high:+.3g}); unlikely to be chance."
    )


def _pct(x: float) -> str:
    return f"{x * 100:+.0f} %"

"""Weighted proportions with design-based 95 % intervals, by domain, suppressed when too few.

The estimates come from ``svy`` (the maintained successor of ``samplics``): Taylor
linearisation of the ratio estimator over strata and primary sampling units, and a logit
interval with the design's degrees of freedom (PSUs minus strata), so an interval never leaves
[0, 1]. A domain answered by fewer than ``min_respondents`` people is *suppressed*: it has no
estimate at all, never a 0 % or 100 % read off a handful of answers.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

# DHS and MICS suppress estimates based on fewer than 25 unweighted cases.
DEFAULT_MIN_RESPONDENTS = 25
AGE_BANDS = ((15, 24), (25, 34), (35, 49), (50, 64), (65, 120))


@dataclass(frozen=True)
class Response:
    """One respondent: the outcome (1 yes, 0 no), the sampling weight and the design.

    ``stratum`` and ``psu`` are the design's stratum and primary sampling unit (cluster); left
    empty, the sample is one stratum and each respondent is their own unit. ``groups`` holds
    the respondent's value of each disaggregation (``{"sex": "female", "site": "korrin"}``).
    """

    outcome: float
    weight: float
    stratum: str = ""
    psu: str = ""
    groups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Estimate:
    """The weighted proportion in one domain; ``suppressed`` estimates carry no numbers."""

    domain: str  # "" for everyone, else the disaggregation ("sex")
    level: str  # the domain's value ("female"); "" for everyone
    n: int  # unweighted respondents
    estimate: float | None
    se: float | None
    lower: float | None
    upper: float | None
    suppressed: bool

    def as_json(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "level": self.level,
            "n": self.n,
            "estimate": self.estimate,
            "se": self.se,
            "lower": self.lower,
            "upper": self.upper,
            "suppressed": self.suppressed,
        }


def age_band(age: float | None) -> str:
    """The age band of a respondent ("25-34"), "" when unknown or under 15."""
    if age is None:
        return ""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}" if high < 120 else f"{low}+"
    return ""


def _frame(responses: Sequence[Response], by: str | None) -> pl.DataFrame:
    rows = {
        "y": [float(r.outcome) for r in responses],
        "w": [float(r.weight) for r in responses],
        "stratum": [r.stratum or "_" for r in responses],
        "psu": [r.psu or f"_{i}" for i, r in enumerate(responses)],
    }
    if by:
        rows["d"] = [str(r.groups.get(by, "")) for r in responses]
    return pl.DataFrame(rows)


def _suppressed(domain: str, level: str, n: int) -> Estimate:
    return Estimate(domain, level, n, None, None, None, None, suppressed=True)


def _estimate(frame: pl.DataFrame, by: str | None, alpha: float) -> dict[str, dict[str, float]]:
    import svy

    design = svy.Design(stratum="stratum", psu="psu", wgt="w")
    sample = svy.Sample(frame, design)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sample.estimation.prop("y", by="d" if by else None, alpha=alpha)
    results = result if isinstance(result, list) else [result]
    out: dict[str, dict[str, float]] = {}
    for estimate in results:
        for row in estimate.to_dicts():
            if float(row["y_level"]) != 1.0:
                continue
            level = str(row["by_level"][0]) if by and row.get("by_level") else ""
            out[level] = {
                "est": float(row["est"]),
                "se": float(row["se"]),
                "lci": float(row["lci"]),
                "uci": float(row["uci"]),
            }
    return out


def proportion(
    responses: Iterable[Response],
    *,
    by: str | None = None,
    min_respondents: int = DEFAULT_MIN_RESPONDENTS,
    alpha: float = 0.05,
) -> list[Estimate]:
    """The weighted proportion of respondents whose outcome is 1, overall or per ``by`` level.

    Parameters
    ----------
    responses : iterable of Response
        Outcomes are 0 or 1; weights positive. Respondents without an outcome are left out by
        the caller (they did not answer).
    by : str, optional
        A key of ``Response.groups``; one estimate per level, computed as a domain of the whole
        sample (the design is not cut down to the domain).
    min_respondents : int
        Domains with fewer unweighted respondents are suppressed.
    alpha : float
        1 - confidence level of the interval.

    Returns
    -------
    list of Estimate
        Sorted by level; every level present in the data appears, suppressed or not.
    """
    rows = [r for r in responses if r.weight > 0]
    counts: dict[str, int] = {}
    for r in rows:
        level = str(r.groups.get(by, "")) if by else ""
        counts[level] = counts.get(level, 0) + 1
    if not rows:
        return [_suppressed(by or "", "", 0)] if not by else []
    estimable = any(n >= min_respondents for n in counts.values())
    found = _estimate(_frame(rows, by), by, alpha) if estimable else {}
    out = []
    for level in sorted(counts):
        n = counts[level]
        if n < min_respondents:
            out.append(_suppressed(by or "", level, n))
            continue
        numbers = found.get(level)
        if numbers is None:
            # Nobody in the domain answered yes: the proportion is 0 and the design gives it
            # no variance; report the point, no interval.
            out.append(Estimate(by or "", level, n, 0.0, 0.0, 0.0, None, suppressed=False))
            continue
        out.append(
            Estimate(
                by or "",
                level,
                n,
                numbers["est"],
                numbers["se"],
                numbers["lci"],
                numbers["uci"],
                suppressed=False,
            )
        )
    return out

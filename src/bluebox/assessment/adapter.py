"""Submissions to survey-engine inputs, and the engine's estimates back to rows for pages.

The one module that turns records into :mod:`bluebox.engines.survey` inputs. It is given the
submissions a viewer may see (``selectors.submissions_for``), so every estimate is computed for
that viewer from exactly what they may read; nothing here is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bluebox.assessment.models import Submission
from bluebox.engines.survey import DEFAULT_MIN_RESPONDENTS, Estimate, Response, age_band, proportion

# Disaggregations every perception survey offers when the form asks for them.
FIXED_DOMAINS = ("sex", "age_band", "site", "round")
WEIGHT_FIELD = "weight"
STRATUM_FIELD = "stratum"
CLUSTER_FIELD = "cluster"


@dataclass(frozen=True)
class Analysis:
    question: str
    value: str
    overall: Estimate
    by: str
    domains: list[Estimate]
    trend: list[Estimate]
    excluded: int  # answers left out: no answer to the question, or an unusable weight


def _weight(answers: dict[str, Any]) -> float | None:
    raw = str(answers.get(WEIGHT_FIELD, "")).strip()
    if not raw:
        return 1.0
    try:
        weight = float(raw)
    except ValueError:
        return None
    return weight if weight > 0 and weight < 1e9 else None


def _age(answers: dict[str, Any]) -> float | None:
    try:
        return float(str(answers.get("age", "")).strip())
    except ValueError:
        return None


def responses(
    submissions: Iterable[Submission], *, question: str, value: str, groups: Iterable[str] = ()
) -> tuple[list[Response], int]:
    """One engine input per current submission that answered ``question``; and how many did not."""
    out: list[Response] = []
    excluded = 0
    extra = [g for g in groups if g not in FIXED_DOMAINS]
    for s in submissions:
        answer = str(s.answers.get(question, "")).strip()
        weight = _weight(s.answers)
        if not answer or weight is None:
            excluded += 1
            continue
        chosen = answer.split()  # a select_multiple answer lists its choices
        out.append(
            Response(
                outcome=1.0 if value in chosen else 0.0,
                weight=weight,
                stratum=str(s.answers.get(STRATUM_FIELD, "")),
                psu=str(s.answers.get(CLUSTER_FIELD, "")),
                groups={
                    "sex": str(s.answers.get("sex", "")),
                    "age_band": age_band(_age(s.answers)),
                    "site": s.site.name if s.site else "",
                    "round": s.round_label,
                    **{g: str(s.answers.get(g, "")) for g in extra},
                },
            )
        )
    return out, excluded


def analyse(
    submissions: Iterable[Submission],
    *,
    question: str,
    value: str,
    by: str = "sex",
    min_respondents: int = DEFAULT_MIN_RESPONDENTS,
) -> Analysis:
    rows, excluded = responses(submissions, question=question, value=value, groups=[by])
    (overall,) = proportion(rows, min_respondents=min_respondents)
    domains = [e for e in proportion(rows, by=by, min_respondents=min_respondents) if e.level]
    trend = [e for e in proportion(rows, by="round", min_respondents=min_respondents) if e.level]
    return Analysis(question, value, overall, by, domains, trend, excluded)

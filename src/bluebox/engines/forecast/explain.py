"""Reasons in words a police officer understands, from feature contributions.

A contribution is a feature's share of the model's log-odds for one area (LightGBM's
``pred_contrib``, i.e. TreeSHAP). Each feature has a sentence template filled with the area's
own value of the feature, so "own_n_3 = 3" reads "3 killings or attacks on civilians in this
area in the last 3 months".
"""

from __future__ import annotations

import calendar as _calendar
import math
from dataclasses import dataclass

from bluebox.engines.forecast.features import CalendarEntry


@dataclass(frozen=True)
class Reason:
    """One reason behind a forecast.

    Attributes
    ----------
    feature : str
        Feature name (``own_n_3``, ``nb1_n_1``, ``season`` ...).
    contribution : float
        Change in log-odds of at least one event; positive raises the risk.
    sentence : str
    """

    feature: str
    contribution: float
    sentence: str


def _plural(n: float, word: str) -> str:
    k = round(n)
    return f"{k} {word}" + ("" if k == 1 else "s")


def _attacks(n: float) -> str:
    k = round(n)
    return f"{k} attack{'' if k == 1 else 's'} on civilians"


def _last(w: int, period: str) -> str:
    return f"the last {period}" if w == 1 else f"the last {w} {period}s"


def _km(km: float) -> str:
    return f"within about {10 * round(km / 10):.0f} km"


def describe(  # noqa: PLR0911, PLR0912  (one template per feature family reads best flat)
    feature: str,
    value: float,
    *,
    period: str,
    ring_km: list[float],
    calendar: list[CalendarEntry] | None = None,
    target_month: int | None = None,
) -> str:
    """Sentence for one feature value (see module docstring)."""
    parts = feature.split("_")
    try:
        w = int(parts[-1])
    except ValueError:
        w = 0
    if feature.startswith("own_n_"):
        return f"{_attacks(value)} in this area in {_last(w, period)}"
    if feature.startswith("own_f_"):
        return f"{_plural(math.expm1(value), 'civilian')} killed in this area in {_last(w, period)}"
    if feature.startswith("own_active_"):
        return f"this area had violence against civilians in {round(value)} of {_last(w, period)}"
    if feature.startswith("own_dec_"):
        return (
            f"recent violence against civilians in this area "
            f"(weight {value:.1f}, halving every {_plural(w, period)})"
        )
    if feature == "own_since":
        return f"{_plural(value, period)} since the last attack on civilians in this area"
    if feature in ("own_rate_all", "own_frac_all", "own_frate_all"):
        return "this area's long history of violence against civilians"
    if feature.startswith(("nb1_", "nb2_")):
        km = _km(ring_km[int(feature[2]) - 1] if len(ring_km) >= int(feature[2]) else 0.0)
        where = f"in neighbouring areas ({km})"
        if "_n_" in feature:
            return f"{_attacks(value)} {where} in {_last(w, period)}"
        if "_f_" in feature:
            return f"{_plural(math.expm1(value), 'civilian')} killed {where} in {_last(w, period)}"
        if feature.endswith("since"):
            return f"{_plural(value, period)} since the last attack on civilians {where}"
        return f"recent violence against civilians {where}"
    if feature.startswith("oth_"):
        where = "around this area" if "nb1" in feature else "in this area"
        if "_n_" in feature:
            return f"{_plural(value, 'clash')} between armed actors {where} in {_last(w, period)}"
        return f"recent fighting between armed actors {where}"
    if feature.startswith("actors_"):
        return (
            f"{_plural(value, 'armed group')} active in or around this area in {_last(w, period)}"
        )
    if feature.startswith("all_n_"):
        return f"{_attacks(value)} across the whole region in {_last(w, period)}"
    if feature == "season":
        if target_month is not None:
            return f"time of year ({_calendar.month_name[target_month]})"
        return "time of year"
    if feature.startswith("site_km_"):
        kind = feature[len("site_km_") :].replace("_", " ")
        return f"{value:.0f} km from the nearest {kind}"
    if feature.startswith("cal_"):
        name = feature[len("cal_") :]
        labels = [e.label for e in calendar or [] if e.label and _slug_eq(e.name, name)]
        if labels:
            return labels[0] if value > 0 else f"no {labels[0]} in this period"
        return (
            f"{name.replace('_', ' ')} in this period"
            if value > 0
            else f"no {name.replace('_', ' ')} in this period"
        )
    return f"{feature} = {value:g}"


def _slug_eq(name: str, slug: str) -> bool:
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_") == slug


def reasons(
    contributions: dict[str, float],
    values: dict[str, float],
    *,
    period: str,
    ring_km: list[float],
    calendar: list[CalendarEntry] | None = None,
    target_month: int | None = None,
    top_k: int = 3,
) -> list[Reason]:
    """The ``top_k`` largest contributions (by size) as :class:`Reason` objects.

    Season is a pair of features (sine and cosine); their contributions are summed.
    """
    merged = {
        k: v for k, v in contributions.items() if k not in ("season_sin", "season_cos", "bias")
    }
    if "season_sin" in contributions or "season_cos" in contributions:
        merged["season"] = contributions.get("season_sin", 0.0) + contributions.get(
            "season_cos", 0.0
        )
    ranked = sorted(merged.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    # Two features can read as the same sentence (two history windows): say it once, with
    # their contributions summed, and let the next reason take the freed place.
    out: list[Reason] = []
    for name, c in ranked:
        sentence = describe(
            name,
            float(values.get(name, 0.0)),
            period=period,
            ring_km=ring_km,
            calendar=calendar,
            target_month=target_month,
        )
        same = next((i for i, r in enumerate(out) if r.sentence == sentence), None)
        if same is not None:
            held = out[same]
            out[same] = Reason(held.feature, held.contribution + float(c), sentence)
            continue
        if len(out) == top_k:
            break
        out.append(Reason(feature=name, contribution=float(c), sentence=sentence))
    return out

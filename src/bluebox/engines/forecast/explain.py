"""Reasons in words a police officer understands, from feature contributions.

A contribution is a feature's share of the model's log-odds for one area (LightGBM's
``pred_contrib``, i.e. TreeSHAP). Each feature has a sentence template filled with the area's
own value of the feature, so "own_n_3 = 3" reads "3 attacks on civilians in this area in the
last 3 months". The sentences are :class:`~bluebox.engines.messages.Message` objects: English
msgids with their parameters, translated where they are read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bluebox.engines.forecast.features import CalendarEntry
from bluebox.engines.messages import Message, gettext_noop, ngettext_noop

MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)


@dataclass(frozen=True)
class Reason:
    """One reason behind a forecast.

    Attributes
    ----------
    feature : str
        Feature name (``own_n_3``, ``nb1_n_1``, ``season`` ...).
    contribution : float
        Change in log-odds of at least one event; positive raises the risk.
    message : Message
        The reason in words, translated where it is read (:mod:`bluebox.engines.messages`).
    """

    feature: str
    contribution: float
    message: Message

    @property
    def sentence(self) -> str:
        """The reason in English."""
        return self.message.render()

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "contribution": self.contribution,
            "sentence": self.sentence,
            "message": self.message.as_dict(),
        }


def _window(w: int, period: str) -> Message:
    """ "in the last month", "in the last 3 weeks"."""
    if period == "week":
        forms = ngettext_noop("in the last week", "in the last %(n)s weeks")
    else:
        forms = ngettext_noop("in the last month", "in the last %(n)s months")
    return Message.counted(forms, "n", n=w)


def _periods(n: float, period: str) -> Message:
    """ "1 month", "4 weeks"."""
    if period == "week":
        forms = ngettext_noop("%(n)s week", "%(n)s weeks")
    else:
        forms = ngettext_noop("%(n)s month", "%(n)s months")
    return Message.counted(forms, "n", n=round(n))


def _km(km: float) -> str:
    return f"{10 * round(km / 10):.0f}"


def _count(forms: tuple[str, str], n: float, **params: Any) -> Message:
    return Message.counted(forms, "n", n=round(n), **params)


def describe(  # noqa: PLR0911, PLR0912  (one template per feature family reads best flat)
    feature: str,
    value: float,
    *,
    period: str,
    ring_km: list[float],
    calendar: list[CalendarEntry] | None = None,
    target_month: int | None = None,
) -> Message:
    """Sentence for one feature value (see module docstring)."""
    parts = feature.split("_")
    try:
        w = int(parts[-1])
    except ValueError:
        w = 0
    last = _window(w, period)
    if feature.startswith("own_n_"):
        return _count(
            ngettext_noop(
                "%(n)s attack on civilians in this area %(window)s",
                "%(n)s attacks on civilians in this area %(window)s",
            ),
            value,
            window=last,
        )
    if feature.startswith("own_f_"):
        return _count(
            ngettext_noop(
                "%(n)s civilian killed in this area %(window)s",
                "%(n)s civilians killed in this area %(window)s",
            ),
            math.expm1(value),
            window=last,
        )
    if feature.startswith("own_active_"):
        if period == "week":
            forms = ngettext_noop(
                "this area had violence against civilians in %(n)s of the last %(w)s weeks",
                "this area had violence against civilians in %(n)s of the last %(w)s weeks",
            )
        else:
            forms = ngettext_noop(
                "this area had violence against civilians in %(n)s of the last %(w)s months",
                "this area had violence against civilians in %(n)s of the last %(w)s months",
            )
        return _count(forms, value, w=w)
    if feature.startswith("own_dec_"):
        return Message.of(
            gettext_noop(
                "recent violence against civilians in this area "
                "(weight %(weight)s, halving every %(half_life)s)"
            ),
            weight=f"{value:.1f}",
            half_life=_periods(w, period),
        )
    if feature == "own_since":
        return Message.of(
            gettext_noop("%(time)s since the last attack on civilians in this area"),
            time=_periods(value, period),
        )
    if feature in ("own_rate_all", "own_frac_all", "own_frate_all"):
        return Message.of(gettext_noop("this area's long history of violence against civilians"))
    if feature.startswith(("nb1_", "nb2_")):
        ring = int(feature[2])
        km = _km(ring_km[ring - 1] if len(ring_km) >= ring else 0.0)
        if "_n_" in feature:
            return _count(
                ngettext_noop(
                    "%(n)s attack on civilians in neighbouring areas (within about %(km)s km) "
                    "%(window)s",
                    "%(n)s attacks on civilians in neighbouring areas (within about %(km)s km) "
                    "%(window)s",
                ),
                value,
                km=km,
                window=last,
            )
        if "_f_" in feature:
            return _count(
                ngettext_noop(
                    "%(n)s civilian killed in neighbouring areas (within about %(km)s km) "
                    "%(window)s",
                    "%(n)s civilians killed in neighbouring areas (within about %(km)s km) "
                    "%(window)s",
                ),
                math.expm1(value),
                km=km,
                window=last,
            )
        if feature.endswith("since"):
            return Message.of(
                gettext_noop(
                    "%(time)s since the last attack on civilians in neighbouring areas "
                    "(within about %(km)s km)"
                ),
                time=_periods(value, period),
                km=km,
            )
        return Message.of(
            gettext_noop(
                "recent violence against civilians in neighbouring areas (within about %(km)s km)"
            ),
            km=km,
        )
    if feature.startswith(("sb_near_", "ns_near_")):
        state = feature.startswith("sb_")
        if "_n_" in feature:
            forms = (
                ngettext_noop(
                    "%(n)s clash involving state forces in or around this area %(window)s",
                    "%(n)s clashes involving state forces in or around this area %(window)s",
                )
                if state
                else ngettext_noop(
                    "%(n)s clash between armed groups in or around this area %(window)s",
                    "%(n)s clashes between armed groups in or around this area %(window)s",
                )
            )
            return _count(forms, value, window=last)
        if feature.endswith("since"):
            msgid = (
                gettext_noop("%(time)s since the last clash involving state forces nearby")
                if state
                else gettext_noop("%(time)s since the last clash between armed groups nearby")
            )
            return Message.of(msgid, time=_periods(value, period))
        if state:
            return Message.of(gettext_noop("recent fighting involving state forces nearby"))
        return Message.of(gettext_noop("recent fighting between armed groups nearby"))
    if feature == "fight_near_since":
        return Message.of(
            gettext_noop("%(time)s since the last clash between armed actors nearby"),
            time=_periods(value, period),
        )
    if feature.startswith("oth_"):
        around = "_nb" in feature
        if "_n_" in feature:
            forms = (
                ngettext_noop(
                    "%(n)s clash between armed actors around this area %(window)s",
                    "%(n)s clashes between armed actors around this area %(window)s",
                )
                if around
                else ngettext_noop(
                    "%(n)s clash between armed actors in this area %(window)s",
                    "%(n)s clashes between armed actors in this area %(window)s",
                )
            )
            return _count(forms, value, window=last)
        if around:
            return Message.of(gettext_noop("recent fighting between armed actors around this area"))
        return Message.of(gettext_noop("recent fighting between armed actors in this area"))
    if feature.startswith("actors_"):
        return _count(
            ngettext_noop(
                "%(n)s armed group active in or around this area %(window)s",
                "%(n)s armed groups active in or around this area %(window)s",
            ),
            value,
            window=last,
        )
    if feature.startswith("all_n_"):
        return _count(
            ngettext_noop(
                "%(n)s attack on civilians across the whole region %(window)s",
                "%(n)s attacks on civilians across the whole region %(window)s",
            ),
            value,
            window=last,
        )
    if feature == "season":
        if target_month is not None:
            return Message.of(
                gettext_noop("time of year (%(month)s)"),
                month=Message.of(MONTHS[target_month - 1]),
            )
        return Message.of(gettext_noop("time of year"))
    if feature.startswith("site_km_"):
        kind = feature[len("site_km_") :].replace("_", " ")
        return Message.of(
            gettext_noop("%(km)s km from the nearest %(kind)s"), km=f"{value:.0f}", kind=kind
        )
    if feature.startswith("cal_"):
        name = feature[len("cal_") :]
        labels = [e.label for e in calendar or [] if e.label and _slug_eq(e.name, name)]
        what = labels[0] if labels else None
        if what is not None and value > 0:
            return Message.of("%(event)s", event=what)  # the mission's own words
        event = what or name.replace("_", " ")
        if value > 0:
            return Message.of(gettext_noop("%(event)s in this period"), event=event)
        return Message.of(gettext_noop("no %(event)s in this period"), event=event)
    return Message.of(gettext_noop("%(feature)s = %(value)s"), feature=feature, value=f"{value:g}")


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
        same = next((i for i, r in enumerate(out) if r.message == sentence), None)
        if same is not None:
            held = out[same]
            out[same] = Reason(held.feature, held.contribution + float(c), sentence)
            continue
        if len(out) == top_k:
            break
        out.append(Reason(feature=name, contribution=float(c), message=sentence))
    return out

"""Verdicts in words, in the reader's language: the engine gives codes and numbers only."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bluebox.engines.impact import Estimate


def pct(x: float | None) -> str:
    return "—" if x is None else f"{abs(x) * 100:.0f} %"


def signed_pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.0f} %"


def interval(e: Estimate) -> str:
    return _("%(low)s to %(high)s") % {
        "low": signed_pct(e.relative_low),
        "high": signed_pct(e.relative_high),
    }


def verdict_sentence(e: Estimate, *, where: str, insufficient: str | None = None) -> str:
    """One sentence for a briefing; ``where`` says what was compared (already translated),
    ``insufficient`` what to say instead when the data cannot tell (default: about patrols)."""
    if e.verdict == "insufficient_data":
        if insufficient is not None:
            return insufficient
        return _("There is not enough data to say whether patrols made a difference %(where)s.") % {
            "where": where
        }
    if e.verdict == "no_detectable_effect":
        return _(
            "No effect can be told apart from chance %(where)s: the data are compatible with "
            "anything from %(interval)s."
        ) % {"where": where, "interval": interval(e)}
    if e.verdict == "reduction":
        return _(
            "About %(pct)s fewer incidents %(where)s (95 %% interval %(interval)s); chance is "
            "an unlikely explanation."
        ) % {"pct": pct(e.relative), "where": where, "interval": interval(e)}
    return _(
        "About %(pct)s more incidents %(where)s (95 %% interval %(interval)s); chance is an "
        "unlikely explanation. More incidents can also mean more were reported."
    ) % {"pct": pct(e.relative), "where": where, "interval": interval(e)}


def verdict_label(code: str) -> str:
    return {
        "insufficient_data": _("Not enough data"),
        "no_detectable_effect": _("No detectable effect"),
        "reduction": _("Fewer incidents"),
        "increase": _("More incidents"),
    }.get(code, code)


def dose_sentence(e: Estimate) -> str:
    if e.verdict == "insufficient_data":
        return _("Too few patrol visits with a track or an order to relate time spent to safety.")
    hr = e.detail.get("hazard_ratio")
    span = _("%(low)s to %(high)s") % {
        "low": f"{e.detail.get('hazard_ratio_low', 0):.2f}",
        "high": f"{e.detail.get('hazard_ratio_high', 0):.2f}",
    }
    if e.verdict == "reduction":
        return _(
            "Longer stays were followed by a longer quiet: each doubling of the time spent went "
            "with a hazard of the next incident %(hr)s times as high (95 %% interval %(span)s). "
            "This is an association: how long a patrol stays was not drawn at random."
        ) % {"hr": f"{hr:.2f}", "span": span}
    if e.verdict == "increase":
        return _(
            "Longer stays went with incidents coming sooner (hazard ratio %(hr)s per doubling, "
            "95 %% interval %(span)s): patrols may stay longer where trouble is."
        ) % {"hr": f"{hr:.2f}", "span": span}
    return _(
        "How long patrols stayed made no difference that can be told apart from chance (hazard "
        "ratio %(hr)s per doubling, 95 %% interval %(span)s)."
    ) % {"hr": f"{hr:.2f}", "span": span}


def intervention_sentence(e: Estimate) -> str:
    """The verdict on an intervention that was not randomised, against its comparison."""
    return verdict_sentence(
        e,
        where=_("in the intervention's area, against what its comparison areas say"),
        insufficient=_(
            "There is not enough data to say whether the intervention made a difference: too "
            "few comparison areas, too short a history, or a comparison that already drifted "
            "apart before the start."
        ),
    )

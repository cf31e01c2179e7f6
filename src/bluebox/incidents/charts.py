"""Weekly incident trends as inline SVG (matplotlib through ``core.svg``, CSP-safe).

The figures are drawn from counts and labels only: sector names and translated type labels,
which matplotlib writes as escaped text nodes.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bluebox.core.svg import figure_svg

#: Colours that stay apart for the common kinds of colour blindness (Okabe and Ito).
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"]


def trend_svg(
    periods: list[date], series: list[tuple[str, list[int]]], unit: str = "week"
) -> SafeString:
    """One line per series over the weeks (or months); empty when there is nothing to draw."""
    if not periods or not series:
        return mark_safe("")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6.4, 2.8))
    ax = fig.add_subplot()
    xs = list(range(len(periods)))
    for (label, counts), colour in zip(series, COLOURS, strict=False):
        ax.plot(xs, counts, marker="o", markersize=3, linewidth=1.6, color=colour, label=label)
    step = max(1, len(periods) // 6)
    # Month names in the reader's language (Django's date formats are translated).
    shape = "j M" if unit == "week" else "M Y"
    ax.set_xticks(xs[::step], [date_format(p, shape) for p in periods[::step]], fontsize=8)
    ax.set_ylabel(_("incidents a week") if unit == "week" else _("incidents a month"), fontsize=8)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole incidents only
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7, ncols=2, frameon=False)
    fig.tight_layout()
    return figure_svg(fig)

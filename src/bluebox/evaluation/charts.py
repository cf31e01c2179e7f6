"""Server-rendered graphics of an evaluation: the dose-response curve and the area map.

SVG text built from numbers only (matplotlib for the curve, plain SVG for the hexagons), so the
page embeds them without any script or remote asset, under the page's Content-Security-Policy.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bluebox.core.svg import figure_svg
from bluebox.engines.impact import CurvePoint

WIDTH, HEIGHT, PAD = 360, 300, 12


def dose_curve_svg(curve: list[CurvePoint]) -> SafeString:
    """Mean hours without incident after a visit, per band of minutes spent, with intervals."""
    if not curve:
        return mark_safe("")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    labels = [
        f"{p.low_min:.0f}–{p.high_min:.0f}" if p.high_min is not None else f"{p.low_min:.0f}+"
        for p in curve
    ]
    x = list(range(len(curve)))
    means = [p.mean_hours for p in curve]
    ax.errorbar(
        x,
        means,
        yerr=[
            [m - p.low_hours for m, p in zip(means, curve, strict=True)],
            [p.high_hours - m for m, p in zip(means, curve, strict=True)],
        ],
        marker="o",
        capsize=4,
        color="#1565c0",
    )
    ax.set_xticks(x, labels)
    ax.set_xlabel(_("minutes the patrol spent in the area"))
    ax.set_ylabel(_("hours without incident"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return figure_svg(fig)


def _colour(probability: float) -> str:
    # Light (rarely patrolled) to dark blue (patrolled most slots).
    steps = ("#e3f2fd", "#90caf9", "#42a5f5", "#1e88e5", "#0d47a1")
    return steps[min(int(probability * 5 / 0.6), 4)]


def area_map_svg(areas: list[dict[str, Any]], names: dict[str, str]) -> SafeString:
    """The site's areas as hexagons shaded by their probability of a patrol, with incidents."""
    if not areas:
        return mark_safe("")
    lats = [lat for a in areas for lat, _lon in a["polygon"]]
    lons = [lon for a in areas for _lat, lon in a["polygon"]]
    span = max(max(lats) - min(lats), max(lons) - min(lons), 1e-6)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (
            PAD + (lon - min(lons)) / span * (WIDTH - 2 * PAD),
            HEIGHT - PAD - (lat - min(lats)) / span * (HEIGHT - 2 * PAD),
        )

    parts = [
        f'<svg class="area-map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(_("areas by probability of a patrol"))}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for a in areas:
        points = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (xy(lat, lon) for lat, lon in a["polygon"])
        )
        cx = sum(xy(lat, lon)[0] for lat, lon in a["polygon"]) / len(a["polygon"])
        cy = sum(xy(lat, lon)[1] for lat, lon in a["polygon"]) / len(a["polygon"])
        title = _(
            "%(name)s: patrol probability %(p)s, patrolled %(s)s of slots, %(n)s incidents"
        ) % {
            "name": names.get(a["area"], a["area"]),
            "p": f"{a['probability']:.0%}",
            "s": f"{a['patrolled']:.0%}",
            "n": a["incidents"],
        }
        parts.append(
            f'<g class="area" data-area="{escape(a["area"])}"><polygon points="{points}" '
            f'fill="{_colour(a["probability"])}" stroke="#37474f" stroke-width="1">'
            f"<title>{escape(title)}</title></polygon>"
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" font-size="11" text-anchor="middle">'
            f"{a['incidents']}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped names and numbers


def treated_vs_synthetic_svg(
    period_starts: list[Any], series: dict[str, Any], start_period: int
) -> SafeString:
    """Incidents per period in the intervention's area against its synthetic control."""
    if not series.get("observed"):
        return mark_safe("")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.add_subplot()
    x = list(range(len(series["observed"])))
    ax.plot(x, series["observed"], marker="o", color="#1565c0", label=_("the area"))
    ax.plot(
        x,
        series["synthetic"],
        linestyle="--",
        color="#ef6c00",
        label=_("its synthetic control"),
    )
    ax.axvline(start_period - 0.5, color="#37474f", linewidth=1)
    step = max(1, len(x) // 6)
    ax.set_xticks(x[::step], [d.strftime("%Y-%m") for d in period_starts[::step]])
    ax.set_ylabel(_("incidents per four weeks"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return figure_svg(fig)

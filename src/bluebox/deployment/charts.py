"""Server-rendered graphics: the board as an inline SVG map, force curves with matplotlib.

Both are SVG text built here from numbers only (no user-supplied markup reaches them except
site names, which are escaped), so pages embed them without any script or remote asset.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bluebox.core.svg import figure_svg

WIDTH, HEIGHT, PAD = 360, 240, 24


def _colour(coverage: float) -> str:
    # Red (uncovered) to green (covered), readable on a phone in daylight.
    if coverage >= 0.85:
        return "#2e7d32"
    if coverage >= 0.6:
        return "#f9a825"
    if coverage >= 0.3:
        return "#ef6c00"
    return "#c62828"


def board_map(rows: list[dict[str, Any]]) -> SafeString:
    """Sites placed by longitude and latitude, sized by risk, coloured by coverage."""
    if not rows:
        return mark_safe("")
    lats = [r["lat"] for r in rows]
    lons = [r["lon"] for r in rows]
    span_lat = max(max(lats) - min(lats), 1e-3)
    span_lon = max(max(lons) - min(lons), 1e-3)
    parts = [
        f'<svg class="board-map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="sites by coverage" xmlns="http://www.w3.org/2000/svg">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f6f8"/>',
    ]
    for r in rows:
        x = PAD + (r["lon"] - min(lons)) / span_lon * (WIDTH - 2 * PAD)
        y = HEIGHT - PAD - (r["lat"] - min(lats)) / span_lat * (HEIGHT - 2 * PAD)
        radius = 5 + 9 * min(1.0, float(r["risk"]))
        name = escape(r["name"])
        parts.append(
            f'<g class="site-dot" data-site="{escape(r["site"])}">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{_colour(r["coverage"])}" '
            f'fill-opacity="0.85" stroke="#222"><title>{name}: {r["coverage"]:.0%} '
            f"covered, {r['officers']:.0f} officers</title></circle>"
            f'<text x="{x:.1f}" y="{y - radius - 3:.1f}" font-size="10" text-anchor="middle">'
            f"{name}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped names and numbers


def force_curve_svg(result: dict[str, Any], target: float) -> SafeString:
    """Protection share against officers added, one line per reinforcement profile."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.4))
    ax = fig.add_subplot()
    for curve in result.get("force_curves", []):
        points = [p for p in curve["points"] if p["objective"] is not None]
        ax.plot(
            [p["officers_added"] for p in points],
            [100 * p["objective"] for p in points],
            marker="o",
            label=curve.get("name", curve["profile"]),
        )
    ax.axhline(100 * target, color="#c62828", linestyle="--", linewidth=1)
    ax.set_xlabel("officers added")
    ax.set_ylabel("risk covered (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return figure_svg(fig)

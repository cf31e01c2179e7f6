"""The trend chart: one point per round with its 95 % interval, as inline SVG.

Built from numbers and escaped round labels only, so pages embed it without script or remote
asset (the Content-Security-Policy allows neither). A suppressed round is drawn as a gap with
"too few" under it, never as a point at 0.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bluebox.engines.survey import Estimate

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 480, 240, 40, 16, 16, 40


def trend_svg(trend: list[Estimate], *, title: str) -> SafeString:
    if not trend:
        return mark_safe("")
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(trend), 1)

    def y(p: float) -> float:
        return TOP + (1 - p) * inner_h

    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" font-size="10" '
            f'text-anchor="end">{tick:.0%}</text>'
        )
    previous: tuple[float, float] | None = None
    for i, e in enumerate(trend):
        x = LEFT + step * (i + 0.5)
        label = escape(e.level)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="10" '
            f'text-anchor="middle">{label}</text>'
        )
        if e.suppressed or e.estimate is None:
            parts.append(
                f'<text class="suppressed" x="{x:.1f}" y="{HEIGHT - BOTTOM + 30}" font-size="9" '
                f'text-anchor="middle" fill="#666">{escape(_("too few"))} (n={e.n})</text>'
            )
            previous = None
            continue
        point = (x, y(e.estimate))
        if previous is not None:
            parts.append(
                f'<line x1="{previous[0]:.1f}" y1="{previous[1]:.1f}" x2="{point[0]:.1f}" '
                f'y2="{point[1]:.1f}" stroke="#1565c0"/>'
            )
        if e.lower is not None and e.upper is not None:
            parts.append(
                f'<line class="interval" x1="{x:.1f}" x2="{x:.1f}" y1="{y(e.upper):.1f}" '
                f'y2="{y(e.lower):.1f}" stroke="#1565c0" stroke-width="2"/>'
            )
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{point[1]:.1f}" r="4" fill="#1565c0">'
            f"<title>{label}: {e.estimate:.0%}"
            + (f" ({e.lower:.0%}–{e.upper:.0%})" if e.lower is not None and e.upper else "")
            + f", n={e.n}</title></circle>"
        )
        previous = point
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only

"""Server-rendered charts of the engagement reports: inline SVG built from numbers and escaped
labels only, so pages and PDFs embed them with no script and no remote asset."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ["#1565c0", "#ef6c00", "#6a1b9a", "#2e7d32", "#c62828", "#00838f"]
WIDTH, BAR_H, GAP, LABEL_W = 560, 18, 6, 170


def stacked_bars(
    rows: list[tuple[str, dict[str, int]]],
    series: list[tuple[str, Any]],
    *,
    title: str,
) -> SafeString:
    """One horizontal bar per row, stacked by series ``(key, label)``, with a legend."""
    if not rows:
        return mark_safe("")
    total_max = max((sum(v.get(k, 0) for k, _l in series) for _r, v in rows), default=0) or 1
    plot_w = WIDTH - LABEL_W - 40
    height = 28 + len(rows) * (BAR_H + GAP) + 24
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    x_legend = LABEL_W
    for n, (_key, label) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        parts.append(
            f'<rect x="{x_legend}" y="4" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x_legend + 14}" y="13" font-size="11">{escape(label)}</text>'
        )
        x_legend += 18 + 7 * len(str(label))
    for i, (row_label, values) in enumerate(rows):
        y = 24 + i * (BAR_H + GAP)
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 5}" font-size="11" text-anchor="end">'
            f"{escape(row_label)}</text>"
        )
        x = float(LABEL_W)
        total = 0
        for n, (key, label) in enumerate(series):
            value = int(values.get(key, 0))
            if value <= 0:
                continue
            w = value / total_max * plot_w
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_H}" '
                f'fill="{COLOURS[n % len(COLOURS)]}"><title>{escape(row_label)}, '
                f"{escape(label)}: {value}</title></rect>"
            )
            x += w
            total += value
        parts.append(f'<text x="{x + 4:.1f}" y="{y + BAR_H - 5}" font-size="11">{total}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only

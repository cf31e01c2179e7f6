"""The printed orders' map: patrol areas around the site as an inline SVG, numbered.

Orders are read on paper, away from any network: the map is drawn here from the areas' H3
boundaries (numbers and escaped names only), north up, with a scale bar, the site and the
nearby field sites named, and each area numbered as in the orders' table.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bluebox.missions.models import FieldSite
from bluebox.patrols import adapter

SIZE, PAD = 420, 24


def areas_map(plan: Any, places: dict[str, dict[str, Any]]) -> SafeString:
    """Every area of the plan, numbered in ``places`` order, around the site."""
    if not places:
        return mark_safe("")
    polygons = {area: adapter.cell_polygon(area) for area in places}
    lats = [p[0] for poly in polygons.values() for p in poly]
    lons = [p[1] for poly in polygons.values() for p in poly]
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    span = max(lat1 - lat0, (lon1 - lon0) * k, 1e-4)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        x = PAD + (lon - lon0) * k / span * (SIZE - 2 * PAD)
        y = SIZE - PAD - (lat - lat0) / span * (SIZE - 2 * PAD)
        return x, y

    parts = [
        f'<svg class="areas-map" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-label="{escape(_("Patrol areas around the site"))}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<rect width="{SIZE}" height="{SIZE}" fill="#f7f7f2"/>',
    ]
    for n, (area, poly) in enumerate(polygons.items(), start=1):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(a, b) for a, b in poly))
        cx, cy = xy(places[area]["lat"], places[area]["lon"])
        parts.append(
            f'<polygon points="{points}" fill="#dfe8f1" stroke="#4a6a8a" stroke-width="0.8">'
            f"<title>{escape(places[area]['place'])}</title></polygon>"
            f'<text x="{cx:.1f}" y="{cy + 3:.1f}" font-size="9" text-anchor="middle">{n}</text>'
        )
    for site in FieldSite.objects.filter(mission_id=plan.mission_id):
        if not (lat0 <= site.latitude <= lat1 and lon0 <= site.longitude <= lon1):
            continue
        x, y = xy(site.latitude, site.longitude)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#c62828"/>'
            f'<text x="{x + 6:.1f}" y="{y - 5:.1f}" font-size="10" font-weight="bold">'
            f"{escape(site.name)}</text>"
        )
    km_per_px = span * 111.32 / (SIZE - 2 * PAD)
    bar = 2 / km_per_px
    parts.append(
        f'<line x1="{PAD}" y1="{SIZE - 8}" x2="{PAD + bar:.1f}" y2="{SIZE - 8}" stroke="#111" '
        f'stroke-width="2"/><text x="{PAD}" y="{SIZE - 12}" font-size="9">2 km</text>'
        f'<text x="{SIZE - PAD}" y="{PAD}" font-size="11" text-anchor="end">'
        f"↑ {escape(_('N'))}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped names only

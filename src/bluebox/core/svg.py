"""A matplotlib figure as inline SVG a page may embed under its Content-Security-Policy.

The policy refuses ``style=`` attributes and ``<style>`` elements, both of which matplotlib
writes; SVG presentation attributes (``fill=``, ``stroke=``) say the same and are allowed.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>\s*\*\s*\{([^}]*)\}\s*</style>")
_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*([^;]+?)\s*$")


def _attributes(declarations: str) -> str:
    pairs = [_DECLARATION.match(d) for d in declarations.split(";") if d.strip()]
    return " ".join(f'{m.group(1)}="{escape(m.group(2))}"' for m in pairs if m)


def presentation_attributes(svg: str) -> str:
    """matplotlib's inline styles as SVG presentation attributes."""
    root = _STYLE_ELEMENT.search(svg)
    if root is not None:
        svg = _STYLE_ELEMENT.sub("", svg, count=1)
        svg = svg.replace("<svg ", f"<svg {_attributes(root.group(1))} ", 1)
    return _STYLE_ATTR.sub(lambda m: _attributes(m.group(1)), svg)


def figure_svg(fig: Any) -> SafeString:
    """The figure as an ``<svg>`` element (no XML prolog), with presentation attributes.

    Callers draw numbers and their own labels only; text a person typed must be escaped
    before it reaches the figure's labels (matplotlib writes it as text nodes, escaped)."""
    out = io.StringIO()
    fig.savefig(out, format="svg")
    svg = out.getvalue()
    return mark_safe(presentation_attributes(svg[svg.index("<svg") :]))  # noqa: S308

"""``bluebox export incidents --as USER --format csv|acled|geojson [--mission CODE] [-o FILE]``.

An export is always made with one person's rights, and only by that person: ``--as`` signs them
in with their own token or password (see :mod:`bluebox.commands._person`), so an operator cannot
export with someone else's rights by naming them. It holds what that person may see, is marked
with the highest classification it contains (printed, and in the default file name), and its
audit entry names both the person and the operator at the command line.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bluebox.cli import setup_django
from bluebox.commands import _person


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="export records, redacted by the exporter's rights"
    )
    sub = parser.add_subparsers(dest="export_command", required=True)
    incidents = sub.add_parser(
        "incidents", help="incidents as CSV (with HXL), ACLED CSV or GeoJSON"
    )
    _person.add_arguments(incidents, purpose="export with this account's rights")
    incidents.add_argument(
        "--format", choices=["csv", "bluebox", "acled", "geojson"], default="csv"
    )
    incidents.add_argument(
        "--mission", help="mission code (default: every mission the account sees)"
    )
    incidents.add_argument(
        "-o", "--output", help="file to write (default: a name carrying the marking)"
    )
    incidents.set_defaults(func=_export_incidents)


def _export_incidents(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import operators
    from bluebox.incidents import exports, selectors
    from bluebox.missions.models import Mission

    user = _person.sign_in(args)
    if user is None:
        return 2
    mission_id = None
    if args.mission:
        mission = Mission.objects.filter(code=args.mission).first()
        if mission is None:
            print(f"no mission with code {args.mission!r}", file=sys.stderr)
            return 2
        mission_id = mission.pk
    fmt = "csv" if args.format == "bluebox" else args.format
    queryset = selectors.incidents_for(user, selectors.IncidentFilters(mission_id=mission_id))
    mark, chunks = exports.export(
        actor=user,
        queryset=queryset,
        fmt=fmt,
        channel=f"command line, operator {operators.current() or 'unknown'}",
    )
    path = args.output or exports.filename(fmt, mark)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    print(f"{mark.label}: {mark.count} incidents written to {path}")
    return 0

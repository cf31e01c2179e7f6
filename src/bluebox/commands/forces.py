"""``bluebox forces``: keep a mission's force register from the server's command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bluebox.cli import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("forces", help="a mission's force register: the IPO roster")
    sub = parser.add_subparsers(dest="forces_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "roster",
        help="load the IPO roster from a CSV file (all rows or none; see docs/missions.md)",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--mission", required=True, help="the mission's code")
    p.add_argument("--report", help="write the per-row report as JSON to this file")
    p.set_defaults(func=_roster)


def _roster(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core.exceptions import ServiceError
    from bluebox.deployment import services
    from bluebox.missions.models import Mission

    mission = Mission.objects.filter(code=args.mission).first()
    if mission is None:
        print(f"no mission with code {args.mission!r}", file=sys.stderr)
        return 2
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"{args.file} is not UTF-8 text; save it as CSV (UTF-8)", file=sys.stderr)
        return 2
    try:
        report = services.ipo_roster_import(
            actor=None, mission_id=mission.pk, text=text, filename=args.file.name
        )
    except services.RosterRefused as refused:
        print(
            f"refused: {refused.report.error_count} bad rows of {refused.report.rows}; "
            "nothing imported"
        )
        for error in refused.report.errors[:50]:
            print(f"  {error.as_text()}")
        _write(args.report, refused.report.as_dict())
        return 1
    except ServiceError as exc:
        print(f"refused: {exc.message}", file=sys.stderr)
        return 1
    print(
        f"{report.rows} officers read: {report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged"
    )
    _write(args.report, report.as_dict())
    return 0


def _write(path: str | None, body: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(body, indent=2, default=str), encoding="utf-8")

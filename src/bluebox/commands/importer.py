"""``bluebox import ucdp|acled FILE --mission CODE``: load a published event dataset.

All rows or none: a file with bad rows is refused whole, with a per-row report. Importing the
same file again changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from bluebox.cli import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("import", help="import UCDP GED or ACLED events into a mission")
    parser.add_argument("format", choices=["ucdp", "acled"])
    parser.add_argument("file")
    parser.add_argument("--mission", required=True, help="mission code")
    parser.add_argument("--report", help="write the JSON import report to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--accept-outside",
        action="store_true",
        help="also import events that lie outside the mission's boundary (refused by default)",
    )
    parser.set_defaults(func=_import)


class ProgressBar:
    """A one-line progress bar on stderr (bytes read of the file)."""

    def __init__(self, stream: Any = None, width: int = 40) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        fraction = min(done / total, 1.0) if total else 1.0
        filled = int(fraction * self.width)
        elapsed = time.monotonic() - self.started
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {fraction:6.1%} {elapsed:6.1f} s")
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


def _import(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.incidents import jobs, services
    from bluebox.missions.models import Mission

    mission = Mission.objects.filter(code=args.mission).first()
    if mission is None:
        print(f"no mission with code {args.mission!r}", file=sys.stderr)
        return 2
    progress = None if args.quiet else ProgressBar()
    try:
        report = jobs.incidents_import(
            actor=None,
            mission=mission,
            fmt=args.format,
            path=args.file,
            progress=progress,
            accept_outside=args.accept_outside,
        )
    except FileNotFoundError:
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    except services.ImportRefused as refused:
        report = refused.report
        if not report.error_count:
            print(f"refused: {refused}")
            print("  import them anyway with --accept-outside")
            _write_report(args.report, report.as_dict())
            return 1
        print(f"refused: {report.error_count} bad rows of {report.rows}; nothing imported")
        for error in report.errors[:50]:
            print(f"  {error.as_text()}")
        if report.error_count > 50:
            print(f"  ... and {report.error_count - 50} more (see --report)")
        _write_report(args.report, report.as_dict())
        return 1
    except Exception as exc:
        if not jobs.disk_full(exc):
            raise
        print(jobs.DISK_FULL, file=sys.stderr)
        return 1
    print(
        f"imported {report.created} new events, {report.unchanged} already present, "
        f"{report.rows} rows read (sha256 {report.sha256[:12]})"
    )
    _write_report(args.report, report.as_dict())
    return 0


def _write_report(path: str | None, body: dict[str, Any]) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=2)

"""``bluebox mission create|update|check --from FILE`` and ``bluebox mission export CODE``.

A mission is set up from a definition file (YAML or JSON; see ``docs/missions.md`` and
``docs/schemas/mission-definition.schema.json``). A bad file changes nothing and every error is
printed with its path in the file; applying the same file again changes nothing.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from bluebox.cli import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("mission", help="set up a mission from its definition file")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    for name, help_text in (
        ("create", "create a new mission from a definition"),
        ("update", "bring an existing mission in line with its definition"),
        ("check", "check a definition without writing anything"),
    ):
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("--from", dest="path", required=True, metavar="FILE")
        sub.set_defaults(func=_apply, mode=name)
    export = actions.add_parser("export", help="write a mission's definition (JSON or YAML)")
    export.add_argument("code")
    export.add_argument("--format", choices=["json", "yaml"], default="yaml")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(func=_export)


def _apply(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core.exceptions import ServiceError
    from bluebox.missions import definition, services
    from bluebox.missions.models import Mission

    try:
        parsed = definition.load(args.path)
    except definition.DefinitionError as refused:
        print(f"refused: {len(refused.errors)} error(s) in {args.path}; nothing written")
        for problem in refused.errors:
            print(f"  {problem.as_text()}")
        return 1
    for warning in parsed.warnings:
        print(f"warning: {warning.as_text()}")
    if args.mode == "check":
        print(f"{args.path}: a valid definition of mission {parsed.data['code']!r}")
        return 0
    via = f"cli:{getpass.getuser()}"
    try:
        if args.mode == "create":
            report = services.mission_create(actor=None, definition=parsed, via=via)
        else:
            mission = Mission.objects.filter(code=parsed.data["code"]).first()
            if mission is None:
                print(f"no mission with code {parsed.data['code']!r}; use create", file=sys.stderr)
                return 2
            report = services.mission_update(
                actor=None, mission=mission, definition=parsed, via=via
            )
    except ServiceError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    _print_report(report, args.path)
    return 0


def _print_report(report: Any, path: str) -> None:
    mission = report.mission
    if report.created:
        print(
            f"created mission {mission.code!r} with "
            f"{mission.sectors.count()} sectors and {mission.sites.count()} sites"
        )
    elif report.changes:
        print(f"updated mission {mission.code!r}: {len(report.changes)} change(s)")
        for change in report.changes:
            print(f"  {change}")
    else:
        print(f"mission {mission.code!r} already matches {path}; nothing changed")
    for kept in report.kept:
        print(f"kept (not in the file, never deleted): {kept}")


def _export(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.missions import selectors
    from bluebox.missions.models import Mission

    mission = Mission.objects.filter(code=args.code).first()
    if mission is None:
        print(f"no mission with code {args.code!r}", file=sys.stderr)
        return 2
    text = dump(selectors.mission_definition(mission=mission), args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def dump(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import yaml

    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

"""The ``bluebox`` command: one entry point for everything an operator scripts.

Each module in :mod:`bluebox.commands` defines ``register(subparsers)`` and adds its own
sub-command group; handlers take the parsed ``argparse.Namespace`` and return an exit code.
Commands that need the database call :func:`setup_django` themselves, so pure engine commands
(``forecast backtest``, ``deploy solve``, ``patrol solve`` ...) start without Django.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

import bluebox.commands
from bluebox.core.files import restrict_new_files


def setup_django() -> None:
    """Configure Django for commands that touch the database.

    The data directory is created here on first use (the embedded database and task queue live
    in it), never by importing the settings; keys are only ever made by ``bluebox init``.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluebox.config.settings")
    from django.conf import settings

    from bluebox.config import datadir

    datadir.ensure_layout(settings.DATA_DIR)
    import django

    django.setup()
    from django.conf import settings

    from bluebox.core.files import tighten

    tighten(Path(settings.DATA_DIR))  # files an older version or a copy left readable


def operator_name() -> str:
    """Who runs this command on the server, for the audit trail (``sudo`` names the person)."""
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = f"uid {os.getuid()}"
    behind = os.environ.get("SUDO_USER")
    return f"{behind} as {login}" if behind and behind != login else login


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bluebox",
        description="bluebox: protection of civilians for police components of peace operations.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_info in sorted(
        pkgutil.iter_modules(bluebox.commands.__path__), key=lambda m: m.name
    ):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bluebox.commands.{module_info.name}")
        module.register(subparsers)
    return parser


# Commands whose own audit entries are the server's, not the operator's: the web server and the
# worker run requests and jobs for others.
SERVER_COMMANDS = frozenset({"serve"})
SERVER_MANAGE_COMMANDS = frozenset({"run_huey", "runserver"})


def main(argv: Sequence[str] | None = None) -> int:
    restrict_new_files()
    from bluebox.config.env import ConfigurationError
    from bluebox.core import operators

    parser = build_parser()
    args = parser.parse_args(argv)
    manage_command = (getattr(args, "args", None) or [""])[0] if args.command == "manage" else ""
    try:
        if args.command in SERVER_COMMANDS or manage_command in SERVER_MANAGE_COMMANDS:
            code: int = args.func(args)
            return code
        # Whatever an operator does from the command line is audited as theirs.
        with operators.as_operator(operator_name()):
            code = args.func(args)
    except ConfigurationError as exc:
        print(f"bluebox: configuration error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())

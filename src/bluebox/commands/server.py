"""Operator commands: serve, demo, manage, and the CI checks on migrations and the API schema."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bluebox.cli import setup_django

SCHEMA_PATH = Path("docs") / "openapi.yaml"
DEMO_SEED = 2026


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="migrate, then run the web server and worker")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo-if-empty",
        action="store_true",
        help="load the demo mission when the database is empty",
    )
    serve.add_argument("--no-worker", action="store_true", help="do not start the task worker")
    serve.set_defaults(func=_serve)

    worker = subparsers.add_parser(
        "worker", help="run the task worker (serve starts and supervises one for you)"
    )
    worker.add_argument("--workers", type=int, default=2, help="worker threads")
    worker.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    worker.set_defaults(func=_worker)

    demo = subparsers.add_parser("demo", help="load the synthetic demo mission")
    demo.add_argument("--seed", type=int, default=DEMO_SEED)
    demo.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=None,
        help="last day of the incident history (default: today)",
    )
    demo.add_argument(
        "--reset",
        action="store_true",
        help="empty the database first (refused when BLUEBOX_ENV=production)",
    )
    demo.set_defaults(func=_demo)

    code = subparsers.add_parser(
        "demo-code", help="print the current second-factor code of the demo accounts"
    )
    code.set_defaults(func=_demo_code)

    manage = subparsers.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_manage)

    checkm = subparsers.add_parser("check-migrations", help="fail if models lack a migration")
    checkm.set_defaults(func=_check_migrations)
    checks = subparsers.add_parser("check-schema", help="fail if docs/openapi.yaml is stale")
    checks.set_defaults(func=_check_schema)
    writes = subparsers.add_parser("write-schema", help="regenerate docs/openapi.yaml")
    writes.set_defaults(func=_write_schema)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _print_accounts() -> None:
    from bluebox.core import mfa
    from bluebox.core.models import User
    from bluebox.missions.models import Mission
    from bluebox.overview.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET

    if not Mission.objects.filter(is_synthetic=True).exists():
        return
    print(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        mark = "*" if user is not None and mfa.asks_second_factor(user) else " "
        print(f"  {account.username:<18}{mark} {account.role:<18} {account.display_name}")
    print(
        f"* asks for a second factor: add the secret {DEMO_TOTP_SECRET} to an authenticator "
        "app, or run `bluebox demo-code` for the current code."
    )


def _serve(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from waitress import serve

    from bluebox.commands.init import initialise
    from bluebox.core.worker import WorkerSupervisor
    from bluebox.overview import demo

    if code := initialise():
        return code
    from bluebox.config.wsgi import application

    _migrate()
    if args.demo_if_empty and demo.database_is_empty():
        print(f"Empty database: loading the synthetic demo mission (seed {DEMO_SEED})...")
        demo.load_demo(seed=DEMO_SEED)
    supervisor = None
    if not args.no_worker and not settings.HUEY.get("immediate"):
        supervisor = WorkerSupervisor(
            [sys.executable, "-m", "bluebox.cli", "worker", "--parent-pid", str(os.getpid())],
            max_delay_s=float(settings.WORKER_RESTART_MAX_DELAY_S),
        )
        supervisor.start()
    url = f"http://{args.host}:{args.port}/"
    print(f"\nbluebox is running at {url}  (log in at {url}login/)")
    _print_accounts()
    print("Press Ctrl+C to stop.\n", flush=True)

    def _stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        serve(application, host=args.host, port=args.port, threads=8, ident="bluebox")
    except KeyboardInterrupt:
        pass
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


def _worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from bluebox.core.worker import run_worker

    if settings.HUEY.get("immediate"):
        print("Tasks run inline (BLUEBOX_TASKS_IMMEDIATE): no worker needed.", file=sys.stderr)
        return 2
    return run_worker(workers=max(1, args.workers), parent_pid=args.parent_pid)


def _demo(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from bluebox.commands.init import initialise
    from bluebox.overview import demo

    if code := initialise():
        return code
    _migrate()
    if args.reset:
        if settings.PRODUCTION:
            print("bluebox demo --reset is refused in production.", file=sys.stderr)
            return 2
        call_command("flush", interactive=False, verbosity=0)
    try:
        mission = demo.load_demo(seed=args.seed, end=args.end_date)
    except RuntimeError as exc:
        print(f"bluebox demo: {exc} Use --reset on a development database.", file=sys.stderr)
        return 2
    print(f"Loaded demo mission {mission.code} (seed {args.seed}).")
    _print_accounts()
    return 0


def _demo_code(args: argparse.Namespace) -> int:
    """The code an authenticator app holding the published demo secret shows now (and the next
    one, for the few seconds before it changes). Only where the demo mission is loaded."""
    setup_django()
    from datetime import timedelta

    from django.utils import timezone

    from bluebox.core import mfa
    from bluebox.missions.models import Mission
    from bluebox.overview.demo import DEMO_TOTP_SECRET

    if not Mission.objects.filter(is_synthetic=True).exists():
        print("bluebox demo-code: no demo mission here.", file=sys.stderr)
        return 2
    now = timezone.now()
    left = mfa.TOTP_STEP_S - int(now.timestamp()) % mfa.TOTP_STEP_S
    nxt = mfa.totp_code(DEMO_TOTP_SECRET, now + timedelta(seconds=mfa.TOTP_STEP_S))
    print(f"{mfa.totp_code(DEMO_TOTP_SECRET, now)}  (for {left} s more; then {nxt})")
    return 0


# Django commands that neither read nor change what people hold: not worth an audit entry.
UNAUDITED_MANAGE = frozenset(
    {
        "",
        "help",
        "check",
        "makemigrations",
        "makemessages",
        "compilemessages",
        "showmigrations",
        "sqlmigrate",
        "diffsettings",
        "version",
        "run_huey",
        "runserver",
    }
)


def _manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    from bluebox.core import audit

    command = args.args[0] if args.args else ""
    if command == "changepassword":
        # Django's own would set the password outside the audited reset.
        command = "resetpassword"
    try:
        execute_from_command_line(["bluebox manage", command, *args.args[1:]])
    finally:
        # A shell, a database shell, createsuperuser...: the operator's, in the audit trail
        # (after it runs, so `migrate` on an empty database works). Only the command's name:
        # its arguments may hold values that must not be kept.
        if command not in UNAUDITED_MANAGE and not command.startswith("-"):
            try:
                audit.record(actor=None, action="operator-command", detail={"command": command})
            except (DatabaseError, audit.AuditKeyError):
                print("bluebox manage: could not write the audit entry", file=sys.stderr)
    return 0


def _check_migrations(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=1)
    except SystemExit as exc:
        print(
            "Models changed without a migration: run `bluebox manage makemigrations`.",
            file=sys.stderr,
        )
        return int(exc.code or 1)
    return 0


def _schema_text() -> str:
    setup_django()
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


def _check_schema(args: argparse.Namespace) -> int:
    current = SCHEMA_PATH.read_text() if SCHEMA_PATH.exists() else ""
    if current != _schema_text():
        print(f"{SCHEMA_PATH} is out of date: run `make schema` and commit it.", file=sys.stderr)
        return 1
    return 0


def _write_schema(args: argparse.Namespace) -> int:
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(_schema_text())
    print(f"wrote {SCHEMA_PATH}")
    return 0

"""``bluebox forecast run --mission CODE``: a mission's forecast from the database, synchronously.

Kept free of Django imports at module level: ``bluebox --help`` loads this module.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def add_run_command(sub: Any) -> None:
    run = sub.add_parser(
        "run", help="forecast a mission's areas from its records (stores the run, prints progress)"
    )
    run.add_argument("--mission", required=True, help="mission code")
    run.add_argument("--model", help="model key (default: the mission's setting)")
    run.add_argument("--horizons", help="comma-separated weeks ahead (default: the mission's)")
    run.add_argument("--today", help="date the run is made on, YYYY-MM-DD (default: today)")
    run.add_argument("--seed", type=int, default=0)
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import datetime as dt

    from bluebox.cli import setup_django

    setup_django()
    from bluebox.core.exceptions import ServiceError
    from bluebox.forecasting import jobs
    from bluebox.forecasting.models import RunStatus, RunTrigger
    from bluebox.missions.models import Mission

    mission = Mission.objects.filter(code=args.mission).first()
    if mission is None:
        print(f"error: no mission with code {args.mission!r}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        horizons = (
            [int(x) for x in args.horizons.split(",") if x.strip()] if args.horizons else None
        )
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        run = jobs.forecast_run_schedule(
            mission_id=mission.pk,
            trigger=RunTrigger.COMMAND,
            today=today,
            model_key=args.model,
            horizons=horizons,
            random_state=args.seed,
        )
    except ServiceError as exc:
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
        print(f"error: {exc.message} {detail}".strip(), file=sys.stderr)
        return EXIT_BAD_INPUT

    def show(percent: int, message: str) -> None:
        print(f"[{percent:3d}%] {message}", file=sys.stderr, flush=True)

    print(f"forecast run {run.pk}: {mission.code}, origin {run.origin}", file=sys.stderr)
    run = jobs.forecast_run_execute(run_id=run.pk, on_progress=show)
    if run.status != RunStatus.DONE:
        return EXIT_FAILED
    # The operator learns that it ran, not what it read: counts are derived data, shown on the
    # forecast page to each reader for their own variant.
    print(f"run {run.pk} done: {run.inputs.get('sites', 0)} sites, model {run.model_key}")
    return 0

"""``bluebox patrol``: solve patrol games, sample weekly schedules, generate test sites.

Pure engine commands: no database, no Django. Documents follow the JSON Schemas in
``docs/schemas/patrol-*.schema.json``; a bad input file gives a one-line error and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "patrol", help="randomised, risk-weighted patrol plans and weekly schedules"
    )
    sub = parser.add_subparsers(dest="patrol_command", required=True, metavar="ACTION")

    solve = sub.add_parser("solve", help="solve a site's patrol game into a plan")
    solve.add_argument("--problem", type=Path, required=True, help="patrol-problem JSON file")
    solve.add_argument("--out", type=Path, required=True, help="where to write the plan JSON")
    solve.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    solve.add_argument("--method", choices=("compact", "eraser", "multiple-lps"), default="compact")
    solve.add_argument(
        "--attacker",
        choices=("rational", "suqr", "learning", "robust"),
        help="default: the problem's attacker model",
    )
    solve.add_argument(
        "--no-robust",
        action="store_true",
        help="keep the LP's vertex equilibrium instead of the robust tie-break",
    )
    solve.set_defaults(func=_solve)

    sample = sub.add_parser("sample", help="draw weekly schedules from a plan")
    sample.add_argument("--plan", type=Path, required=True, help="patrol-plan JSON file")
    sample.add_argument("--weeks", type=int, required=True, help="number of weeks to draw")
    sample.add_argument("--seed", type=int, required=True, help="seed (same seed, same weeks)")
    sample.add_argument("--out", type=Path, required=True, help="directory for week-NNN.json")
    sample.add_argument(
        "--first-week", type=int, default=1, help="number of the first week (default 1)"
    )
    sample.add_argument("--method", choices=("systematic", "independent"), default="systematic")
    sample.set_defaults(func=_sample)

    generate = sub.add_parser("generate", help="generate a synthetic site problem")
    generate.add_argument("--targets", type=int, required=True, help="about this many targets")
    generate.add_argument("--seed", type=int, required=True)
    generate.add_argument("--site-id", default="site-1")
    generate.add_argument("--out", type=Path, help="file to write (default: standard output)")
    generate.set_defaults(func=_generate)

    evaluate = sub.add_parser("evaluate", help="compare a plan with the baseline policies")
    evaluate.add_argument("--plan", type=Path, required=True)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--weeks", type=int, default=400, help="weeks drawn per policy")
    evaluate.set_defaults(func=_evaluate)

    score = sub.add_parser("score", help="predictability meter for a manually edited week")
    score.add_argument("--plan", type=Path, required=True)
    score.add_argument("--schedule", type=Path, required=True, help="the edited week")
    score.add_argument("--drawn", type=Path, help="the week as drawn, to find what changed")
    score.set_defaults(func=_score)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _write_json(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _solve(args: argparse.Namespace) -> int:
    from bluebox.engines.patrol import (
        ProblemError,
        compile_game,
        plan_to_dict,
        problem_from_dict,
        read_document,
        solve,
    )

    try:
        problem = problem_from_dict(read_document(args.problem, "patrol-problem"))
    except ProblemError as exc:
        return _fail(str(exc))
    if args.time_limit <= 0:
        return _fail("--time-limit must be positive")
    print(
        f"solving {problem.n_targets} targets, {len(problem.teams)} teams "
        f"({args.method}, limit {args.time_limit:g} s)",
        file=sys.stderr,
    )
    game = compile_game(problem)
    solution = solve(
        problem,
        time_limit_s=args.time_limit,
        method=args.method,
        attacker=args.attacker,
        robust=not args.no_robust,
        game=game,
    )
    print(
        f"status {solution.status} in {solution.solve_time_s:.3f} s: defender "
        f"{solution.defender_value_rational:.4f} (rational), "
        f"{solution.defender_value_suqr:.4f} (SUQR), "
        f"{solution.defender_value_worst_tie:.4f} (ties against it); "
        f"attacker {solution.attacker_value:.4f}",
        file=sys.stderr,
    )
    if solution.status not in ("optimal", "local_optimum", "feasible"):
        print(f"error: no usable plan ({solution.status})", file=sys.stderr)
        return 1
    try:
        _write_json(args.out, plan_to_dict(problem, game, solution))
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
    return 0


def _load_plan(path: Path) -> Any:
    from bluebox.engines.patrol import plan_from_dict, read_document

    return plan_from_dict(read_document(path, "patrol-plan"))


def _sample(args: argparse.Namespace) -> int:
    from bluebox.engines.patrol import ProblemError, sample_weeks, schedule_to_dict

    if args.weeks < 1 or args.seed < 0:
        return _fail("--weeks must be at least 1 and --seed non-negative")
    try:
        plan = _load_plan(args.plan)
    except ProblemError as exc:
        return _fail(str(exc))
    weeks = sample_weeks(
        plan.problem,
        plan.game.travel,
        plan.mixtures,
        args.weeks,
        args.seed,
        method=args.method,
        first_week=args.first_week,
    )
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for week in weeks:
            doc = schedule_to_dict(week, seed=args.seed, site_id=plan.problem.site_id)
            _write_json(args.out / f"week-{week.week:03d}.json", doc)
    except OSError as exc:
        return _fail(f"cannot write to {args.out}: {exc.strerror or exc}")
    print(f"wrote {len(weeks)} week(s) to {args.out}", file=sys.stderr)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from bluebox.engines.patrol import generate_problem

    if args.targets < 1 or args.seed < 0:
        return _fail("--targets must be at least 1 and --seed non-negative")
    doc = generate_problem(args.targets, args.seed, site_id=args.site_id)
    if args.out is None:
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    try:
        _write_json(args.out, doc)
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from bluebox.engines.patrol import ProblemError, evaluate_policies

    try:
        plan = _load_plan(args.plan)
    except ProblemError as exc:
        return _fail(str(exc))
    print(f"drawing {args.weeks} weeks per policy...", file=sys.stderr)
    reports = evaluate_policies(
        plan.game, plan.mixtures, seed=args.seed, pool_weeks=args.weeks, coverage=plan.coverage
    )
    header = (
        "policy", "U_d rational", "U_d SUQR", "attack success N=4", "entropy bits/week",
        "executable weeks",
    )  # fmt: skip
    print(" | ".join(header))
    for r in reports:
        print(
            f"{r.policy} | {r.defender_value_rational:.4f} | {r.defender_value_suqr:.4f} | "
            f"{r.attack_success.get(4, float('nan')):.3f} | {r.entropy_bits:.1f} | "
            f"{r.executable_week_share:.3f}"
        )
    return 0


def _score(args: argparse.Namespace) -> int:
    from bluebox.engines.patrol import ProblemError, read_document, schedule_from_dict
    from bluebox.engines.patrol.evaluation import score_override

    try:
        plan = _load_plan(args.plan)
        edited = schedule_from_dict(read_document(args.schedule, "patrol-schedule"))
        drawn = (
            schedule_from_dict(read_document(args.drawn, "patrol-schedule")) if args.drawn else None
        )
    except ProblemError as exc:
        return _fail(str(exc))
    result = score_override(plan.game, plan.coverage, edited, drawn=drawn)
    print(
        json.dumps(
            {
                "score": round(result.score, 4),
                "changed_slots": result.changed_slots,
                "violations": result.violations,
                "defender_value_plan": result.defender_value_plan,
                "defender_value_override": result.defender_value_override,
                "coverage_gap_pp": round(result.coverage_gap_pp, 2),
                "exposed": result.exposed,
            },
            indent=1,
        )
    )
    return 1 if result.violations else 0

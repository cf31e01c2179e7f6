"""``bluebox deploy``: solve deployment problems, run what-ifs, generate instances.

Pure engine commands: no Django, no database. Problems and plans are JSON documents described
by ``docs/schemas/deployment-*.schema.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``deploy`` command group."""
    parser = subparsers.add_parser("deploy", help="deployment plans: solve, what-if, generate")
    sub = parser.add_subparsers(dest="deploy_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("solve", help="optimise a deployment plan")
    p.add_argument("--problem", required=True, type=Path, help="problem JSON file")
    p.add_argument("--out", required=True, type=Path, help="plan JSON file to write")
    p.add_argument("--time-limit", type=float, default=30.0, help="seconds (default 30)")
    p.add_argument("--gap", type=float, default=1e-3, help="relative gap to stop at")
    p.add_argument("--backend", choices=["hybrid", "cpsat", "highs"], default="hybrid")
    p.set_defaults(func=_solve)

    w = sub.add_parser("whatif", help="rank caveats and splits; force-requirement curves")
    w.add_argument("--problem", required=True, type=Path)
    w.add_argument("--out", required=True, type=Path, help="directory to write reports to")
    w.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    w.add_argument("--target", type=float, default=0.8, help="protection share to reach")
    w.add_argument("--max-added", type=int, default=6, help="most reinforcements tried")
    w.add_argument("--no-curves", action="store_true", help="skip force-requirement curves")
    w.set_defaults(func=_whatif)

    g = sub.add_parser("generate", help="write a realistic synthetic problem")
    g.add_argument("--scale", choices=["small", "mission", "global"], default="mission")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--out", type=Path, help="file to write (default: standard output)")
    g.set_defaults(func=_generate)


def _load(path: Path) -> Any:
    from bluebox.engines.deployment import ProblemError, problem_from_dict

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProblemError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProblemError(f"{path} is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ProblemError(f"{path}: a problem is a JSON object")
    return problem_from_dict(doc)


def _write(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _solve(args: argparse.Namespace) -> int:
    from bluebox.engines.deployment import ProblemError, solve
    from bluebox.engines.deployment.report import solution_to_dict

    try:
        problem = _load(args.problem)
    except ProblemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"solving {problem.name} ({args.backend}, {args.time_limit:g} s)...", file=sys.stderr)
    sol = solve(problem, time_limit_s=args.time_limit, backend=args.backend, rel_gap=args.gap)
    _write(args.out, solution_to_dict(problem, sol))
    summary = f"{sol.status}: protection {sol.objective or 0:.1%}"
    if sol.gap is not None:
        summary += f", gap {sol.gap:.2%}"
    if sol.greedy_ratio is not None:
        summary += f", {sol.greedy_ratio:.3f}x greedy"
    print(summary, file=sys.stderr)
    for c in sol.conflict or ():
        print(f"  conflict: {c.text}", file=sys.stderr)
    return 0 if sol.assignment is not None else 1


def _whatif(args: argparse.Namespace) -> int:
    from bluebox.engines.deployment import ProblemError, solve
    from bluebox.engines.deployment.report import solution_to_dict, whatif_to_dict
    from bluebox.engines.deployment.whatif import force_curve, standard_profiles, sweep

    try:
        problem = _load(args.problem)
    except ProblemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    base = solve(problem, time_limit_s=args.time_limit)
    _write(args.out / "base-plan.json", solution_to_dict(problem, base))
    if base.assignment is None:
        print(f"base problem is {base.status}; see base-plan.json", file=sys.stderr)
        return 1

    def progress(i: int, n: int, key: str) -> None:
        print(f"[{i}/{n}] {key}", file=sys.stderr)

    changes = sweep(problem, base=base, time_limit_s=args.time_limit, progress=progress)
    curves = []
    if not args.no_curves:
        for profile in standard_profiles(problem):
            print(f"force curve: {profile.id}", file=sys.stderr)
            curves.append(
                force_curve(
                    problem,
                    profile,
                    max_added=args.max_added,
                    target=args.target,
                    time_limit_s=args.time_limit,
                )
            )
    _write(args.out / "whatif.json", whatif_to_dict(problem, base, changes, curves))
    for w in changes[:5]:
        print(f"{(w.delta or 0):+.2%}  {w.text}", file=sys.stderr)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from bluebox.engines.deployment import generate, problem_to_dict

    doc = problem_to_dict(generate(args.scale, seed=args.seed))
    text = json.dumps(doc, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0

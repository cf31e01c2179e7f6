"""A hidden record and a missing one answer in the same time (the timing oracle, bounded).

In a throwaway database, a reporter at site A asks the incident API for an incident of site B
(hidden from them) and for an id that does not exist, interleaved, many times. Prints the median
and p95 of each and the ratio hidden / missing — the missing record is the baseline, measured in
the same run. With ``--bound R`` it exits 1 when the ratio of medians leaves [1/R, R].

The structural proof is ``core/tests/test_hidden_like_missing.py`` (same statements, same audit
entry); this only checks that nothing else makes one answer measurably slower.

    .venv/bin/python bench/bench_hidden_lookup.py [--rounds 400] [--bound 1.15] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def _setup(tmp: str) -> None:
    os.environ.setdefault("BLUEBOX_DATA_DIR", tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bluebox.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--bound", type=float, default=0.0, help="fail outside [1/R, R]")
    parser.add_argument("--quick", action="store_true", help="30 rounds: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 30
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        from rest_framework.test import APIClient

        from bluebox.core.models import RoleAssignment, User
        from bluebox.core.roles import Role
        from bluebox.testing.factories import (
            FieldSiteFactory,
            IncidentFactory,
            MissionFactory,
            SectorFactory,
        )

        mission = MissionFactory(code="bench")
        site_a = FieldSiteFactory(sector=SectorFactory(mission=mission), code="a")
        site_b = FieldSiteFactory(sector=SectorFactory(mission=mission), code="b")
        reporter = User.objects.create(username="reporter")
        RoleAssignment.objects.create(
            user=reporter, role=Role.REPORTER, mission=mission, site=site_a
        )
        for _ in range(200):
            IncidentFactory(site=site_a)
            IncidentFactory(site=site_b)
        hidden = IncidentFactory(site=site_b).pk
        missing = hidden + 10_000
        client = APIClient()
        client.force_authenticate(reporter)
        times: dict[str, list[float]] = {"hidden": [], "missing": []}
        for _ in range(20):  # warm up both paths
            client.get(f"/api/v1/incidents/{hidden}/")
            client.get(f"/api/v1/incidents/{missing}/")
        for i in range(args.rounds):
            order = (("hidden", hidden), ("missing", missing))
            for name, pk in order if i % 2 == 0 else order[::-1]:
                start = time.perf_counter()
                response = client.get(f"/api/v1/incidents/{pk}/")
                times[name].append(time.perf_counter() - start)
                assert response.status_code == 404
        med = {k: statistics.median(v) * 1000 for k, v in times.items()}
        p95 = {k: statistics.quantiles(v, n=20)[-1] * 1000 for k, v in times.items()}
        ratio = med["hidden"] / med["missing"]
        print(f"incident API 404, {args.rounds} interleaved rounds, 401 incidents (SQLite)")
        for k in ("missing", "hidden"):
            print(f"  {k:8s} p50 {med[k]:7.3f} ms   p95 {p95[k]:7.3f} ms")
        print(f"  ratio hidden / missing (p50): {ratio:.3f}")
        if args.bound and not (1 / args.bound <= ratio <= args.bound):
            print(f"  outside the bound [{1 / args.bound:.3f}, {args.bound:.3f}]")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

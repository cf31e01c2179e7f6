"""How long the field guide takes to answer "may I act here, and how?" on the server.

In a throwaway SQLite database with the demo rules (MINUVAR 2025 and 2026, approved), a
reporter asks the answer API about every action in turn at a site, many times, and the same
page (the GET form with its answer). The baseline, timed in the same run, interleaved with the
answers, is the same person reading the site they are at from the API (``/api/v1/sites/<id>/``:
authentication, authorization, one record, JSON), so the ratio says what answering costs beyond
any request. Prints the median and p95 of each in milliseconds and the ratios of the medians;
the first request of the process and the parsing of a rule set are reported apart.

    .venv/bin/python bench/bench_guide_answer.py [--rounds 300] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def _setup(tmp: str) -> None:
    from pathlib import Path

    from bluebox.config import datadir

    os.environ.setdefault("BLUEBOX_DATA_DIR", tmp)
    # Development keys for the throwaway data directory (what `bluebox init` writes).
    datadir.ensure_layout(Path(tmp))
    for spec in datadir.ALL_KEYS:
        if not os.environ.get(spec.env):
            datadir.write_key(Path(tmp), spec, [datadir.new_secret(spec)])
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bluebox.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="30 rounds: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 30
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        from django.test import Client
        from rest_framework.test import APIClient

        from bluebox.core.models import RoleAssignment, User
        from bluebox.core.roles import Role
        from bluebox.engines.guide import ACTIONS
        from bluebox.guide.tests.factories import approved
        from bluebox.testing.factories import FieldSiteFactory, MissionFactory, SectorFactory

        mission = MissionFactory(code="bench")
        site = FieldSiteFactory(sector=SectorFactory(mission=mission), code="velde")
        commander = User.objects.create(username="commander")
        RoleAssignment.objects.create(user=commander, role=Role.COMMANDER, mission=mission)
        reporter = User.objects.create(username="reporter")
        RoleAssignment.objects.create(user=reporter, role=Role.REPORTER, site=site, mission=mission)
        approved(mission, commander, "minuvar-2025.yaml", valid_until=None)
        approved(mission, commander)
        api = APIClient()
        api.force_login(reporter)
        page = Client()
        page.force_login(reporter)
        query = {"site": site.pk, "host_request": "true", "threat": "armed"}
        started = time.perf_counter()
        api.get("/api/v1/guide/answer/", {**query, "action": "detain"})
        first = time.perf_counter() - started
        api_times, page_times, base_times = [], [], []
        for i in range(args.rounds):
            action = ACTIONS[i % len(ACTIONS)]
            t0 = time.perf_counter()
            response = api.get(f"/api/v1/sites/{site.pk}/")
            base_times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content
            t0 = time.perf_counter()
            response = api.get("/api/v1/guide/answer/", {**query, "action": action})
            api_times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content
            t0 = time.perf_counter()
            response = page.get(
                "/guide/", {"site": site.pk, "action": action, "host_request": "yes"}
            )
            page_times.append(time.perf_counter() - t0)
            assert response.status_code == 200
        from bluebox.engines.guide import parse
        from bluebox.guide.demo import demo_document

        doc = demo_document("minuvar-2026.yaml")
        t0 = time.perf_counter()
        for _ in range(20):
            parse(doc)
        parsing = (time.perf_counter() - t0) / 20
        print(f"first request of the process (imports, URL map, rule set): {first * 1000:.0f} ms")
        print(f"parsing and checking the 2026 rule set: {parsing * 1000:.1f} ms (once a process)")
        print(f"answer API, {args.rounds} answers over {len(ACTIONS)} actions: {_ms(api_times)}")
        print(f"answer page, {args.rounds} pages: {_ms(page_times)}")
        print(f"baseline, the reporter's site from the API: {_ms(base_times)}")
        base = statistics.median(base_times)
        print(
            f"ratio of medians: answer API / baseline {statistics.median(api_times) / base:.2f}x, "
            f"answer page / baseline {statistics.median(page_times) / base:.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

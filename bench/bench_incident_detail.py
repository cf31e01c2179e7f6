"""Incident detail for a mission-wide role at a million incidents, against the row read alone.

Loads N incidents (the incident list benchmark's loader: the demo mission, copied back in time),
links a sample of them to each other (so the page's links and history have rows to find), then
measures, in one run, as the commissioner (every site of the mission, the role whose detail page
once ran two ``IN (visible ids)`` queries over every incident it may see):

* the detail page (``GET /incidents/<id>/``: authorization, history, links, the forms) and the
  API detail (``GET /api/v1/incidents/<id>/``), each for random incidents the commissioner reads;
* the baseline, the same incident's row fetched in raw SQL (``SELECT * ... WHERE id = %s``).

Prints p50/p95 of each, the ratios against the baseline, and the problem size.

    .venv/bin/python bench/bench_incident_detail.py [--incidents 1000000] [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python bench/bench_incident_detail.py
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time

from bench_api_incidents import _load, _setup, _timed


def _link_sample(ids: list[int], links: int, rng: random.Random, by: object) -> None:
    """Link ``links`` random pairs of incidents the way an analyst does (same event)."""
    from django.utils import timezone

    from bluebox.incidents.models import IncidentLink

    pairs = {tuple(sorted(rng.sample(ids, 2))) for _ in range(links)}
    now = timezone.now()
    IncidentLink.objects.bulk_create(
        [
            IncidentLink(from_incident_id=a, to_incident_id=b, linked_by=by, linked_at=now)
            for a, b in pairs
        ],
        batch_size=2000,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.incidents, args.links, args.repeat = 5_000, 500, 10
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        from django.db import connection
        from django.test import Client
        from rest_framework.test import APIClient

        from bluebox.core.models import User
        from bluebox.incidents.models import Incident
        from bluebox.incidents.selectors import incidents_for

        t0 = time.perf_counter()
        _load(args.incidents)
        commissioner = User.objects.get(username="commissioner")
        # Incidents the commissioner may read (the demo holds some that need a compartment).
        ids = list(incidents_for(commissioner).values_list("id", flat=True))
        _link_sample(ids, args.links, rng, commissioner)
        load_s = time.perf_counter() - t0
        web = Client()
        web.force_login(commissioner)
        api = APIClient()
        api.force_authenticate(commissioner)
        picks = iter(rng.choice(ids) for _ in range(10 * args.repeat + 10))

        def page() -> None:
            response = web.get(f"/incidents/{next(picks)}/")
            assert response.status_code == 200, response.status_code

        def api_detail() -> None:
            response = api.get(f"/api/v1/incidents/{next(picks)}/")
            assert response.status_code == 200, response.content[:300]

        def row() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM incidents_incident WHERE id = %s", [next(picks)])
                assert cursor.fetchone() is not None

        measured = {
            "detail page": _timed(args.repeat, page),
            "API detail": _timed(args.repeat, api_detail),
            "row in SQL": _timed(args.repeat, row),
        }
        engine = connection.vendor
        total = Incident.objects.count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"incident detail as the commissioner (whole mission), {total:,} incidents and "
        f"{args.links:,} links on {engine}, {args.repeat} random incidents each "
        f"(load took {load_s:.1f} s)"
    )
    b50, b95 = measured["row in SQL"]
    print(f"{'read':<14}{'p50 ms':>10}{'p95 ms':>10}{'ratio p50':>11}{'ratio p95':>11}")
    for name, (p50, p95) in measured.items():
        print(f"{name:<14}{p50 * 1e3:>10.2f}{p95 * 1e3:>10.2f}{p50 / b50:>11.1f}{p95 / b95:>11.1f}")
    print(f"peak resident memory: {peak_mb:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

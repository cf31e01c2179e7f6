"""Incident list API: latency of one page through the whole stack vs the same page in raw SQL.

Loads N synthetic incidents (the demo generator's process, repeated) into a throwaway database,
then measures, in one run:

* the API (`GET /api/v1/incidents/?limit=100&mission=M`) as a commissioner and as a reporter at
  one site: authentication, the access filter, serialization, pagination (with its COUNT);
* the same page fetched with raw SQL (`SELECT ... ORDER BY occurred_at DESC LIMIT 100` and the
  COUNT), the baseline.

Prints p50/p95 of each and the ratio API / raw SQL, plus peak memory. With ``--export-rows N``
it also streams the reporter's CSV export (HXL row, access filter, audit entry) and compares
its throughput with fetching the same rows in raw SQL.

    .venv/bin/python bench/bench_api_incidents.py [--incidents 200000] [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python bench/bench_api_incidents.py
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta


def _setup(tmp: str) -> None:
    os.environ.setdefault("BLUEBOX_DATA_DIR", tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bluebox.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _fill_postgres(n: int) -> None:
    """Copy the demo's incidents back in time in one INSERT ... SELECT (fast at 1,000,000)."""
    from django.db import connection

    from bluebox.incidents.models import Incident

    base = Incident.objects.count()
    shifts = -(-n // base) - 1
    columns = [f.column for f in Incident._meta.concrete_fields if f.column != "id"]
    shifted = {
        "external_id": "'bench-' || s || '-' || external_id",
        "occurred_at": "occurred_at - s * interval '730 days'",
        "reported_at": "occurred_at - s * interval '730 days'",
    }
    select = ", ".join(shifted.get(c, c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO incidents_incident ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {select} FROM incidents_incident CROSS JOIN generate_series(1, %s) AS s "
            "ORDER BY s, id LIMIT %s",
            [shifts, n - base],
        )
        cursor.execute("ANALYZE incidents_incident")


def _load(n: int) -> None:
    from django.db import connection

    from bluebox.incidents.models import Incident
    from bluebox.missions.demo import load_demo

    load_demo(seed=1, end=date(2026, 10, 31))
    if connection.vendor == "postgresql":
        _fill_postgres(n)
        return
    template = list(Incident.objects.all())
    originals = [(inc.external_id, inc.occurred_at) for inc in template]
    made = len(template)
    shift = 0
    while made < n:
        shift += 1
        batch = []
        for inc, (external_id, occurred_at) in zip(template[: n - made], originals, strict=False):
            inc.pk = None
            inc.external_id = f"bench-{shift}-{external_id}"
            inc.occurred_at = occurred_at - timedelta(days=730 * shift)
            inc.reported_at = inc.occurred_at
            batch.append(inc)
        Incident.objects.bulk_create(batch, batch_size=2000)
        made += len(batch)


def _export(limit: int, site_id: int, mission_id: int) -> tuple[int, float, float]:
    from django.db import connection
    from rest_framework.test import APIClient

    from bluebox.core.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username="reporter"))
    start = time.perf_counter()
    response = client.get(f"/api/v1/incidents/export/csv/?mission={mission_id}")
    rows = -2  # header and HXL row
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        if rows >= limit:
            break
    api_s = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM incidents_incident WHERE mission_id = %s AND site_id = %s "
            "AND voided_at IS NULL ORDER BY occurred_at DESC, id DESC LIMIT %s",
            [mission_id, site_id, rows],
        )
        cursor.fetchall()
    return rows, api_s, time.perf_counter() - start


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--export-rows", type=int, default=0)
    args = parser.parse_args()
    if args.quick:
        args.incidents, args.repeat = 5_000, 10
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        from django.db import connection
        from rest_framework.test import APIClient

        from bluebox.core.models import User
        from bluebox.missions.models import FieldSite, Mission

        t0 = time.perf_counter()
        _load(args.incidents)
        load_s = time.perf_counter() - t0
        mission = Mission.objects.get()
        reporter_site = FieldSite.objects.get(code="korrin-camp")
        results = {}
        for who in ("commissioner", "reporter"):
            client = APIClient()
            client.force_authenticate(User.objects.get(username=who))
            url = f"/api/v1/incidents/?limit=100&mission={mission.pk}"
            client.get(url)  # warm
            samples = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - start)
                assert response.status_code == 200
            results[who] = _percentiles(samples)
        site_filter = {"commissioner": "", "reporter": f" AND site_id = {reporter_site.pk}"}
        raw = {}
        for who, extra in site_filter.items():
            where = f"mission_id = {mission.pk} AND voided_at IS NULL{extra}"
            samples = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM incidents_incident WHERE {where}")  # noqa: S608
                    cursor.fetchone()
                    cursor.execute(
                        f"SELECT * FROM incidents_incident WHERE {where} "  # noqa: S608
                        "ORDER BY occurred_at DESC, id DESC LIMIT 100"
                    )
                    cursor.fetchall()
                samples.append(time.perf_counter() - start)
            raw[who] = _percentiles(samples)
        engine = connection.vendor
        export = None
        if args.export_rows:
            export = _export(args.export_rows, reporter_site.pk, mission.pk)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"incident list API, {args.incidents:,} incidents on {engine}, page of 100, "
        f"{args.repeat} requests each (load took {load_s:.1f} s)"
    )
    print(
        f"{'user':<14}{'API p50 ms':>12}{'API p95 ms':>12}{'SQL p50 ms':>12}{'SQL p95 ms':>12}"
        f"{'ratio p50':>11}{'ratio p95':>11}"
    )
    for who, (a50, a95) in results.items():
        r50, r95 = raw[who]
        print(
            f"{who:<14}{a50 * 1e3:>12.2f}{a95 * 1e3:>12.2f}{r50 * 1e3:>12.2f}{r95 * 1e3:>12.2f}"
            f"{a50 / r50:>11.1f}{a95 / r95:>11.1f}"
        )
    if export is not None:
        rows, api_s, sql_s = export
        print(
            f"CSV export as the reporter: {rows:,} rows in {api_s:.2f} s "
            f"({rows / api_s:,.0f} rows/s); raw SQL fetch {sql_s:.2f} s; ratio {api_s / sql_s:.1f}"
        )
    print(f"peak resident memory: {peak_mb:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

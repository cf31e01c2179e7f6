"""Incident list API: latency of one page through the whole stack vs the same page in raw SQL.

Loads N synthetic incidents (the demo generator's process, repeated) into a throwaway database,
then measures, in one run, as a commissioner (whole mission) and as a reporter at one site:

* the API's first page (`GET /api/v1/incidents/?page_size=100&mission=M`) and a deep page (the
  same request with the cursor `next` would carry after half of the person's visible incidents):
  authentication, the access filter, serialization, keyset pagination (no COUNT), the
  `list-read` audit entry of each page showing strictly confidential or compartmented rows;
  each in the default summary rows and with `view=full` (every field);
* the same pages fetched with raw SQL, the baseline: `SELECT * ... ORDER BY occurred_at DESC,
  id DESC LIMIT 101` and, for the deep page, the same keyset condition on (occurred_at, id);
  and the same queries reading only the summary's columns;
* the raw `SELECT COUNT(*)` of the person's rows, which limit/offset pagination ran on every
  request before the list moved to cursors (for comparison with the earlier figures).

Prints p50/p95 of each and the ratio API / raw SQL, the machine's load average, how many
`list-read` entries the requests wrote (the audit chain is verified after), plus peak memory.
With ``--export-rows N`` it also streams the reporter's CSV export (HXL row, access filter,
audit entry) and compares its throughput with fetching the same rows in raw SQL.

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
from collections.abc import Callable
from datetime import date, timedelta


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


def _shift_step(n: int) -> timedelta:
    """How far back each copy of the demo's incidents goes: two years (the demo's span) while
    the copies fit in the date window bluebox accepts, closer together (overlapping) beyond,
    so every row's date is one a cursor may carry (``settings.EARLIEST_DATE``)."""
    from django.db.models import Min

    from bluebox.core.bounds import earliest_date
    from bluebox.incidents.models import Incident

    base = Incident.objects.count()
    shifts = max(-(-n // base) - 1, 1)
    oldest = Incident.objects.aggregate(first=Min("occurred_at"))["first"]
    room = oldest.date() - earliest_date() - timedelta(days=1)
    return min(timedelta(days=730), room / shifts)


def _fill_postgres(n: int, step: timedelta) -> None:
    """Copy the demo's incidents back in time in one INSERT ... SELECT (fast at 1,000,000)."""
    from django.db import connection

    from bluebox.incidents.models import Incident

    base = Incident.objects.count()
    if n <= base:
        return
    shifts = -(-n // base) - 1
    columns = [f.column for f in Incident._meta.concrete_fields if f.column != "id"]
    back = f"occurred_at - s * interval '{int(step.total_seconds())} seconds'"
    shifted = {
        "external_id": "'bench-' || s || '-' || external_id",
        "occurred_at": back,
        "reported_at": back,
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
    from bluebox.overview.demo import load_demo

    load_demo(seed=1, end=date(2026, 10, 31))
    step = _shift_step(n)
    if connection.vendor == "postgresql":
        _fill_postgres(n, step)
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
            inc.occurred_at = occurred_at - step * shift
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


def _timed(repeat: int, call: Callable[[], object]) -> tuple[float, float]:
    call()  # warm
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return _percentiles(samples)


def _measure(who: str, mission_id: int, where: str, repeat: int) -> dict[str, tuple[float, float]]:
    """First and deep page through the API and in raw SQL, and the COUNT the API no longer runs."""
    from django.db import connection
    from rest_framework.pagination import Cursor
    from rest_framework.test import APIClient

    from bluebox.core.models import AuditEntry, User
    from bluebox.incidents.api import SUMMARY_FIELDS, IncidentPagination
    from bluebox.incidents.models import Incident

    client = APIClient()
    client.force_authenticate(User.objects.get(username=who))
    url = f"/api/v1/incidents/?page_size=100&mission={mission_id}"
    order = "ORDER BY occurred_at DESC, id DESC LIMIT 101"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM incidents_incident WHERE {where}")  # noqa: S608
        total = cursor.fetchone()[0]
        depth = total // 2
        cursor.execute(
            f"SELECT id FROM incidents_incident WHERE {where} "  # noqa: S608
            "ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET %s",
            [depth - 1],
        )
        last_seen = Incident.objects.get(pk=cursor.fetchone()[0])
    # The cursor `next` would carry after ``depth`` rows, made by the API's own paginator.
    pager = IncidentPagination()
    pager.base_url = f"http://testserver{url}"
    position = pager._get_position_from_instance(last_seen, pager.ordering)
    deep_url = pager.encode_cursor(Cursor(offset=0, reverse=False, position=position))
    keyset = f" AND occurred_at <= %s AND (occurred_at < %s OR id < %s) {order}"
    keyset_params = [last_seen.occurred_at, last_seen.occurred_at, last_seen.pk]

    def api(target: str) -> list[int]:
        response = client.get(target)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in response.json()["results"]]

    def full(target: str) -> str:
        return target + ("&" if "?" in target else "?") + "view=full"

    def sql(query: str, params: list[object]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return [row[0] for row in cursor.fetchall()]

    first_sql = f"SELECT * FROM incidents_incident WHERE {where} {order}"  # noqa: S608
    deep_sql = f"SELECT * FROM incidents_incident WHERE {where}{keyset}"  # noqa: S608
    # The same pages reading only the summary's columns (a like-for-like baseline for it).
    columns = ", ".join(Incident._meta.get_field(name).column for name in SUMMARY_FIELDS)
    first_cols = f"SELECT {columns} FROM incidents_incident WHERE {where} {order}"  # noqa: S608
    deep_cols = f"SELECT {columns} FROM incidents_incident WHERE {where}{keyset}"  # noqa: S608
    count_sql = f"SELECT COUNT(*) FROM incidents_incident WHERE {where}"  # noqa: S608
    deep_ids = api(deep_url)
    assert deep_ids and deep_ids[0] != last_seen.pk, "the deep cursor resumes after its row"
    assert api(full(deep_url)) == deep_ids, "both views list the same rows"
    entries_before = AuditEntry.objects.filter(action="list-read").count()
    measured = {
        "api first": _timed(repeat, lambda: api(url)),
        "api deep": _timed(repeat, lambda: api(deep_url)),
        "full first": _timed(repeat, lambda: api(full(url))),
        "full deep": _timed(repeat, lambda: api(full(deep_url))),
    }
    list_reads = AuditEntry.objects.filter(action="list-read").count() - entries_before
    return {
        **measured,
        "sql first": _timed(repeat, lambda: sql(first_sql, [])),
        "sql deep": _timed(repeat, lambda: sql(deep_sql, keyset_params)),
        "cols first": _timed(repeat, lambda: sql(first_cols, [])),
        "cols deep": _timed(repeat, lambda: sql(deep_cols, keyset_params)),
        "sql count": _timed(repeat, lambda: sql(count_sql, [])),
        "depth": (float(depth), float(total)),
        # (requests made, list-read entries they wrote): one per page showing sensitive rows.
        "list reads": (float(4 * (repeat + 1)), float(list_reads)),
    }


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

        from bluebox.missions.models import FieldSite, Mission

        t0 = time.perf_counter()
        _load(args.incidents)
        load_s = time.perf_counter() - t0
        load_before = os.getloadavg()[0]
        mission = Mission.objects.get()
        reporter_site = FieldSite.objects.get(code="korrin-camp")
        site_filter = {"commissioner": "", "reporter": f" AND site_id = {reporter_site.pk}"}
        results: dict[str, dict[str, tuple[float, float]]] = {}
        for who, extra in site_filter.items():
            where = f"mission_id = {mission.pk} AND voided_at IS NULL{extra}"
            results[who] = _measure(who, mission.pk, where, args.repeat)
        engine = connection.vendor
        from bluebox.core import audit

        chain = audit.verify()
        assert chain.ok, chain.problems + chain.key_problems
        export = None
        if args.export_rows:
            export = _export(args.export_rows, reporter_site.pk, mission.pk)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"incident list API, {args.incidents:,} incidents on {engine}, pages of 100 by cursor, "
        f"{args.repeat} requests each (load took {load_s:.1f} s); machine load average "
        f"{load_before:.1f} before the requests, {os.getloadavg()[0]:.1f} after"
    )
    print(
        "API: the default summary rows, or view=full; SQL: SELECT * (all columns), or cols "
        "(only the summary's columns)"
    )
    print(
        f"{'user':<14}{'page':<7}{'API':<9}{'API p50 ms':>12}{'API p95 ms':>12}{'  SQL':<7}"
        f"{'SQL p50 ms':>12}{'SQL p95 ms':>12}{'ratio p50':>11}{'ratio p95':>11}"
    )
    pairs = [("api", "summary", "sql", "*"), ("api", "summary", "cols", "cols")]
    pairs.append(("full", "full", "sql", "*"))
    for who, measured in results.items():
        for page in ("first", "deep"):
            for api_key, api_label, sql_key, sql_label in pairs:
                a50, a95 = measured[f"{api_key} {page}"]
                r50, r95 = measured[f"{sql_key} {page}"]
                print(
                    f"{who:<14}{page:<7}{api_label:<9}{a50 * 1e3:>12.2f}{a95 * 1e3:>12.2f}"
                    f"  {sql_label:<5}{r50 * 1e3:>12.2f}{r95 * 1e3:>12.2f}"
                    f"{a50 / r50:>11.1f}{a95 / r95:>11.1f}"
                )
    for who, measured in results.items():
        requests, entries = measured["list reads"]
        print(f"{who}: {int(requests)} list requests wrote {int(entries)} list-read audit entries")
    for who, measured in results.items():
        c50, c95 = measured["sql count"]
        print(
            f"{who}: deep page after {int(measured['depth'][0]):,} of "
            f"{int(measured['depth'][1]):,} rows; raw COUNT(*) of those rows "
            f"p50 {c50 * 1e3:.2f} ms, p95 {c95 * 1e3:.2f} ms (no longer run by the API)"
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

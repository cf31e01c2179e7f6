"""UCDP GED import throughput against reading the same file with pandas, and peak memory.

Generates a GED-format file of N events (default 300,000) from the real Central African Republic
extract's distributions — rows resampled with replacement, new ids, dates spread over the file's
years, coordinates jittered within about 5 km — then, each in its own process so peak memory is
its own:

* the baseline: ``pandas.read_csv`` of the whole file (parse only, nothing written);
* ``bluebox import ucdp`` through the service: streaming parse, validation, derived cells,
  threat-nature rules, batched inserts in one transaction, audit entry.

Prints events/s of each, the ratio import / pandas and each process's peak resident memory.

    .venv/bin/python bench/bench_import.py [--events 300000] [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_import.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REAL = Path("../shared/data/ucdp/ged231_CAF_1991-2020.csv")


def generate(path: Path, events: int, seed: int = 7) -> None:
    """A GED-format file of ``events`` rows drawn from the real file's rows."""
    with REAL.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    rng = random.Random(seed)
    start, end = datetime(1991, 1, 1), datetime(2020, 12, 31)
    span = (end - start).days
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for n in range(events):
            row = dict(rng.choice(rows))
            day = start + timedelta(days=rng.randrange(span))
            length = max(
                0,
                (
                    datetime.fromisoformat(row["date_end"][:10])
                    - datetime.fromisoformat(row["date_start"][:10])
                ).days,
            )
            row["id"] = str(10_000_000 + n)
            row["date_start"] = day.strftime("%Y-%m-%dT00:00:00")
            row["date_end"] = (day + timedelta(days=length)).strftime("%Y-%m-%dT00:00:00")
            row["year"] = str(day.year)
            lat = min(max(float(row["latitude"]) + rng.uniform(-0.05, 0.05), -90), 90)
            lon = min(max(float(row["longitude"]) + rng.uniform(-0.05, 0.05), -180), 180)
            row["latitude"], row["longitude"] = f"{lat:.6f}", f"{lon:.6f}"
            writer.writerow(row)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_pandas(path: str) -> dict[str, float]:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(path)
    seconds = time.perf_counter() - start
    return {"rows": len(frame), "seconds": seconds, "peak_mib": _peak_mib()}


def child_import(path: str, data_dir: str, columnwise: bool) -> dict[str, float]:
    # Each path imports into its own database on SQLite and its own mission on PostgreSQL, so
    # neither finds the other's rows already there (an import skips the ids it already holds).
    name = "columnwise" if columnwise else "rows"
    os.environ.setdefault("BLUEBOX_DATA_DIR", data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir}/bench-{name}.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bluebox.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from bluebox.incidents import jobs
    from bluebox.missions.models import Authority, Mission

    mission, _ = Mission.objects.get_or_create(
        code=f"bench-import-{name}",
        defaults={
            "name": "Import benchmark",
            "host_country": "Central African Republic",
            "authority": Authority.NON_EXECUTIVE,
        },
    )
    before = _peak_mib()
    start = time.perf_counter()
    report = jobs.incidents_import(
        actor=None, mission=mission, fmt="ucdp", path=path, columnwise=columnwise
    )
    seconds = time.perf_counter() - start
    return {
        "rows": report.created,
        "seconds": seconds,
        "peak_mib": _peak_mib(),
        "peak_before_mib": before,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", choices=["pandas", "import", "import-rows"])
    parser.add_argument("--file")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    if args.child == "pandas":
        print(json.dumps(child_pandas(args.file)))
        return 0
    if args.child in ("import", "import-rows"):
        print(json.dumps(child_import(args.file, args.data_dir, args.child == "import")))
        return 0
    if not REAL.exists():
        print(f"real UCDP extract not found at {REAL} (run from the project root)")
        return 2
    if args.quick:
        args.events = 20_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ged_bench.csv"
        t0 = time.perf_counter()
        generate(path, args.events)
        size_mib = path.stat().st_size / 2**20
        took = time.perf_counter() - t0
        print(f"generated {args.events:,} events ({size_mib:.0f} MiB) in {took:.1f} s")
        results = {}
        # The row-by-row path (``columnwise=False``) is timed too, in the same run: it is the
        # path the column-wise one must beat, and both give the same rows (a test proves it).
        for kind in ("pandas", "import-rows", "import"):
            command = [sys.executable, __file__, "--child", kind, "--file", str(path)]
            command += ["--data-dir", tmp]
            done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
            out = done.stdout
            results[kind] = json.loads(out.strip().splitlines()[-1])
    engine = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    pandas, imported, rows = results["pandas"], results["import"], results["import-rows"]
    assert imported["rows"] == args.events, imported
    assert rows["rows"] == args.events, rows
    print(f"UCDP GED import, {args.events:,} events, database {engine}")
    print(f"{'':<22}{'seconds':>10}{'events/s':>12}{'peak MiB':>10}")
    runs = (
        ("pandas.read_csv", pandas),
        ("import, row by row", rows),
        ("import, columnwise", imported),
    )
    for name, r in runs:
        rate = r["rows"] / r["seconds"]
        print(f"{name:<22}{r['seconds']:>10.1f}{rate:>12,.0f}{r['peak_mib']:>10.0f}")
    print(f"ratio columnwise import / pandas (time): {imported['seconds'] / pandas['seconds']:.1f}")
    print(f"ratio row-by-row import / pandas (time): {rows['seconds'] / pandas['seconds']:.1f}")
    print(f"ratio columnwise / row by row (time): {imported['seconds'] / rows['seconds']:.2f}")
    for name, r in runs[1:]:
        print(
            f"{name}: peak resident memory {r['peak_mib']:.0f} MiB "
            f"({r['peak_before_mib']:.0f} MiB before the import started)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load on a real ``bluebox serve``: a request mix per concurrency level, alone and with an import.

Starts ``bluebox serve`` (waitress and its supervised worker) on 127.0.0.1 with a throw-away data
directory, fills the demo mission up to N incidents (the incident-list benchmark's loader), makes
API tokens with the project's own token service and signs a mission-wide person in through the
login form. Then, for each concurrency level (1, 4, 8, 16 by default), threads drive a mix of
the incident list page, an incident's detail page, the API incident list, the custody board and
the alert board:

* first alone: the baseline;
* then while ``bluebox import ucdp`` loads a generated GED file (60,000 rows by default, new ids
  for each level) into the same mission in another process.

Every loop is bounded in requests and in seconds; only loopback is used; the server (and any
import still running) is stopped at the end, also on error. Prints per level and phase the
throughput, p50/p95/p99 latency, errors by kind (5xx, 503 with Retry-After, connection errors),
and the ratio of each figure with the import against the same figure alone, plus the problem
size.

    .venv/bin/python bench/bench_load.py [--incidents 20000] [--import-rows 60000] [--quick]
    .venv/bin/python bench/bench_load.py --database-url postgres://postgres@127.0.0.1:5432/db
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
IMPORT_MISSION = "bench-load-import"  # the import writes beside the mission read, not into it
PERSON = "commissioner"  # mission-wide: the heaviest reader of every page in the mix
MIX = (  # (name, weight)
    ("incident list page", 3),
    ("incident detail page", 3),
    ("API incident list", 2),
    ("custody board", 1),
    ("alert board", 1),
)


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    page_statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, outcome: str, page: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[outcome] += 1
            self.by_page.setdefault(page, []).append(seconds)
            self.page_statuses[page, outcome] += 1

    @property
    def done(self) -> int:
        return len(self.latencies)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        if q == 0.5:
            return statistics.median(ordered)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def errors(self) -> tuple[int, int, int, int]:
        """5xx (503 with Retry-After apart), 503 with Retry-After, connection errors, other 4xx."""
        s = self.statuses
        five = sum(n for k, n in s.items() if k[0] == "5" and k != "503+retry")
        four = sum(n for k, n in s.items() if k.startswith("4"))
        return five, s["503+retry"], s["connection"], four


def _env(tmp: str, database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BLUEBOX_DATA_DIR=tmp,
        DATABASE_URL=database_url or f"sqlite:///{tmp}/bench.sqlite3",
        BLUEBOX_REDIS_URL=redis_url,
        BLUEBOX_ALLOWED_HOSTS=HOST,
        BLUEBOX_REQUEST_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="bluebox.config.settings",
    )
    return env


def _bluebox(*args: str) -> list[str]:
    return [sys.executable, "-m", "bluebox.cli", *args]


def _prepare(incidents: int) -> tuple[int, str, list[int]]:
    """Fill the mission in this process; the API token and a sample of incident ids to read."""
    from bench_api_incidents import _load

    from bluebox.cli import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    from bluebox.core import access, services
    from bluebox.core.models import User
    from bluebox.incidents.models import Incident
    from bluebox.missions.models import Authority, Mission

    if Incident.objects.exists():
        raise SystemExit("the database already holds incidents: give an empty one")
    _load(incidents)
    mission = Mission.objects.get()
    Mission.objects.create(
        code=IMPORT_MISSION,
        name="Load benchmark import",
        host_country="Central African Republic",
        authority=Authority.NON_EXECUTIVE,
    )
    person = User.objects.get(username=PERSON)
    _, key = services.token_create(actor=person, user=person, name="load benchmark")
    readable = access.visible(person, Incident.objects.filter(mission=mission))
    ids = list(readable.order_by("?").values_list("pk", flat=True)[:500])
    connection.close()
    return mission.pk, key, ids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bluebox serve exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"bluebox serve did not answer /healthz within {timeout:.0f} s")


def _login(port: int, password: str) -> str:
    """Sign in through the login form; the cookie header of the session."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/login/")
    page = conn.getresponse()
    body = page.read().decode()
    cookies = {}
    for value in page.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        cookies[name] = rest.split(";", 1)[0]
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if match is None:
        raise SystemExit("no CSRF token on the login page")
    form = urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": PERSON, "password": password}
    )
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "Referer": f"http://{HOST}:{port}/login/",
    }
    conn.request("POST", "/login/", body=form, headers=headers)
    answer = conn.getresponse()
    answer.read()
    for value in answer.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        cookies[name] = rest.split(";", 1)[0]
    conn.close()
    if answer.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login as {PERSON} failed ({answer.status})")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _request_for(
    rng: random.Random, ids: list[int], cookie: str, key: str, api_path: str
) -> tuple[str, str, dict[str, str]]:
    name = rng.choices([m[0] for m in MIX], weights=[m[1] for m in MIX])[0]
    page = {"Cookie": cookie}
    if name == "incident list page":
        return name, "/incidents/", page
    if name == "incident detail page":
        return name, f"/incidents/{rng.choice(ids)}/", page
    if name == "API incident list":
        return name, api_path, {"Authorization": f"Token {key}"}
    if name == "custody board":
        return name, "/detention/", page
    return name, "/alerts/", page


def _drive(
    port: int,
    level: int,
    requests: int,
    seconds: float,
    ids: list[int],
    cookie: str,
    key: str,
    api_path: str,
    until: Callable[[], bool] = lambda: False,
) -> Phase:
    """``level`` threads share ``requests`` requests; none starts after ``seconds``, or once
    ``until()`` is true."""
    phase = Phase()
    issued = iter(range(requests))
    issue_lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.monotonic() < deadline and not until():
            with issue_lock:
                if next(issued, None) is None:
                    break
            name, path, headers = _request_for(rng, ids, cookie, key, api_path)
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if status == 503 and response.getheader("Retry-After"):
                    outcome = "503+retry"
                else:
                    outcome = str(status)
            except (OSError, http.client.HTTPException):
                outcome = "connection"
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
            phase.add(time.perf_counter() - start, outcome, name)
        conn.close()

    threads = [threading.Thread(target=worker, args=(level * 1000 + i,)) for i in range(level)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - start
    return phase


def _renumber(source: Path, target: Path, offset: int) -> None:
    """The same GED rows under new ids, so each level's import writes new incidents."""
    with source.open(newline="", encoding="utf-8") as src, target.open("w", newline="") as out:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        for row in reader:
            row["id"] = str(int(row["id"]) + offset)
            writer.writerow(row)


def _stop(process: subprocess.Popen[bytes] | None, grace: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _row(label: str, phase: Phase) -> str:
    five, retry, conn, four = phase.errors()
    rate = phase.done / phase.seconds if phase.seconds else float("nan")
    return (
        f"{label:<16}{phase.done:>6}{rate:>8.1f}{phase.percentile(0.5) * 1e3:>9.0f}"
        f"{phase.percentile(0.95) * 1e3:>9.0f}{phase.percentile(0.99) * 1e3:>9.0f}"
        f"{five:>6}{retry:>7}{conn:>6}{four:>6}"
    )


def _with_import(
    args: argparse.Namespace,
    env: dict[str, str],
    level: int,
    ged: Path,
    drive: Callable[[int, Callable[[], bool]], Phase],
) -> tuple[Phase, str]:
    """One level while ``bluebox import`` loads a fresh copy of the GED file in another process."""
    target = ged.with_name(f"ged-{level}.csv")
    _renumber(ged, target, 1_000_000 * level)
    command = _bluebox("import", "ucdp", str(target), "--mission", IMPORT_MISSION)
    command += ["--quiet", "--accept-outside"]
    started = time.perf_counter()
    importer = subprocess.Popen(  # noqa: S603
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        time.sleep(2)  # let the import start reading and writing
        phase = drive(level, lambda: importer.poll() is not None)  # only while it runs
        overlapped = importer.poll() is None
        try:
            output, _ = importer.communicate(timeout=args.import_timeout)
        except subprocess.TimeoutExpired:
            _stop(importer)
            output = b"timed out"
    finally:
        _stop(importer)
    took = time.perf_counter() - started
    tail = output.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return phase, (
        f"exit {importer.returncode} in {took:.0f} s"
        f"{'' if overlapped else ' (the level stopped with it)'}: {tail[0][:120]}"
    )


def _failures(log: str) -> Counter[tuple[str, str]]:
    """Each traceback's exception line with the last frame in the project's own code."""
    found: Counter[tuple[str, str]] = Counter()
    where = "?"
    for line in log.splitlines():
        frame = re.match(r'\s*File ".*/(bluebox/[^"]+)", line (\d+), in (\w+)', line)
        if frame:
            where = f"{frame.group(1)}:{frame.group(2)} {frame.group(3)}"
        elif re.match(r"^[\w.]+(Error|Exception|Locked): ", line):
            found[where, line.strip()] += 1
            where = "?"
    return found


def _report(
    args: argparse.Namespace,
    engine: str,
    alone: dict[int, Phase],
    loaded: dict[int, Phase],
    imports: dict[int, str],
    serve_log: str,
) -> None:
    levels = list(alone)
    locked = serve_log.count("database is locked")
    tracebacks = serve_log.count("Traceback")
    print(
        f"\nload on bluebox serve ({engine}), {args.incidents:,} incidents, mix as {PERSON}: "
        + ", ".join(f"{n} {w}" for n, w in MIX)
        + f"; {args.requests} requests or {args.seconds:.0f} s per level and phase (with the "
        f"import: only while it runs); concurrent import of {args.import_rows:,} UCDP rows"
    )
    print(
        f"{'level / phase':<16}{'reqs':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'5xx':>6}{'503RA':>7}{'conn':>6}{'4xx':>6}"
    )
    for level in levels:
        print(_row(f"{level:>2} alone", alone[level]))
        print(_row(f"{level:>2} + import", loaded[level]))
    print("\nratio with import / alone")
    print(f"{'level':<8}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}  errors alone -> with import")
    for level in levels:
        a, b = alone[level], loaded[level]
        ra, rb = a.done / a.seconds, b.done / b.seconds
        ratios = [rb / ra] + [b.percentile(q) / a.percentile(q) for q in (0.5, 0.95, 0.99)]
        print(
            f"{level:<8}"
            + "".join(f"{r:>8.2f}" for r in ratios)
            + f"  {sum(a.errors())} -> {sum(b.errors())}"
        )
    for level in levels:
        print(f"import during level {level}: {imports[level]}")
    print("\np50 / p95 ms by page over every level, alone -> with import, and non-200 answers")
    for page, _weight in MIX:
        cells = []
        for phases in (alone, loaded):
            merged = Phase()
            for phase in phases.values():
                merged.latencies += phase.by_page.get(page, [])
            cells.append(
                f"{merged.percentile(0.5) * 1e3:.0f} / {merged.percentile(0.95) * 1e3:.0f}"
            )
        odd: Counter[str] = Counter()
        for phase in (*alone.values(), *loaded.values()):
            for (name, outcome), n in phase.page_statuses.items():
                if name == page and outcome != "200":
                    odd[outcome] += n
        print(f"  {page:<22}{cells[0]:>12} -> {cells[1]:<14}{dict(odd) or ''}")
    print(f"server log: {locked} 'database is locked', {tracebacks} tracebacks")
    for (where, error), n in _failures(serve_log).most_common(8):
        print(f"  {n:>4} x {error[:90]}  (last project frame: {where})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--import-rows", type=int, default=60_000)
    parser.add_argument("--levels", default="1,4,8,16")
    parser.add_argument("--requests", type=int, default=300, help="requests per level and phase")
    parser.add_argument("--seconds", type=float, default=90, help="time bound per level and phase")
    parser.add_argument("--import-timeout", type=float, default=900)
    parser.add_argument("--database-url", default="", help="default: SQLite in the data dir")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.incidents, args.import_rows, args.requests, args.levels = 5_000, 10_000, 40, "1,4"
    levels = [int(x) for x in args.levels.split(",")]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_import import REAL, generate

    if not REAL.exists():
        print(f"real UCDP extract not found at {REAL} (run from the project root)")
        return 2
    server = None
    log = None
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(tmp, args.database_url, args.redis_url)
        os.environ.update(env)
        engine = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
        try:
            subprocess.run(_bluebox("init"), env=env, check=True, capture_output=True)  # noqa: S603
            t0 = time.perf_counter()
            mission_id, key, ids = _prepare(args.incidents)
            api_path = f"/api/v1/incidents/?page_size=100&mission={mission_id}"
            print(f"filled {args.incidents:,} incidents in {time.perf_counter() - t0:.1f} s")
            ged = Path(tmp) / "ged.csv"
            generate(ged, args.import_rows)
            port = _free_port()
            log = (Path(tmp) / "serve.log").open("wb")
            server = subprocess.Popen(  # noqa: S603
                _bluebox("serve", "--host", HOST, "--port", str(port)),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _wait_up(port, server, 180)
            from bluebox.overview.demo import DEMO_PASSWORD

            cookie = _login(port, DEMO_PASSWORD)
            warm = _drive(port, 1, 20, 60, ids, cookie, key, api_path)
            if warm.statuses.keys() - {"200"}:  # a page the person cannot read measures nothing
                raise SystemExit(f"warm-up answers: {dict(warm.page_statuses)}")
            alone: dict[int, Phase] = {}
            loaded: dict[int, Phase] = {}
            imports: dict[int, str] = {}

            def drive(level: int, until: Callable[[], bool] = lambda: False) -> Phase:
                return _drive(
                    port, level, args.requests, args.seconds, ids, cookie, key, api_path, until
                )

            for level in levels:
                alone[level] = drive(level)
                loaded[level], imports[level] = _with_import(args, env, level, ged, drive)
        finally:
            _stop(server)
            if log is not None:
                log.close()
        serve_log = (Path(tmp) / "serve.log").read_text(errors="replace")
    _report(args, engine, alone, loaded, imports, serve_log)
    return 0


if __name__ == "__main__":
    sys.exit(main())

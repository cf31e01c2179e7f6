"""Request ids, one structured log line per request, and metrics in the Prometheus text format.

Request counters and durations live in the web process (each process exposes its own, as
Prometheus expects of a process it scrapes); job, worker and escalation figures are read at
scrape time from the database and the queue's store, so every process tells the same.

Who may read the metrics and the readiness details: a request bearing ``MONITORING_TOKEN``
(``Authorization: Bearer ...``), or, when no token is set, a request from the loopback
interface that carries no proxy header (behind a reverse proxy on the same host every request
comes from loopback: set the token there).
"""

from __future__ import annotations

import contextvars
import hmac
import logging
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import LazyObject, empty

logger = logging.getLogger("bluebox.request")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_LOOPBACK = {"127.0.0.1", "::1"}
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def may_monitor(request: HttpRequest) -> bool:
    token = str(getattr(settings, "MONITORING_TOKEN", "") or "")
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return given.startswith("Bearer ") and hmac.compare_digest(
            given[len("Bearer ") :].encode(), token.encode()
        )
    proxied = any(
        key in request.META for key in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
    )
    return not proxied and request.META.get("REMOTE_ADDR", "") in _LOOPBACK


# --- request metrics -------------------------------------------------------------------------


class _RequestMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count: dict[tuple[str, str, str], int] = defaultdict(int)
        self.buckets: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.sums: dict[str, float] = defaultdict(float)
        self.in_flight = 0

    def start(self) -> None:
        with self._lock:
            self.in_flight += 1

    def done(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.in_flight -= 1
            self.count[(method, route, str(status))] += 1
            counts = self.buckets[method]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            counts[-1] += 1
            self.sums[method] += seconds

    def snapshot(self) -> tuple[dict[Any, int], dict[str, list[int]], dict[str, float], int]:
        with self._lock:
            return (
                dict(self.count),
                {k: list(v) for k, v in self.buckets.items()},
                dict(self.sums),
                self.in_flight,
            )


REQUESTS = _RequestMetrics()
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    # The URL pattern, never the path: ids stay out of label values.
    return str(match.route or match.view_name or "unmatched")[:120]


def _user_id(user: Any) -> int | None:
    """The user's id if already known: a log line never loads a session from the database."""
    if isinstance(user, LazyObject):
        wrapped = user._wrapped
        if wrapped is empty:
            return None
        user = wrapped
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


class RequestMiddleware:
    """Gives each request an id (``X-Request-ID``), logs one line for it, and counts it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        began = time.monotonic()
        REQUESTS.start()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            seconds = time.monotonic() - began
            method = request.method if request.method in _METHODS else "OTHER"
            route = _route(request)
            REQUESTS.done(method, route, status, seconds)
            user = request.__dict__.get("user")
            # The route and status only: query strings can hold search words.
            logger.info(
                "%s %s %s %.1fms",
                method,
                route,
                status,
                1000 * seconds,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(1000 * seconds, 1),
                    "user_id": _user_id(user),
                },
            )
            request_id.reset(token)


# --- exposition ------------------------------------------------------------------------------


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: object) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, text: str) -> None:
        self.lines.append(f"# HELP {name} {text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, value: float | int | None, **labels: object) -> None:
        if value is None:
            return
        self.lines.append(f"{name}{_labels(**labels)} {float(value):g}")


def render() -> str:
    from django.db.models import Count, Min

    from bluebox.core import background, health
    from bluebox.core.worker import RESTARTS_KEY

    out = _Writer()
    count, buckets, sums, in_flight = REQUESTS.snapshot()
    out.family("bluebox_http_requests_total", "counter", "HTTP requests by route and status.")
    for (method, route, status), n in sorted(count.items()):
        out.sample("bluebox_http_requests_total", n, method=method, route=route, status=status)
    out.family("bluebox_http_request_duration_seconds", "histogram", "HTTP request durations.")
    for method, counts in sorted(buckets.items()):
        for bound, n in zip((*BUCKETS, "+Inf"), counts, strict=True):
            out.sample("bluebox_http_request_duration_seconds_bucket", n, method=method, le=bound)
        out.sample("bluebox_http_request_duration_seconds_sum", sums[method], method=method)
        out.sample("bluebox_http_request_duration_seconds_count", counts[-1], method=method)
    out.family("bluebox_http_requests_in_flight", "gauge", "Requests being served now.")
    out.sample("bluebox_http_requests_in_flight", in_flight)

    ready = health.readiness()
    out.family("bluebox_health_check_ok", "gauge", "1 when the readiness check passes.")
    for name, result in ready["checks"].items():
        out.sample("bluebox_health_check_ok", int(bool(result.get("ok"))), check=name)
    disk = ready["checks"]["disk"]
    out.family("bluebox_disk_free_bytes", "gauge", "Free space where the data directory is.")
    out.sample("bluebox_disk_free_bytes", disk.get("free_bytes"))
    queue = ready["checks"]["queue"]
    out.family("bluebox_queue_pending_tasks", "gauge", "Tasks waiting in the queue.")
    out.sample("bluebox_queue_pending_tasks", queue.get("pending"))
    worker = ready["checks"]["worker"]
    out.family("bluebox_worker_heartbeat_age_seconds", "gauge", "Since the worker last beat.")
    out.sample("bluebox_worker_heartbeat_age_seconds", worker.get("heartbeat_age_s"))
    restarts = background._kv_get(RESTARTS_KEY)
    out.family("bluebox_worker_restarts_total", "counter", "Workers restarted by serve.")
    out.sample("bluebox_worker_restarts_total", restarts if isinstance(restarts, int) else 0)

    now = time.time()
    out.family("bluebox_jobs", "gauge", "Background jobs by kind and status.")
    out.family(
        "bluebox_job_oldest_active_age_seconds", "gauge", "Age of the oldest queued or running job."
    )
    ages: dict[str, float] = {}
    try:
        for kind in background.kinds():
            manager = kind.model_class._default_manager
            for row in manager.values("status").annotate(n=Count("pk")).order_by("status"):
                out.sample("bluebox_jobs", row["n"], kind=kind.name, status=row["status"])
            oldest = manager.filter(status__in=[kind.queued, kind.running]).aggregate(
                at=Min(kind.created_field)
            )["at"]
            if oldest is not None:
                ages[kind.name] = now - oldest.timestamp()
    except Exception:
        logger.warning("metrics: the database could not be read")
    for name, age in sorted(ages.items()):
        out.sample("bluebox_job_oldest_active_age_seconds", round(age, 1), kind=name)
    out.family("bluebox_job_sweep_total", "counter", "Jobs the sweep re-queued, enqueued, failed.")
    for kind in background.kinds():
        for outcome in ("requeued", "enqueued", "failed"):
            out.sample(
                "bluebox_job_sweep_total",
                background.counter(f"{outcome}:{kind.name}"),
                kind=kind.name,
                outcome=outcome,
            )

    out.family("bluebox_escalation_last_run_timestamp_seconds", "gauge", "When the job last ran.")
    out.family("bluebox_escalation_lateness_seconds", "gauge", "How far behind its schedule.")
    out.family("bluebox_escalations_raised_total", "counter", "Escalations raised by the job.")
    for job in sorted(health.PERIODIC.values(), key=lambda p: p.name):
        out.sample(
            "bluebox_escalation_last_run_timestamp_seconds", health.last_run(job.name), job=job.name
        )
        out.sample(
            "bluebox_escalation_lateness_seconds",
            health.escalation_lateness(job, now),
            job=job.name,
        )
        out.sample(
            "bluebox_escalations_raised_total",
            background.counter(f"escalated:{job.name}"),
            job=job.name,
        )
    return "\n".join(out.lines) + "\n"

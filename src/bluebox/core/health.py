"""What the readiness endpoint, the status page and the metrics say about the running system.

Each check answers ``ok`` and a few figures, never operational content (no record, no name, no
error text from the database, which can quote values). A check that cannot run is a failed
check, not an exception: readiness must answer exactly when things are broken.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

from bluebox.core import background
from bluebox.core.worker import SCHEDULER_KEY, WORKER_KEY

#: A worker whose scheduler loop (every second) has not beaten for this long is gone.
WORKER_SILENCE_S = 30
#: A periodic escalation this far behind its schedule is late.
ESCALATION_GRACE_S = 90


@dataclass(frozen=True)
class Periodic:
    """A periodic job whose lateness matters: the escalations."""

    name: str
    label: Any  # words for people (a lazy translation)
    period_s: int


PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, *, label: Any, period_s: int) -> Periodic:
    PERIODIC[name] = Periodic(name=name, label=label, period_s=period_s)
    return PERIODIC[name]


def _last_run_key(name: str) -> str:
    return f"bluebox-periodic:{name}"


def periodic_ran(name: str, *, raised: int = 0) -> None:
    """Called by a periodic job at its end: when it last ran, and how many it escalated."""
    background._kv_put(_last_run_key(name), time.time())
    if raised:
        key = f"{background._COUNTER_PREFIX}escalated:{name}"
        current = background._kv_get(key)
        background._kv_put(key, (current if isinstance(current, int) else 0) + int(raised))


def last_run(name: str) -> float | None:
    value = background._kv_get(_last_run_key(name))
    return float(value) if isinstance(value, int | float) else None


# --- the checks ------------------------------------------------------------------------------


def _sqlite_path() -> Path | None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return None
    name = str(db["NAME"])
    return None if name in (":memory:", "") or name.startswith("file:") else Path(name)


def check_database() -> dict[str, Any]:
    began = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        path = _sqlite_path()
        if path is not None:
            # Reading works while another process holds the write lock; writing would not.
            probe = sqlite3.connect(path, timeout=1.0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            finally:
                probe.close()
    except sqlite3.OperationalError as exc:
        locked = "locked" in str(exc) or "busy" in str(exc)
        return {"ok": False, "error": "locked" if locked else "unavailable"}
    except Exception as exc:
        text = str(exc).lower()
        return {"ok": False, "error": "locked" if "locked" in text else "unreachable"}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "ms": round(1000 * (time.monotonic() - began), 1),
    }


def check_queue() -> dict[str, Any]:
    if HUEY.immediate:
        return {"ok": True, "mode": "inline"}
    try:
        pending = HUEY.pending_count()
    except Exception:
        return {"ok": False, "error": "unreachable"}
    return {"ok": True, "pending": int(pending)}


def worker_beat() -> dict[str, Any] | None:
    value = background._kv_get(WORKER_KEY)
    return value if isinstance(value, dict) else None


def check_worker(now: float) -> dict[str, Any]:
    if HUEY.immediate:
        return {"ok": True, "mode": "inline"}
    beat = worker_beat()
    if beat is None:
        return {"ok": False, "error": "never seen"}
    silent = now - float(beat.get("at", 0))
    scheduler = background._kv_get(SCHEDULER_KEY)
    scheduler_silent = now - float(scheduler) if isinstance(scheduler, int | float) else None
    sweep = background.last_sweep()
    return {
        "ok": silent < WORKER_SILENCE_S
        and scheduler_silent is not None
        and scheduler_silent < WORKER_SILENCE_S,
        "heartbeat_age_s": round(silent, 1),
        "scheduler_heartbeat_age_s": None
        if scheduler_silent is None
        else round(scheduler_silent, 1),
        "last_sweep_age_s": None if sweep is None else round(now - sweep, 1),
        "up_s": round(now - float(beat.get("started", now)), 1),
    }


def escalation_lateness(job: Periodic, now: float) -> float | None:
    """Seconds past the time the job should have run again; None before its first run."""
    ran = last_run(job.name)
    if ran is None:
        return None
    return max(0.0, now - ran - job.period_s)


def check_escalations(now: float) -> dict[str, Any]:
    if HUEY.immediate:
        return {"ok": True, "mode": "inline"}
    beat = worker_beat()
    up_s = now - float(beat.get("started", now)) if beat else 0.0
    out: dict[str, Any] = {"ok": True, "jobs": {}}
    for job in sorted(PERIODIC.values(), key=lambda p: p.name):
        late = escalation_lateness(job, now)
        if late is None:
            # Not run yet: fine while the worker is younger than one period and the grace.
            ok = beat is not None and up_s < job.period_s + ESCALATION_GRACE_S
        else:
            ok = late < ESCALATION_GRACE_S
        out["jobs"][job.name] = {
            "ok": ok,
            "every_s": job.period_s,
            "late_s": None if late is None else round(late, 1),
        }
        out["ok"] = out["ok"] and ok
    return out


def check_disk() -> dict[str, Any]:
    try:
        usage = shutil.disk_usage(settings.DATA_DIR)
    except OSError:
        return {"ok": False, "error": "data directory unreadable"}
    minimum = int(settings.HEALTH_MIN_FREE_DISK_MB) * 1024 * 1024
    return {
        "ok": usage.free >= minimum,
        "free_bytes": usage.free,
        "total_bytes": usage.total,
        "min_free_bytes": minimum,
    }


def _encrypted_fields() -> list[tuple[type[Any], str]]:
    from bluebox.core.crypto import EncryptedTextField

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field.attname))
    return found


def check_keys() -> dict[str, Any]:
    """The keys parse and round-trip, and the newest stored protected value decrypts."""
    from bluebox.core import crypto

    out: dict[str, Any] = {
        "field_keys": len(settings.FIELD_ENCRYPTION_KEYS),
        "audit_key": bool(settings.AUDIT_CHAIN_KEY),
    }
    try:
        if crypto.decrypt(crypto.encrypt("bluebox-health")) != "bluebox-health":
            raise ValueError("round trip")
    except Exception:
        return {**out, "ok": False, "error": "field keys unusable"}
    sample = "none stored"
    try:
        for model, attname in _encrypted_fields():
            token = (
                model._default_manager.exclude(**{attname: ""})
                .exclude(**{f"{attname}__isnull": True})
                .order_by("-pk")
                .values_list(attname, flat=True)
                .first()
            )
            if token:  # reading the field decrypts it (an unreadable value when it cannot)
                if not getattr(token, "readable", True):
                    raise ValueError("undecryptable")
                sample = "decrypts"
                break
    except ValueError:
        return {**out, "ok": False, "sample": "undecryptable with the configured keys"}
    except Exception:
        sample = "not checked (database)"
    return {**out, "ok": bool(settings.AUDIT_CHAIN_KEY), "sample": sample}


CHECKS: dict[str, Callable[[float], dict[str, Any]]] = {
    "database": lambda now: check_database(),
    "queue": lambda now: check_queue(),
    "worker": check_worker,
    "escalations": check_escalations,
    "disk": lambda now: check_disk(),
    "keys": lambda now: check_keys(),
}


def readiness() -> dict[str, Any]:
    """Every check; ``status`` is ``ok`` only when all are."""
    background.kinds()  # registers the escalation jobs too
    now = time.time()
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check(now)
        except Exception:
            results[name] = {"ok": False, "error": "check failed"}
    ok = all(result["ok"] for result in results.values())
    return {"status": "ok" if ok else "fail", "checks": results}

"""Progress of long background jobs, kept outside the database.

A job that holds one transaction for its whole length (an atomic import of a large file) cannot
show its progress through its own row: nobody else sees the row change until the commit. Its
progress goes to the task queue's key-value store instead — the queue's own SQLite file on the
embedded default, Redis in production — which the web process reads while the job runs. Each
report carries the time it was made, so a job whose worker died is recognised by its silence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from huey.contrib.djhuey import HUEY


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    at: float  # seconds since the epoch, when the job last reported

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 0
        return max(0, min(100, int(100 * self.done / self.total)))

    def silent_for(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.at


def _key(kind: str, job_id: int) -> str:
    return f"bluebox-progress:{kind}:{job_id}"


def report(kind: str, job_id: int, done: int, total: int) -> None:
    HUEY.put(_key(kind, job_id), (int(done), int(total), time.time()))


def read(kind: str, job_id: int) -> Progress | None:
    value = HUEY.get(_key(kind, job_id), peek=True)
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    return Progress(done=int(value[0]), total=int(value[1]), at=float(value[2]))


def clear(kind: str, job_id: int) -> None:
    HUEY.delete(_key(kind, job_id))

"""One code path, two ways to run it: in this process, or on a Dask cluster.

The backtest calls the executor with module-level functions and explicit seeds, so a task
computes the same numbers wherever it runs; only the place of execution changes.

Results are *handles*: in this process a handle is the value itself; on a cluster it is a
future whose value stays in the memory of the worker that computed it. Handles are passed to
later tasks as arguments, so intermediate data (feature blocks, fitted models, forecast
blocks) moves from worker to worker when a task needs it, at most once per worker, and never
through the driver. Only :meth:`Executor.gather` brings values back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: below this many tasks able to run at the same time, a cluster can only add transfer cost
MIN_PARALLEL_TASKS = 2


@dataclass(frozen=True)
class Placement:
    """Where a run goes and why (kept in the backtest's result)."""

    where: str  # "local" or "dask"
    workers: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "workers": self.workers, "reason": self.reason}


class Executor:
    """Runs tasks one after the other in this process."""

    #: processes (or machines) that tasks can run on at the same time
    n_workers = 1

    def share(self, obj: Any) -> Any:
        """Make a large driver-side object available to tasks (a no-op here)."""
        return obj

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Handle on ``fn(*args, **kwargs)``; handles among the arguments are resolved."""
        return fn(*args, **kwargs)

    def launch(self, fn: Callable[..., Any], items: Sequence[Any], **shared: Any) -> list[Any]:
        """Handles on ``fn(item, **shared)`` for each item, in order."""
        return [fn(item, **shared) for item in items]

    def spread(self, handle: Any) -> Any:
        """Copy a computed value to every worker ahead of the tasks that all need it."""
        return handle

    def gather(self, handles: Sequence[Any]) -> list[Any]:
        """Values of handles, in order."""
        return list(handles)

    def map(self, fn: Callable[..., Any], items: Sequence[Any], **shared: Any) -> list[Any]:
        """``[fn(item, **shared) for item in items]``, in order."""
        return self.gather(self.launch(fn, items, **shared))

    def place(self, parallel_tasks: int) -> Placement:
        """Run here: there is nothing to distribute to."""
        return Placement("local", 1, "single-process executor")

    def close(self) -> None:
        """Release resources (nothing to release here)."""


def placement_rule(n_workers: int, parallel_tasks: int) -> Placement:
    """Whether a cluster of ``n_workers`` can pay off for a stage of ``parallel_tasks`` tasks.

    The widest stage (the fits) can use at most ``min(n_workers, parallel_tasks)`` processes at
    once. Below :data:`MIN_PARALLEL_TASKS` the cluster runs the same work one task at a time
    and adds every transfer to it, so it cannot be faster than this process: run locally.
    """
    width = min(n_workers, parallel_tasks)
    if n_workers < MIN_PARALLEL_TASKS:
        return Placement(
            "local", n_workers, f"{n_workers} worker(s): a cluster only adds transfers"
        )
    if width < MIN_PARALLEL_TASKS:
        return Placement(
            "local",
            n_workers,
            f"{parallel_tasks} fit task(s) for {n_workers} workers: nothing runs in parallel",
        )
    return Placement("dask", n_workers, f"{parallel_tasks} fit tasks on {n_workers} workers")


def _nbytes(obj: Any) -> int:
    """``dask.sizeof`` estimate, summed over a dataclass's fields (dask sees 56 bytes)."""
    import dataclasses

    from dask.sizeof import sizeof

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(int(sizeof(getattr(obj, f.name))) for f in dataclasses.fields(obj))
    return int(sizeof(obj))


class DaskExecutor(Executor):
    """Runs tasks on a Dask cluster (``tcp://host:port`` or an existing client).

    Driver-side inputs are scattered once to every worker; results stay on the workers until
    gathered. ``traffic`` counts the bytes the driver sent (``scattered``) and received
    (``gathered``), as estimated by ``dask.sizeof`` (field by field for a dataclass).

    While the executor is open it pauses the scheduler's active memory manager (restarted by
    :meth:`close`): between two stages no task waits for the copies made by :meth:`share` and
    :meth:`spread`, so the manager would drop them and the next stage would fetch them again.
    Pass ``hold_copies=False`` to leave a shared cluster's manager alone, and ``force=True``
    to use the cluster even where :func:`placement_rule` says it cannot pay off (to measure
    what distribution costs).
    """

    def __init__(
        self, scheduler: str | Any, *, hold_copies: bool = True, force: bool = False
    ) -> None:
        from distributed import Client

        if isinstance(scheduler, str):
            self.client = Client(scheduler, set_as_default=False)
            self._owns = True
        else:
            self.client = scheduler
            self._owns = False
        self.traffic = {"scattered": 0, "gathered": 0}
        self._force = force
        self._paused_amm = False
        if hold_copies and self.client.amm.running():
            self.client.amm.stop()
            self._paused_amm = True

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def n_workers(self) -> int:  # type: ignore[override]
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def share(self, obj: Any) -> Any:
        self.traffic["scattered"] += _nbytes(obj)
        return self.client.scatter(obj, broadcast=True, hash=False)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.client.submit(fn, *args, pure=False, **kwargs)

    def launch(self, fn: Callable[..., Any], items: Sequence[Any], **shared: Any) -> list[Any]:
        if not items:
            return []
        return list(self.client.map(fn, list(items), pure=False, **shared))

    def spread(self, handle: Any) -> Any:
        from distributed import wait

        wait(handle)
        self.client.replicate([handle])
        return handle

    def gather(self, handles: Sequence[Any]) -> list[Any]:
        values = list(self.client.gather(list(handles)))
        self.traffic["gathered"] += sum(_nbytes(v) for v in values)
        return values

    def place(self, parallel_tasks: int) -> Placement:
        placement = placement_rule(self.n_workers, parallel_tasks)
        if self._force and placement.where == "local":
            return Placement(
                "dask", placement.workers, f"forced; the rule says: {placement.reason}"
            )
        return placement

    def close(self) -> None:
        if self._paused_amm:
            self.client.amm.start()
            self._paused_amm = False
        if self._owns:
            self.client.close()

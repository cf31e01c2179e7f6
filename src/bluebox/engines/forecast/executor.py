"""One code path, two ways to run it: in this process, or on a Dask cluster.

The backtest calls :meth:`Executor.map` with module-level functions and explicit seeds, so a
task computes the same numbers wherever it runs; only the place of execution changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class Executor:
    """Runs tasks one after the other in this process."""

    def share(self, obj: Any) -> Any:
        """Make a large object available to tasks (a no-op here)."""
        return obj

    def map(self, fn: Callable[..., Any], items: Sequence[Any], **shared: Any) -> list[Any]:
        """``[fn(item, **shared) for item in items]``, in order."""
        return [fn(item, **shared) for item in items]

    def close(self) -> None:
        """Release resources (nothing to release here)."""


class DaskExecutor(Executor):
    """Runs tasks on a Dask cluster (``tcp://host:port`` or an existing client).

    Large shared inputs are scattered once to every worker; results come back in item order.
    """

    def __init__(self, scheduler: str | Any) -> None:
        from distributed import Client

        if isinstance(scheduler, str):
            self.client = Client(scheduler, set_as_default=False)
            self._owns = True
        else:
            self.client = scheduler
            self._owns = False

    def share(self, obj: Any) -> Any:
        return self.client.scatter(obj, broadcast=True, hash=False)

    def map(self, fn: Callable[..., Any], items: Sequence[Any], **shared: Any) -> list[Any]:
        if not items:
            return []
        futures = self.client.map(fn, list(items), pure=False, **shared)
        return list(self.client.gather(futures))

    def close(self) -> None:
        if self._owns:
            self.client.close()

"""Data movement of the Dask path, read from the workers' transfer logs; the placement rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from bluebox.engines.forecast.backtest import BacktestConfig, run_backtest
from bluebox.engines.forecast.executor import DaskExecutor, Executor, placement_rule
from bluebox.engines.forecast.units import SpatialUnit, parse_period

M = "month"


def _config(**kw: Any) -> BacktestConfig:
    base: dict[str, Any] = {
        "unit": SpatialUnit("priogrid-month"),
        "train_end": parse_period("2013-06", M),
        "test_start": parse_period("2013-07", M),
        "test_end": parse_period("2013-12", M),
        "horizons": (1, 2),
        "models": ("zero", "moving_average", "hawkes", "lightgbm"),
        "seeds": (0, 1),
        "refit_every": 3,
        "n_samples": 20,
        "n_boot": 50,
    }
    base.update(kw)
    return BacktestConfig(**base)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def _sent(client: Any) -> list[tuple[str, str | None, str]]:
    """(sending worker, receiver, key) for every value that left a worker."""
    logs = client.run(lambda dask_worker: list(dask_worker.transfer_outgoing_log))
    return [(w, e["who"], str(k)) for w, log in logs.items() for e in log for k in e["keys"]]


def test_features_are_built_on_the_workers_and_sent_once(client: Any, events: pd.DataFrame) -> None:
    config = _config()
    single = run_backtest(events, config)
    with DaskExecutor(client) as executor:
        result = run_backtest(events, config, executor=executor)
    assert result.execution["where"] == "dask" and result.execution["workers"] == 2
    pd.testing.assert_frame_equal(single.forecasts, result.forecasts)
    assert result.metrics == single.metrics

    workers = set(client.scheduler_info()["workers"])
    sent = _sent(client)
    # Nothing reaches the same worker twice: the panel, the features and the fitted models
    # stay where they were sent or computed.
    copies = Counter((to, key) for _, to, key in sent if to in workers)
    assert copies, "a 2-worker run moves some data between workers"
    assert max(copies.values()) == 1, [c for c in copies.items() if c[1] > 1]
    # Feature blocks, the feature frame, fitted models and raw predictions never go to the
    # driver or the scheduler: only scores, forecast tables and the frame's shape do.
    heavy = ("_features_task", "_concat", "_fit_task", "_predict_task", "_horizon_forecasts")
    assert not [k for _, to, k in sent if to not in workers and k.startswith(heavy)]
    back = {k.split("-")[0] for _, to, k in sent if to not in workers}
    assert back <= {"_score_task", "_table_numbers", "_shape"}
    # The whole feature frame was concatenated on one worker and copied to the other once.
    frame = [(src, to) for src, to, k in sent if k.startswith("_concat")]
    assert len(frame) == 1 and frame[0][1] in workers
    assert executor.traffic["scattered"] > 0 and executor.traffic["gathered"] > 0
    assert client.amm.running()  # paused for the run only


def test_a_cluster_with_nothing_to_run_in_parallel_is_not_used(
    client: Any, events: pd.DataFrame
) -> None:
    # One model, one horizon, one fit point: one fit task for two workers.
    config = _config(models=("hawkes",), horizons=(1,), seeds=(0,), refit_every=12)

    def executed() -> int:
        counts = client.run(lambda dask_worker: dask_worker.state.executed_count)
        return int(sum(counts.values()))

    before = executed()
    with DaskExecutor(client) as executor:
        result = run_backtest(events, config, executor=executor)
    assert result.execution["where"] == "local"
    assert "1 fit task(s) for 2 workers" in result.execution["reason"]
    assert executor.traffic == {"scattered": 0, "gathered": 0}
    assert executed() == before
    pd.testing.assert_frame_equal(result.forecasts, run_backtest(events, config).forecasts)


def test_placement_rule() -> None:
    assert placement_rule(1, 100).where == "local"  # one worker: only transfers added
    assert placement_rule(8, 1).where == "local"  # one fit: nothing in parallel
    assert placement_rule(2, 2).where == "dask"
    assert placement_rule(16, 3).where == "dask"  # three at once still beats one
    assert Executor().place(100).where == "local"

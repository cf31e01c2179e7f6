"""The task queue runs on Redis in production: enqueue and execute through a real server."""

from __future__ import annotations

import os

import pytest
from huey import RedisHuey

REDIS_URL = os.environ.get("BLUEBOX_TEST_REDIS_URL")


@pytest.fixture
def redis_huey():
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("BLUEBOX_TEST_REDIS_URL must point at Redis in CI")
        pytest.skip("set BLUEBOX_TEST_REDIS_URL to test the Redis task queue")
    queue = RedisHuey("bluebox-test", url=REDIS_URL)
    queue.flush()
    yield queue
    queue.flush()


def test_a_task_round_trips_through_redis(redis_huey):
    @redis_huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    result = add(2, 3)
    assert redis_huey.pending_count() == 1
    task = redis_huey.dequeue()
    redis_huey.execute(task)
    assert result.get() == 5

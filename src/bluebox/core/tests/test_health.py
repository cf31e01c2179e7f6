"""Health that tells the truth: liveness, readiness, the 503 on a database outage, metrics,
request ids and the administrator's status page."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.db import OperationalError
from django.test import Client
from huey.contrib.djhuey import HUEY

from bluebox.core import background, health, monitoring
from bluebox.core.worker import SCHEDULER_KEY, WORKER_KEY


def _queue_not_inline(monkeypatch) -> None:
    """Readiness as a deployment with a separate worker sees it."""
    monkeypatch.setattr(HUEY, "_immediate", False)  # same memory store, a real queue


def _worker_beat(age_s: float = 0.0, up_s: float = 600.0) -> None:
    now = time.time()
    HUEY.put(WORKER_KEY, {"at": now - age_s, "pid": 1, "host": "h", "started": now - up_s})
    HUEY.put(SCHEDULER_KEY, now - age_s)


def test_liveness_answers_without_the_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_reports_every_check_to_the_loopback(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "worker", "escalations", "disk", "keys"}
    assert body["checks"]["database"]["ok"] and body["checks"]["keys"]["ok"]
    assert body["checks"]["disk"]["free_bytes"] > 0
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_gives_only_the_status_to_a_remote_caller(settings):
    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert remote.get("/readyz").json() == {"status": "ok"}
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.get("/readyz").json() == {"status": "ok"}
    settings.MONITORING_TOKEN = "s3cret-token-for-monitoring"
    with_token = Client(
        REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token-for-monitoring"
    )
    assert "checks" in with_token.get("/readyz").json()
    wrong = Client(REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.get("/readyz").json() == {"status": "ok"}, "a set token overrides loopback"


@pytest.mark.django_db
def test_a_dead_worker_makes_readiness_fail_with_retry_after(client, monkeypatch):
    _queue_not_inline(monkeypatch)
    _worker_beat(age_s=0)
    for name in health.PERIODIC:  # every periodic job on time
        health.periodic_ran(name)
    assert client.get("/readyz").status_code == 200
    _worker_beat(age_s=health.WORKER_SILENCE_S + 5)
    response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["checks"]["worker"]["ok"] is False


@pytest.mark.django_db
def test_a_late_custody_escalation_makes_readiness_fail(client, monkeypatch):
    _queue_not_inline(monkeypatch)
    _worker_beat(age_s=0)
    health.periodic_ran("alert-escalation")
    # Custody escalation last ran 20 minutes ago; it runs every 5.
    HUEY.put("bluebox-periodic:custody-escalation", time.time() - 1200)
    body = client.get("/readyz").json()
    custody = body["checks"]["escalations"]["jobs"]["custody-escalation"]
    assert body["status"] == "fail" and not custody["ok"] and custody["late_s"] >= 800
    assert body["checks"]["escalations"]["jobs"]["alert-escalation"]["ok"]


@pytest.mark.django_db
def test_a_worker_that_never_ran_an_escalation_long_after_start_is_late(monkeypatch):
    _queue_not_inline(monkeypatch)
    _worker_beat(age_s=0, up_s=3600)
    background.kinds()
    assert health.check_escalations(time.time())["ok"] is False
    _worker_beat(age_s=0, up_s=10)
    assert health.check_escalations(time.time())["ok"] is True, "just started: not late yet"


@pytest.mark.django_db
def test_low_disk_and_unusable_keys_fail_readiness(client, settings):
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12
    body = client.get("/readyz").json()
    assert body["status"] == "fail" and body["checks"]["disk"]["ok"] is False
    settings.HEALTH_MIN_FREE_DISK_MB = 0
    settings.AUDIT_CHAIN_KEY = ""
    assert client.get("/readyz").json()["checks"]["keys"]["ok"] is False


@pytest.mark.django_db
def test_readiness_finds_stored_identities_the_keys_cannot_read(world, settings):
    from bluebox.testing.factories import ProtectedPersonFactory

    ProtectedPersonFactory()
    assert health.check_keys()["sample"] == "decrypts"
    settings.FIELD_ENCRYPTION_KEYS = ["kF3Sx6cN4d0bUQK6e9mbpkm8cXhJ2d3F4o5xYl9s1uQ="]
    result = health.check_keys()
    assert result["ok"] is False and "undecryptable" in result["sample"]


def test_a_database_outage_answers_503_json_on_the_api_and_a_page_elsewhere(monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32  # a logged-in browser: the session read fails
    api = client.get("/api/v1/me/")
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api["Content-Type"] == "application/json"
    assert "temporarily unavailable" in api.json()["detail"]
    assert api.json()["request_id"] == api["X-Request-ID"]
    page = client.get("/incidents/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert b"temporarily unavailable" in page.content
    assert b"Connection refused" not in page.content and b"Connection refused" not in api.content


@pytest.mark.django_db
def test_other_server_errors_on_the_api_are_json_500(monkeypatch, world):
    from bluebox.core import api as core_api

    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(core_api.MeView, "get", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.analyst)
    response = client.get("/api/v1/me/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert response.json()["detail"].startswith("Server error")
    assert b"secret detail" not in response.content


@pytest.mark.django_db
def test_request_ids_are_echoed_or_made_and_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="bluebox.request"):
        given = client.get("/healthz", HTTP_X_REQUEST_ID="probe-1234567")
        made = client.get("/healthz?q=secret-words", HTTP_X_REQUEST_ID="bad id with spaces")
    assert given["X-Request-ID"] == "probe-1234567"
    assert made["X-Request-ID"] != "bad id with spaces" and len(made["X-Request-ID"]) == 32
    lines = [r for r in caplog.records if r.name == "bluebox.request"]
    assert [r.request_id for r in lines] == ["probe-1234567", made["X-Request-ID"]]
    assert all(r.route == "healthz" and r.status == 200 for r in lines)
    assert not any("secret-words" in r.getMessage() for r in lines), "no query strings"


def test_the_json_log_format_is_one_object_per_line():
    from bluebox.core.logging import JsonFormatter, RequestIdFilter

    record = logging.LogRecord("bluebox.request", logging.INFO, "x", 1, "GET %s", ("r",), None)
    token = monitoring.request_id.set("abc12345")
    try:
        RequestIdFilter().filter(record)
    finally:
        monitoring.request_id.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET r" and entry["request_id"] == "abc12345"
    assert entry["level"] == "INFO"


@pytest.mark.django_db
def test_metrics_are_prometheus_text_for_requests_jobs_and_escalations(client, world):
    from bluebox.forecasting import jobs as forecasting

    forecasting.forecast_run_schedule(mission_id=world.mission.pk)
    health.periodic_ran("custody-escalation", raised=3)
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert "# TYPE bluebox_http_requests_total counter" in text
    assert 'bluebox_http_requests_total{method="GET",route="healthz",status="200"}' in text
    assert 'bluebox_jobs{kind="forecast-run",status="queued"} 1' in text
    assert 'bluebox_escalations_raised_total{job="custody-escalation"} 3' in text
    assert 'bluebox_health_check_ok{check="database"} 1' in text
    assert "bluebox_http_request_duration_seconds_bucket" in text
    for line in text.splitlines():
        assert line.startswith("#") or " " in line, line


@pytest.mark.django_db
def test_metrics_refuse_a_remote_caller_without_the_token(settings):
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403
    settings.MONITORING_TOKEN = "metrics-token-0123456789"
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    ok = Client(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer metrics-token-0123456789")
    assert ok.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_the_administrator_sees_the_machinery_and_no_operational_content(world):
    from bluebox.forecasting import jobs as forecasting

    forecasting.forecast_run_schedule(mission_id=world.mission.pk)
    client = Client()
    client.force_login(world.admin)
    page = client.get("/status/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Forecast runs" in html and "Queued: 1" in html
    assert "Custody escalation" in html and "Database" in html
    assert world.mission.name not in html, "no mission, record or person on the page"
    other = Client()
    other.force_login(world.commissioner)
    assert other.get("/status/").status_code == 403

"""Importing an uploaded file in the background: the page, the API, progress and recovery."""

from __future__ import annotations

import csv
import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import background, progress
from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry, RoleAssignment
from bluebox.incidents import jobs, selectors, services
from bluebox.incidents.models import ImportJob, ImportStatus, Incident
from bluebox.incidents.tasks import IMPORT_JOB, run_import

from .conftest import UCDP_COLUMNS, ucdp_row


def ucdp_bytes(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=UCDP_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def upload(content: bytes, name: str = "ged-extract.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


GOOD = ucdp_bytes([ucdp_row(n) for n in range(1, 6)])


def submit(world, content: bytes = GOOD, *, run: bool = True, actor=None, fmt: str = "ucdp"):
    """Submit as the analyst; with ``run``, run the queued task as the worker would after commit.

    (The test's own transaction never commits, so on_commit would not fire by itself.)
    """
    with transaction.atomic():
        job = services.import_job_submit(
            actor=actor or world.analyst,
            mission_id=world.mission.pk,
            fmt=fmt,
            upload=upload(content),
        )
    if run:
        jobs.import_job_execute(job_id=job.pk)
    job.refresh_from_db()
    return job


def stored_files(settings) -> list[str]:
    directory = settings.IMPORT_DIR
    return sorted(p.name for p in directory.glob("*")) if directory.exists() else []


def test_an_uploaded_file_is_imported_in_the_background_and_then_removed(world, settings):
    job = submit(world)
    assert job.status == ImportStatus.DONE
    assert (job.rows, job.created, job.unchanged, job.error_count) == (5, 5, 0, 0)
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert Incident.objects.filter(mission=world.mission, source="ucdp").count() == 5
    assert stored_files(settings) == [] and job.stored_name == ""
    assert selectors.import_progress(job) == 100
    actions = list(
        AuditEntry.objects.filter(mission_id=world.mission.pk).values_list("action", flat=True)
    )
    assert "import-requested" in actions and "import" in actions
    web = AuditEntry.objects.get(action="import")
    assert web.actor_id == world.analyst.pk and web.detail["channel"] == "web"
    assert web.detail["sha256"] == job.sha256


def test_the_same_file_again_changes_nothing(world):
    submit(world)
    before = list(Incident.objects.order_by("pk").values())
    again = submit(world)
    assert again.status == ImportStatus.DONE
    assert (again.created, again.unchanged) == (0, 5)
    assert list(Incident.objects.order_by("pk").values()) == before


def test_a_file_with_bad_rows_is_refused_whole_with_its_row_report(world, settings):
    rows = [ucdp_row(1), ucdp_row(2, latitude=""), ucdp_row(3, date_start="2020-13-45")]
    job = submit(world, ucdp_bytes(rows))
    assert job.status == ImportStatus.REFUSED
    assert (job.rows, job.created, job.error_count) == (3, 0, 2)
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "latitude"), (3, "date_start")]
    assert Incident.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    "content, fmt, reason",
    [
        (b"event_id_cnty,event_date\n1,2020-01-01\n", "ucdp", "missing columns"),
        (GOOD, "acled", "not a ACLED file"),
        ("id;caf\u00e9\n".encode("latin-1"), "ucdp", "not a UTF-8 CSV file"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_at_once_and_nothing_is_kept(
    world, settings, content, fmt, reason
):
    with pytest.raises(ServiceError) as refused:
        services.import_job_submit(
            actor=world.analyst, mission_id=world.mission.pk, fmt=fmt, upload=upload(content)
        )
    assert reason in refused.value.message
    assert ImportJob.objects.count() == 0 and stored_files(settings) == []


def test_empty_and_oversized_files_are_refused(world, settings):
    with pytest.raises(ServiceError, match="empty"):
        services.import_job_submit(
            actor=world.analyst, mission_id=world.mission.pk, fmt="ucdp", upload=upload(b"")
        )
    settings.IMPORT_MAX_BYTES = len(GOOD) - 1
    with pytest.raises(ServiceError, match="larger than"):
        services.import_job_submit(
            actor=world.analyst, mission_id=world.mission.pk, fmt="ucdp", upload=upload(GOOD)
        )
    with pytest.raises(ServiceError, match="Choose UCDP GED or ACLED"):
        services.import_job_submit(
            actor=world.analyst, mission_id=world.mission.pk, fmt="xlsx", upload=upload(GOOD)
        )
    assert ImportJob.objects.count() == 0 and stored_files(settings) == []


def test_one_import_at_a_time_per_mission(world, settings):
    waiting = submit(world, run=False)
    assert waiting.status == ImportStatus.QUEUED
    assert stored_files(settings) == [waiting.stored_name]
    with pytest.raises(ServiceError, match="still queued or running"):
        submit(world, run=False, actor=world.commissioner)
    assert ImportJob.objects.count() == 1 and stored_files(settings) == [waiting.stored_name]
    jobs.import_job_execute(job_id=waiting.pk)
    assert submit(world).status == ImportStatus.DONE


def test_the_database_holds_one_active_import_per_mission_even_in_a_race(world):
    job = submit(world, run=False)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (backend's IntegrityError)
        ImportJob.objects.create(
            mission=world.mission,
            fmt="ucdp",
            filename="twin.csv",
            size=1,
            sha256=job.sha256,
            requested_by=world.commissioner,
            requested_at=timezone.now(),
        )


def test_only_mission_wide_analysts_and_commanders_import(world, settings):
    for who in (world.planner, world.reporter_at_a, world.east_analyst, world.partner):
        with pytest.raises(NotPermitted), transaction.atomic():
            submit(world, run=False, actor=who)
    with pytest.raises(NotVisible):
        submit(world, run=False, actor=world.other_commander)
    assert ImportJob.objects.count() == 0 and stored_files(settings) == []
    assert submit(world, actor=world.commissioner).status == ImportStatus.DONE


def test_running_a_job_twice_imports_once(world):
    job = submit(world)
    again = jobs.import_job_execute(job_id=job.pk)
    assert again.status == ImportStatus.DONE and again.finished_at == job.finished_at
    assert Incident.objects.count() == 5


def test_a_requester_who_lost_the_right_meanwhile_imports_nothing(world, settings):
    job = submit(world, run=False)
    RoleAssignment.objects.filter(user=world.analyst).delete()
    world.analyst._bluebox_assignments = None
    done = jobs.import_job_execute(job_id=job.pk)
    assert done.status == ImportStatus.FAILED and "may no longer import" in done.message
    assert Incident.objects.count() == 0 and stored_files(settings) == []


def test_progress_is_readable_while_the_import_holds_its_transaction(world, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs.bulk, "CHUNK_ROWS", 2000)  # the file is read in chunks this size
    rows = [ucdp_row(n, id=str(800000 + n)) for n in range(1, 6001)]
    job = submit(world, ucdp_bytes(rows), run=False)
    seen: list[int] = []

    def watch(done: int, total: int) -> None:
        # What the page would show at this moment: the row in the database still says running
        # (the import's rows are not committed), the store says how far it got.
        current = ImportJob.objects.get(pk=job.pk)
        assert current.status == ImportStatus.RUNNING
        seen.append(selectors.import_progress(current))

    finished = jobs.import_job_execute(job_id=job.pk, on_progress=watch)
    assert finished.status == ImportStatus.DONE and finished.created == 6000
    assert len(seen) == 4  # every chunk of 2,000 rows, then the end
    assert seen == sorted(seen) and 0 < seen[0] < 100 and seen[-1] == 100
    assert progress.read(jobs.PROGRESS_KIND, job.pk) is None  # cleared at the end


def test_an_import_whose_worker_died_runs_once_more_then_fails_and_its_file_goes(world, settings):
    job = submit(world, run=False)
    assert background.claim(IMPORT_JOB, job.pk)  # a worker took it, then died without a word
    assert background.sweep() == {}, "it beat just now: still alive"
    later = time.time() + settings.JOB_STALE_S + 1
    assert background.sweep(now=later) == {"requeued": 1}, "the immediate queue re-ran it at once"
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 5
    assert AuditEntry.objects.filter(action="job-requeued", resource="incident").count() == 1


def test_an_import_interrupted_twice_fails_with_the_reason_and_frees_the_mission(
    world, settings, monkeypatch
):
    job = submit(world, run=False)
    requeued: list[int] = []
    monkeypatch.setattr(background, "enqueue", lambda kind, pk: requeued.append(pk) or True)
    stale = time.time() + settings.JOB_STALE_S + 1
    assert background.claim(IMPORT_JOB, job.pk)  # first worker dies
    assert background.sweep(now=stale) == {"requeued": 1} and requeued == [job.pk]
    assert background.claim(IMPORT_JOB, job.pk)  # the second one too
    assert background.sweep(now=stale) == {"failed": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "interrupted twice" in job.message and "Nothing was imported" in job.message
    assert stored_files(settings) == []
    assert AuditEntry.objects.filter(action="job-failed").count() == 1
    monkeypatch.undo()
    # The mission may import again at once.
    assert submit(world).status == ImportStatus.DONE


def test_a_queued_import_whose_task_was_lost_is_enqueued_again(world, settings):
    job = submit(world, run=False)  # its on_commit never fired: the task never reached the queue
    assert background.sweep() == {}, "still within the grace period"
    later = time.time() + settings.JOB_QUEUED_GRACE_S + 1
    assert background.sweep(now=later) == {"enqueued": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_a_queued_import_nobody_started_for_hours_is_closed(world, settings):
    job = submit(world, run=False)
    later = time.time() + settings.JOB_QUEUED_MAX_S + 1
    assert background.sweep(now=later) == {"failed": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "No worker started" in job.message
    assert stored_files(settings) == []
    # Should the lost task turn up after all, it finds the job closed and imports nothing.
    run_import(job.pk)
    assert Incident.objects.count() == 0


def test_the_sweep_removes_old_uploads_nobody_will_import_and_keeps_waiting_ones(world, settings):
    waiting = submit(world, run=False)
    stray = settings.IMPORT_DIR / "0123456789abcdef0123456789abcdef.csv"
    stray.write_bytes(GOOD)
    old = time.time() - jobs.ORPHAN_AGE_S - 60
    os.utime(stray, (old, old))
    os.utime(settings.IMPORT_DIR / waiting.stored_name, (old, old))
    assert jobs.import_uploads_sweep() == 1
    assert stored_files(settings) == [waiting.stored_name]


# --- pages ---------------------------------------------------------------------------------------


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_import_page_uploads_and_shows_the_outcome(world, django_capture_on_commit_callbacks):
    client = page_client(world.analyst)
    page = client.get("/incidents/import/")
    assert page.status_code == 200 and b'type="file"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/incidents/import/",
            {"mission": world.mission.pk, "fmt": "ucdp", "file": upload(GOOD)},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/incidents/import/{job.pk}/"
    )
    assert job.status == ImportStatus.DONE  # the embedded queue ran it at commit
    shown = client.get(f"/incidents/import/{job.pk}/")
    assert b"5 new events imported, 0 already present, 5 rows read." in shown.content
    assert b"<progress" not in shown.content and b"hx-get" not in shown.content
    fragment = client.get(f"/incidents/import/{job.pk}/progress/")
    assert fragment["HX-Refresh"] == "true"
    listing = client.get("/incidents/import/")
    assert f'data-job="{job.pk}"'.encode() in listing.content
    assert b"Import UCDP or ACLED" in client.get("/incidents/").content


def test_a_running_import_polls_its_progress_until_it_ends(world):
    job = submit(world, run=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    progress.report(jobs.PROGRESS_KIND, job.pk, 42, 100)
    client = page_client(world.analyst)
    fragment = client.get(f"/incidents/import/{job.pk}/progress/")
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment
    assert b'value="42"' in fragment.content and b'hx-trigger="every 1s"' in fragment.content
    assert b"42% of the file read and checked" in fragment.content


def test_a_refused_import_shows_every_bad_row_and_offers_them_as_csv(world):
    rows = [ucdp_row(1, latitude=""), ucdp_row(2, side_a="=HYPERLINK(1)", type_of_violence="9")]
    job = submit(world, ucdp_bytes(rows))
    client = page_client(world.analyst)
    shown = client.get(f"/incidents/import/{job.pk}/")
    assert b"2 bad rows of 2: nothing was imported." in shown.content
    assert b"missing coordinates" in shown.content and b"unknown code 9" in shown.content
    report = client.get(f"/incidents/import/{job.pk}/errors.csv")
    lines = list(csv.reader(io.StringIO(report.content.decode())))
    assert lines[0] == ["row", "external_id", "field", "message"]
    assert lines[1] == ["1", "900001", "latitude", "missing coordinates"]
    assert lines[2][2:] == ["type_of_violence", "unknown code 9"]


def test_the_form_reports_a_wrong_file_without_storing_it(world, settings):
    client = page_client(world.analyst)
    response = client.post(
        "/incidents/import/",
        {"mission": world.mission.pk, "fmt": "acled", "file": upload(GOOD)},
    )
    assert response.status_code == 400
    assert b"not a ACLED file: missing columns" in response.content
    assert ImportJob.objects.count() == 0 and stored_files(settings) == []


def test_people_who_may_not_import_get_no_page_and_no_link(world):
    client = page_client(world.planner)
    assert client.get("/incidents/import/").status_code == 403
    assert b"Import UCDP or ACLED" not in client.get("/incidents/").content


# --- API -----------------------------------------------------------------------------------------


def test_the_api_accepts_a_file_and_reports_the_job(world, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_login(world.commissioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/incidents/imports/",
            {"mission": world.mission.pk, "format": "ucdp", "file": upload(GOOD)},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] in ("queued", "running", "done") and body["format"] == "ucdp"
    assert response["Location"] == f"/api/v1/incidents/imports/{body['id']}/"
    detail = client.get(response["Location"]).json()
    assert detail["status"] == "done" and detail["created"] == 5 and detail["progress"] == 100
    assert detail["requested_by"] == "commissioner" and len(detail["sha256"]) == 64
    listed = client.get(f"/api/v1/incidents/imports/?mission={world.mission.pk}").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_the_api_refuses_a_wrong_file_with_a_clear_error(world):
    client = APIClient()
    client.force_login(world.analyst)
    response = client.post(
        "/api/v1/incidents/imports/",
        {"mission": world.mission.pk, "format": "ucdp", "file": upload(b"a,b\n1,2\n")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "missing columns" in str(response.json())
    assert ImportJob.objects.count() == 0


def test_a_reporter_sees_no_imports(world):
    submit(world)
    client = APIClient()
    client.force_login(world.reporter_at_a)
    assert client.get("/api/v1/incidents/imports/").json()["results"] == []


def test_a_full_disk_fails_the_job_with_a_clear_message_and_imports_nothing(
    world, settings, monkeypatch
):
    """/dev/full answers every write with the kernel's own "no space left on device"."""
    monkeypatch.setattr(
        jobs.tempfile,
        "TemporaryFile",
        lambda **_: open("/dev/full", "w+b", buffering=0),  # noqa: SIM115
    )
    job = submit(world, ucdp_bytes([ucdp_row(n) for n in range(1, 2500)]))
    assert job.status == ImportStatus.FAILED
    assert job.message == jobs.DISK_FULL
    assert Incident.objects.filter(mission=world.mission).count() == 0
    assert stored_files(settings) == []


def test_an_import_stopped_for_overrunning_its_limit_writes_nothing(world, settings, monkeypatch):
    job = submit(world, run=False)
    swept: list[object] = []
    reading = jobs.bulk.read_chunks

    def slow_read(*args, **kwargs):
        yield from reading(*args, **kwargs)
        # The read took past the limit while beating: the sweep stops the run.
        claimed = time.time() - settings.JOB_MAX_RUN_S - 60
        background._kv_put(background._started_key("incident-import", job.pk), claimed)
        swept.append(background.sweep())

    monkeypatch.setattr(jobs.bulk, "read_chunks", slow_read)
    run_import(job.pk)
    job.refresh_from_db()
    assert swept == [{"stopped": 1}]
    assert job.status == ImportStatus.FAILED and "longest" in job.message
    assert Incident.objects.filter(mission=world.mission).count() == 0
    assert not AuditEntry.objects.filter(action="import").exists()


def _bounded(mission) -> None:
    mission.settings = {
        **(mission.settings or {}),
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[19.0, 4.0], [23.0, 4.0], [23.0, 7.0], [19.0, 7.0], [19.0, 4.0]]],
        },
    }
    mission.save()


MIXED = ucdp_bytes(
    [ucdp_row(n) for n in range(1, 4)]
    + [
        ucdp_row(4, latitude="-1.95", longitude="30.06"),
        ucdp_row(5, latitude="20.7", longitude="5.7"),
    ]
)


def test_a_web_upload_with_events_outside_is_refused_with_a_map_then_accepted(
    world, django_capture_on_commit_callbacks
):
    _bounded(world.mission)
    client = Client()
    client.force_login(world.analyst)
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs it once committed
        client.post(
            "/incidents/import/",
            {"mission": world.mission.pk, "fmt": "ucdp", "file": upload(MIXED)},
        )
    job = ImportJob.objects.get()
    response = client.get(f"/incidents/import/{job.pk}/")
    assert job.status == ImportStatus.REFUSED and job.outside == 2 and not job.accept_outside
    assert job.outside_sample == [[-1.95, 30.06], [20.7, 5.7]]
    page = response.content.decode()
    assert 'id="outside-refused"' in page and "2 events of 5 lie outside the mission area" in page
    assert 'id="outside-map"' in page and '"points": [[-1.95, 30.06], [20.7, 5.7]]' in page
    assert Incident.objects.filter(mission=world.mission).count() == 0
    # Uploaded again with the box ticked: every event lands, and the page says how many lay out.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/incidents/import/",
            {
                "mission": world.mission.pk,
                "fmt": "ucdp",
                "file": upload(MIXED),
                "accept_outside": "on",
            },
        )
    accepted = ImportJob.objects.order_by("-pk").first()
    response = client.get(f"/incidents/import/{accepted.pk}/")
    assert accepted.status == ImportStatus.DONE and accepted.accept_outside
    assert "2 events outside the mission area were accepted with the file." in (
        response.content.decode()
    )
    assert Incident.objects.filter(mission=world.mission).count() == 5
    requested = AuditEntry.objects.filter(action="import-requested").order_by("seq")
    assert [e.detail["accept_outside"] for e in requested] == [False, True]


def test_the_api_takes_accept_outside_and_reports_what_lay_outside(
    world, django_capture_on_commit_callbacks
):
    _bounded(world.mission)
    api = APIClient()
    api.force_authenticate(world.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        refused = api.post(
            "/api/v1/incidents/imports/",
            {"mission": world.mission.pk, "format": "ucdp", "file": upload(MIXED)},
            format="multipart",
        ).json()
    job = ImportJob.objects.get(pk=refused["id"])
    assert job.status == ImportStatus.REFUSED
    body = api.get(f"/api/v1/incidents/imports/{job.pk}/").json()
    assert body["outside"] == 2 and body["accept_outside"] is False
    assert body["outside_sample"] == [[-1.95, 30.06], [20.7, 5.7]]
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(
            "/api/v1/incidents/imports/",
            {
                "mission": world.mission.pk,
                "format": "ucdp",
                "file": upload(MIXED),
                "accept_outside": "true",
            },
            format="multipart",
        ).json()
    assert api.get(f"/api/v1/incidents/imports/{accepted['id']}/").json()["status"] == "done"
    assert Incident.objects.filter(mission=world.mission).count() == 5

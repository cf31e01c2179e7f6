"""An analyst uploads a UCDP file, watches its progress bar, and reads the row report."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from bluebox.core import progress
from bluebox.incidents import jobs
from bluebox.incidents.models import ImportJob, ImportStatus, Incident
from bluebox.incidents.tests.conftest import UCDP_COLUMNS, ucdp_row
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    sign_in(page, base, username)


def _ucdp_file(tmp_path, rows, name):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=UCDP_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def test_an_analyst_imports_a_file_and_sees_progress_then_the_report(
    live_server, browser, screenshots, world, tmp_path
):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _login(page, live_server.url, "analyst")

    # A job running in the worker: the bar moves as the worker reports, then the page reloads
    # itself with the outcome once the job has ended.
    running = ImportJob.objects.create(
        mission=world.mission,
        fmt="ucdp",
        filename="ged-large.csv",
        size=1000,
        sha256="a" * 64,
        status=ImportStatus.RUNNING,
        requested_by=world.analyst,
        requested_at=timezone.now(),
        started_at=timezone.now(),
    )
    progress.report(jobs.PROGRESS_KIND, running.pk, 420, 1000)
    page.goto(f"{live_server.url}/incidents/import/{running.pk}/")
    bar = page.locator("#import-progress progress")
    assert bar.get_attribute("value") == "42"
    progress.report(jobs.PROGRESS_KIND, running.pk, 730, 1000)
    # A selector, not a JavaScript predicate: the page's policy refuses evaluated strings.
    page.wait_for_selector("#import-progress progress[value='73']", timeout=10_000)
    page.screenshot(path=str(screenshots / "import-progress.png"), full_page=True)
    ImportJob.objects.filter(pk=running.pk).update(
        status=ImportStatus.DONE, rows=1000, created=990, unchanged=10, finished_at=timezone.now()
    )
    progress.clear(jobs.PROGRESS_KIND, running.pk)
    page.wait_for_selector("#import-outcome", timeout=10_000)
    assert "990 new events imported, 10 already present, 1000 rows read." in page.inner_text(
        "#import-outcome"
    )

    # A file with a bad row is refused whole, every bad row listed.
    bad = _ucdp_file(tmp_path, [ucdp_row(1), ucdp_row(2, latitude="")], "ged-bad.csv")
    page.goto(f"{live_server.url}/incidents/import/")
    page.check("input[name=fmt][value=ucdp]")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-outcome")
    assert "1 bad row of 2: nothing was imported." in page.inner_text("#import-outcome")
    assert "missing coordinates" in page.inner_text("#import-errors")
    page.screenshot(path=str(screenshots / "import-refused.png"), full_page=True)
    assert Incident.objects.count() == 0

    # The corrected file goes in.
    good = _ucdp_file(tmp_path, [ucdp_row(1), ucdp_row(2)], "ged-good.csv")
    page.goto(f"{live_server.url}/incidents/import/")
    page.set_input_files("#id_file", str(good))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-outcome")
    assert "2 new events imported, 0 already present, 2 rows read." in page.inner_text(
        "#import-outcome"
    )
    page.screenshot(path=str(screenshots / "import-done.png"), full_page=True)
    assert Incident.objects.filter(mission=world.mission, source="ucdp").count() == 2
    page.click("text=See the incidents")
    page.wait_for_selector("#incident-table")
    assert page.locator("#incident-table tbody tr[data-incident]").count() == 2


def test_a_file_with_events_outside_the_mission_shows_them_on_a_map_then_imports_when_accepted(
    live_server, browser, screenshots, world, tmp_path
):
    world.mission.settings = {
        **(world.mission.settings or {}),
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[19.0, 4.0], [23.0, 4.0], [23.0, 7.0], [19.0, 7.0], [19.0, 4.0]]],
        },
    }
    world.mission.save()
    rows = [ucdp_row(1), ucdp_row(2), ucdp_row(3, latitude="-1.95", longitude="30.06")]
    mixed = _ucdp_file(tmp_path, rows, "ged-mixed.csv")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _login(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/incidents/import/")
    page.check("input[name=fmt][value=ucdp]")
    page.set_input_files("#id_file", str(mixed))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#outside-refused", timeout=20_000)
    assert "1 event of 3 lies outside the mission area" in page.inner_text("#outside-refused")
    # The map frames the boundary and the event that lies outside it, south of the equator.
    page.wait_for_selector("#outside-map[data-ready=true] path.outside-marker")
    assert page.locator("path.mission-boundary").count() == 1
    page.screenshot(path=str(screenshots / "import-outside.png"), full_page=True)
    assert Incident.objects.filter(mission=world.mission).count() == 0

    page.goto(f"{live_server.url}/incidents/import/")
    page.check("input[name=fmt][value=ucdp]")
    page.set_input_files("#id_file", str(mixed))
    page.check("#id_accept_outside")
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#outside-accepted", timeout=20_000)
    assert Incident.objects.filter(mission=world.mission).count() == 3

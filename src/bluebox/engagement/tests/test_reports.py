"""Reports: commitments made, done, overdue and median days to done; attendance over time;
from what the reader sees; a PDF in each of the mission's languages, marked on every page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.test import Client

from bluebox.engagement import selectors, services

from .factories import commitment_row, dialogue, first_commitment, session

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _world(world):
    world.mission.settings = {"languages": ["fr", "en"]}
    world.mission.save()
    d = dialogue(world)
    s = session(
        world,
        d,
        now=datetime(2026, 2, 10, 12, 0, tzinfo=UTC),
        commitments=[
            commitment_row(date(2026, 3, 1)),
            commitment_row(date(2026, 3, 10), text="Patrol the market at dusk"),
            commitment_row(date(2026, 5, 1), text="Meet the youth group monthly"),
        ],
    )
    session(
        world,
        d,
        held_on=date(2026, 3, 15),
        classification=2,
        commitments=[],
        attendance=[{"group": "women", "sex": "female", "count": 40}],
    )
    services.commitment_update(
        actor=world.commissioner,
        commitment_id=first_commitment(s).pk,
        status="done",
        evidence="Lamps installed and seen working",
        now=datetime(2026, 2, 20, 12, 0, tzinfo=UTC),
    )
    return d


def test_the_dialogue_report_counts_what_the_reader_sees(world):
    d = _world(world)
    report = selectors.report(world.analyst, now=NOW, dialogue=d)
    assert (report.commitments.made, report.commitments.done, report.commitments.overdue) == (
        3,
        1,
        1,
    )
    assert report.commitments.median_days_to_done == 10.0
    assert report.attendance_by_month == {
        "2026-02": {"female": 12, "male": 12},
        "2026-03": {"female": 40},
    }
    assert report.classification == 2 and report.sessions == 2
    # The planner is cleared for confidential only: the strictly confidential session is not in.
    lower = selectors.report(world.planner, now=NOW, dialogue=d)
    assert lower.attendance_by_month == {"2026-02": {"female": 12, "male": 12}}
    assert lower.sessions == 1 and lower.classification == 1


def test_the_report_page_has_charts_and_the_pdf_comes_in_the_missions_languages(world):
    d = _world(world)
    client = Client()
    client.force_login(world.commissioner)
    page = client.get(f"/engagement/report/?dialogue={d.pk}")
    assert page.status_code == 200 and b"<svg" in page.content
    assert b"lang=fr" in page.content and b"lang=en" in page.content
    pdf = client.get(f"/engagement/report.pdf?dialogue={d.pk}&lang=fr")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].endswith('-fr.pdf"')
    outsider = Client()
    outsider.force_login(world.reporter_at_a)
    assert outsider.get(f"/engagement/report.pdf?dialogue={d.pk}").status_code == 403

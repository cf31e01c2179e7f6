"""An analyst uploads a perception survey, assigns two rounds, imports the first round from an
ODK Central export, sees the second round arrive from phones, and reads the trend between the
rounds with their intervals; a site with too few respondents shows no estimate."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bluebox.assessment.tests.factories import (
    central_csv,
    export_answers,
    instance_xml,
    xlsform,
)
from bluebox.assessment.tests.test_openrosa import Collect
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assign(page, round_label: str, opens, closes) -> None:
    page.select_option("#id_place", "mission")
    page.fill("#id_opens_on", opens.isoformat())
    page.fill("#id_closes_on", closes.isoformat())
    page.fill("#id_round_label", round_label)
    page.click("button:has-text('Assign')")
    page.wait_for_selector(f"#assignments li:has-text('{round_label}')")


def test_an_analyst_sees_submissions_arrive_and_reads_the_trend_with_intervals(
    live_server, browser, screenshots, world, page_errors
):
    today = timezone.localdate()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = page_errors.watch(context.new_page())
    sign_in(page, live_server.url, "analyst")

    page.goto(f"{live_server.url}/assessment/")
    page.select_option("#id_mission", str(world.mission.pk))
    page.set_input_files(
        "#id_xlsform",
        {"name": "perception.xlsx", "mimeType": "application/octet-stream", "buffer": xlsform()},
    )
    page.click("button:has-text('Upload and validate')")
    page.wait_for_selector("#current-version")
    assert page.inner_text("#current-version") == "2026110101"
    assert page.inner_text("#submission-count") == "0"
    form_url = page.url

    _assign(page, "2026 Q3", today - timedelta(days=120), today - timedelta(days=31))
    _assign(page, "2026 Q4", today - timedelta(days=30), today + timedelta(days=365))

    # The first round was collected on ODK Central: 40 respondents, 10 trusting the police,
    # each with a sampling weight of 1.5 (the phones' answers weigh 1).
    first_round = today - timedelta(days=60)
    rows = [
        {**export_answers(0), "trust": "yes" if n < 10 else "no", "iid": f"uuid:q3-{n}"}
        for n in range(40)
    ]
    for row in rows:
        row["key"] = row["iid"]
    export = central_csv(rows, dates=[f"{first_round.isoformat()}T10:00:00.000Z"] * 40)
    page.set_input_files(
        "#import-form input[type=file]",
        {"name": "poc_perception.csv", "mimeType": "text/csv", "buffer": export},
    )
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-done")
    assert page.inner_text("#import-done") == "40 submissions read: 40 stored, 0 already there."
    page.goto(form_url)
    assert page.inner_text("#submission-count") == "40"

    # The second round arrives from two phones: 30 at site A (24 trusting), 5 at site B (3).
    phone_a, phone_b = Collect("reporter_a"), Collect("reporter_b")
    for n in range(30):
        sent = phone_a.submit(instance_xml(trust="yes" if n < 24 else "no"))
        assert sent.status_code == 201
    for n in range(5):
        sent = phone_b.submit(instance_xml(site="site-b", trust="yes" if n < 3 else "no"))
        assert sent.status_code == 201
    page.reload()
    assert page.inner_text("#submission-count") == "75"
    assert page.locator("#submission-table tbody tr").count() == 50  # the latest fifty

    page.click("#analysis-link")
    page.select_option("#q", "trust")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_url(re.compile(r"question=trust"))
    page.select_option("#by", "site")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_url(re.compile(r"by=site"))

    # The weighted share: (10 × 1.5 + 27) / (40 × 1.5 + 35), with an interval around it.
    overall = page.inner_text("#overall")
    share, low, high = (float(x) for x in re.findall(r"\d\.\d+", overall)[:3])
    assert share == pytest.approx(42 / 95, abs=5e-4)
    assert 0 < low < share < high < 1
    assert "n = 75" in overall

    # The trend: a point and an interval per round, the first round at 25 %, the second at 77 %.
    points = page.locator("#trend svg circle.point")
    assert points.count() == 2
    assert page.locator("#trend svg line.interval").count() == 2
    titles = [points.nth(i).locator("title").text_content() or "" for i in range(2)]
    assert titles[0].startswith("2026 Q3: 25% (") and titles[0].endswith(", n=40")
    assert titles[1].startswith("2026 Q4: 77% (") and titles[1].endswith(", n=35")
    # Trust rose: the second point is drawn higher (smaller y) than the first.
    heights = [float(points.nth(i).get_attribute("cy") or 0) for i in range(2)]
    assert heights[1] < heights[0]

    # By site: site A has an estimate; site B's five respondents are not shown as a share.
    table = page.locator("#domain-table tbody tr")
    cells = {
        table.nth(i).locator("td").first.inner_text(): table.nth(i).inner_text()
        for i in range(table.count())
    }
    assert "too few respondents" in cells["Site B"]
    assert "60%" not in cells["Site B"] and "0.600" not in cells["Site B"]
    assert "0.433" in cells["Site A"]  # (10 × 1.5 + 24) / (40 × 1.5 + 30)
    page.screenshot(path=str(screenshots / "survey-trend-analyst.png"), full_page=True)
    context.close()

"""Perception estimates computed for each reader from the answers they may read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client

from bluebox.assessment import adapter, selectors, services
from bluebox.assessment.models import Submission
from bluebox.assessment.tests.factories import collected_form, instance_xml


def _answers(world, form, *, site: str, n_yes: int, n_no: int, sex: str = "female"):
    reporter = world.reporter_at_a if site == "site-a" else world.reporter_at_b
    for i in range(n_yes + n_no):
        services.submission_receive(
            actor=reporter,
            mission=world.mission,
            xml=instance_xml(
                instance_id=f"uuid:{uuid.uuid4()}",
                site=site,
                trust="yes" if i < n_yes else "no",
                sex=sex,
                weight=2.0 if i % 2 else 1.0,
            ),
            at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        )


@pytest.fixture
def surveyed(world):
    version = collected_form(world.analyst, world.mission)
    _answers(world, version.form, site="site-a", n_yes=20, n_no=10)
    _answers(world, version.form, site="site-b", n_yes=3, n_no=2, sex="male")
    return version.form


def test_the_analyst_sees_the_weighted_share_and_small_groups_suppressed(world, surveyed):
    analysis = adapter.analyse(
        selectors.submissions_for(world.analyst, form=surveyed), question="trust", value="yes"
    )
    assert analysis.overall.n == 35 and not analysis.overall.suppressed
    # Weights alternate 1 and 2 within each site's answers, yes first.
    assert analysis.overall.lower < analysis.overall.estimate < analysis.overall.upper
    female, male = analysis.domains
    assert (female.level, female.n, female.suppressed) == ("female", 30, False)
    assert (male.level, male.n, male.suppressed, male.estimate) == ("male", 5, True, None)


def test_a_reader_of_one_sector_gets_the_estimate_of_what_they_may_read(world, surveyed):
    east = adapter.analyse(
        selectors.submissions_for(world.east_analyst, form=surveyed), question="trust", value="yes"
    )
    assert east.overall.n == 30  # site B (sector West) is not theirs
    assert adapter.analyse(
        selectors.submissions_for(world.reporter_at_a, form=surveyed), question="trust", value="yes"
    ).overall.suppressed  # reporters collect; they read no answers


def test_edits_and_voided_answers_do_not_count_twice(world, surveyed):
    first = Submission.objects.filter(site=world.site_a).order_by("id").first()
    services.submission_receive(
        actor=world.reporter_at_a,
        mission=world.mission,
        xml=instance_xml(instance_id="uuid:edit-1", deprecated_id=first.instance_id, trust="no"),
    )
    services.submission_void(
        actor=world.analyst,
        submission_id=Submission.objects.filter(is_current=True, site=world.site_b).first().pk,
        reason="Duplicate",
    )
    analysis = adapter.analyse(
        selectors.submissions_for(world.analyst, form=surveyed), question="trust", value="yes"
    )
    assert analysis.overall.n == 34


def test_the_analysis_page_shows_the_interval_and_the_trend_chart(world, surveyed):
    client = Client()
    client.force_login(world.analyst)
    page = client.get(
        f"/assessment/forms/{surveyed.pk}/analysis/?question=trust&value=yes&by=sex"
    ).content.decode()
    assert 'id="trend"' in page and 'class="trend-chart"' in page
    assert 'class="interval"' in page and "2026 Q4" in page
    assert "too few respondents" in page  # the 5 men
    french = client.get(f"/fr/assessment/forms/{surveyed.pk}/analysis/").content.decode()
    assert "Faites-vous confiance à la police ici ?" in french

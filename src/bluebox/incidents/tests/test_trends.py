"""Trends: weekly (or monthly) counts by sector and type of what the reader may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bluebox.incidents import charts, selectors
from bluebox.testing.factories import IncidentFactory

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday
TYPES = ["killing", "looting", "arson", "abduction", "threat", "roadblock", "arson"]


def _at(site, days_ago, incident_type="killing"):
    when = NOW - timedelta(days=days_ago)
    return IncidentFactory(
        site=site, incident_type=incident_type, occurred_at=when, reported_at=when
    )


def test_counts_fall_in_their_weeks_and_only_what_the_reader_may_see(world):
    _at(world.site_a, 1)  # this week (from Monday 23 November)
    _at(world.site_a, 2)
    _at(world.site_a, 8)  # the week before
    _at(world.site_b, 1)  # Sector West: not the east analyst's
    _at(world.site_a, 7 * 13)  # before the default twelve weeks
    trend = selectors.trends(world.east_analyst, now=NOW)
    assert trend.unit == "week" and trend.periods[-1] == NOW.date() - timedelta(days=3)
    assert len(trend.periods) == 13  # twelve weeks back, from the Monday of the first one
    assert trend.by_sector == [("Sector East", [0] * 11 + [1, 2])]
    assert trend.total == 3
    everyone = selectors.trends(world.analyst, now=NOW)
    assert dict(everyone.by_sector) == {
        "Sector East": [0] * 11 + [1, 2],
        "Sector West": [0] * 12 + [1],
    }


def test_five_largest_groups_then_the_rest_as_other_and_months_past_half_a_year(world):
    for n, incident_type in enumerate(TYPES):
        _at(world.site_a, n + 1, incident_type)
    trend = selectors.trends(world.analyst, now=NOW)
    labels = [label for label, _ in trend.by_type]
    assert labels[0] == "Arson" and labels[-1] == "Other" and len(labels) == 6
    assert sum(sum(counts) for _, counts in trend.by_type) == len(TYPES)
    since = NOW - timedelta(weeks=40)
    monthly = selectors.trends(
        world.analyst, selectors.IncidentFilters(since=since, until=NOW), now=NOW
    )
    assert monthly.unit == "month" and monthly.periods[0] == since.date().replace(day=1)
    assert monthly.total == len(TYPES)
    svg = charts.trend_svg(monthly.periods, monthly.by_type, monthly.unit)
    assert svg.startswith("<svg") and "style=" not in svg and "<style" not in svg
    assert charts.trend_svg(monthly.periods, []) == ""

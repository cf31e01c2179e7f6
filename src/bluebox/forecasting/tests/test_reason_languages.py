"""A forecast's reasons are kept as messages and read in the reader's language: the same
stored run reads in French for a French reader and in Arabic for an Arabic one, its numbers
isolated; a row stored before reasons were messages still reads (in its English)."""

from __future__ import annotations

import math
import re

import pytest
from django.test import Client
from django.utils import translation

from bluebox.core import words
from bluebox.engines.forecast.explain import describe
from bluebox.forecasting import jobs
from bluebox.forecasting.models import AreaForecast
from bluebox.forecasting.tests.factories import TODAY, incidents_at_site_a, small_settings

KM = [55.0, 110.0]
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.mark.parametrize(
    ("feature", "value", "period", "numbers"),
    [
        ("own_n_3", 3, "month", ["3"]),
        ("own_f_1", math.log1p(12), "week", ["12"]),
        ("nb1_n_4", 5, "week", ["5", "60"]),
        ("own_since", 4, "week", ["4"]),
        ("own_active_12", 7, "month", ["7", "12"]),
        ("actors_3", 2, "month", []),
        ("season", 0.0, "month", []),
    ],
)
def test_the_same_reason_reads_in_french_and_in_arabic(feature, value, period, numbers):
    msg = describe(feature, value, period=period, ring_km=KM, target_month=3)
    english = msg.render()
    for code in ("fr", "ar"):
        with translation.override(code):
            said = words.render(msg.as_dict())
        assert said != english, (code, said)
        assert all(n in said for n in numbers), (code, said)
        if code == "ar":
            assert ARABIC.search(said) and not re.search("[A-Za-z]", said), said
    with translation.override("fr"):
        assert words.render(describe("season", 0, period="month", ring_km=KM, target_month=3)) == (
            "période de l'année (mars)"
        )
        assert words.render(describe("own_n_1", 1, period="month", ring_km=KM)) == (
            "1 attaque contre des civils dans cette zone au cours du dernier mois"
        )


def test_arabic_plural_forms_follow_the_number():
    with translation.override("ar"):
        one = words.render(describe("own_n_1", 1, period="month", ring_km=KM))
        two = words.render(describe("own_n_2", 2, period="month", ring_km=KM))
        five = words.render(describe("own_n_5", 5, period="month", ring_km=KM))
    assert one.startswith("هجوم واحد") and "الشهر الأخير" in one
    assert two.startswith("هجومان") and "الشهرين الأخيرين" in two
    assert "5 هجمات" in five and "آخر 5 أشهر" in five


def test_on_a_page_numbers_are_isolated_and_the_words_escaped():
    msg = describe("cal_feast", 1.0, period="week", ring_km=KM)  # a mission's own word
    evil = describe("site_km_<b>camp</b>", 12.0, period="week", ring_km=KM)
    with translation.override("ar"):
        html = words.render(describe("own_n_3", 3, period="month", ring_km=KM), html=True)
        assert "<bdi>3</bdi>" in html and ARABIC.search(html)
        assert "&lt;b&gt;" in words.render(evil, html=True)
        assert "feast" in words.render(msg)


@pytest.fixture
def done_run(world):
    small_settings(world.mission, model="lightgbm")
    incidents_at_site_a(world)
    run = jobs.forecast_run_schedule(mission_id=world.mission.pk, today=TODAY)
    return jobs.forecast_run_execute(run_id=run.pk)


def _reasons(user, prefix):
    client = Client()
    client.force_login(user)
    html = client.get(f"{prefix}/forecast/").content.decode()
    return re.findall(r'<ul class="reasons">(.*?)</ul>', html, re.S)


@pytest.mark.django_db
def test_a_stored_run_reads_in_the_readers_language(world, done_run):
    area = AreaForecast.objects.filter(variant__run=done_run).exclude(contributions=[]).first()
    assert area is not None and area.contributions[0]["message"]["msgid"]
    english = " ".join(_reasons(world.analyst, ""))
    french = " ".join(_reasons(world.analyst, "/fr"))
    arabic = " ".join(_reasons(world.analyst, "/ar"))
    assert "civilians" in english or "time of year" in english, english
    assert french and french != english and "civils" in french + "l'année", french
    assert ARABIC.search(arabic) and "<bdi>" in arabic, arabic
    assert not re.search(r"\b(civilians|attacks?|month|weeks?)\b", arabic), arabic


@pytest.mark.django_db
def test_a_row_stored_before_reasons_were_messages_reads_as_it_was(world, done_run):
    area = AreaForecast.objects.filter(variant__run=done_run).exclude(contributions=[]).first()
    old = [
        {"feature": c["feature"], "contribution": c["contribution"], "sentence": "Old words"}
        for c in area.contributions
    ]
    AreaForecast.objects.filter(variant__run=done_run).update(contributions=old)
    assert "Old words" in " ".join(_reasons(world.analyst, "/fr"))

"""Custody notices and legal-basis refusals are messages said in the reader's language: an
escalation raised by the worker (which has no reader) reads in French for a French officer and
in Arabic for an Arabic one; a notification made before messages were kept reads as it was."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import translation

from bluebox.core import words
from bluebox.core.exceptions import ServiceError
from bluebox.detention import jobs
from bluebox.detention.models import Notification
from bluebox.detention.tests.factories import ApprehensionFactory
from bluebox.detention.tests.test_gates import _record
from bluebox.engines.custody import CustodyLimits, escalation_points
from bluebox.engines.custody.notices import escalation_notice

START = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.mark.parametrize("index", [0, -1])  # the first warning and the hard limit's breach
def test_the_same_notice_reads_in_french_and_in_arabic(index):
    points = escalation_points(START, CustodyLimits())
    point = [p for p in points if p.deadline == "limit"][index]
    notice = escalation_notice("D-2026-0007", point, "2026-03-31 13:00 CEST")
    english = notice.render()
    for code in ("fr", "ar"):
        with translation.override(code):
            said = words.render(notice.as_dict())
        assert said != english and "D-2026-0007" in said and "2026-03-31 13:00" in said, said
        if not point.is_breach:
            assert f"{point.hours_before:g}" in said, said
    with translation.override("ar"):
        assert ARABIC.search(words.render(notice))
        html = words.render(notice, html=True)
    assert "<bdi>D-2026-0007</bdi>" in html


@pytest.mark.django_db
def test_a_raised_escalation_reads_in_the_officers_language_on_the_board(world):
    world.mission.timezone = "Europe/Paris"
    world.mission.save()
    custody = ApprehensionFactory(site=world.site_a, apprehended_at=START)
    jobs.custody_escalations_raise(now=START + timedelta(hours=73))
    stored = Notification.objects.filter(recipient=world.detention_officer).get()
    assert "PASSED" in stored.text and stored.message["msgid"].endswith("Record the reason.")
    client = Client()
    client.force_login(world.detention_officer)

    def board(prefix: str) -> str:
        html = client.get(f"{prefix}/detention/").content.decode()
        return re.search(r'<section class="card" id="notifications">(.*?)</section>', html, re.S)[1]

    assert "limit PASSED" in board("")
    french = board("/fr")
    assert "DÉPASSÉE" in french and "PASSED" not in french
    assert f"<bdi>{custody.pseudonym}</bdi>" in french
    arabic = board("/ar")
    assert "تجاوز" in arabic and "PASSED" not in arabic
    # A notification made before the message was kept reads as its stored English.
    Notification.objects.update(message={})
    assert "limit PASSED" in board("/fr")


@pytest.mark.django_db
def test_a_refused_legal_basis_reads_in_the_language_of_who_records_it(world):
    for code, words_expected in (("fr", "mandat exécutif"), ("ar", "ولايةً تنفيذية")):
        with translation.override(code), pytest.raises(ServiceError) as refused:
            _record(world, legal_basis="executive_arrest")
        assert words_expected in refused.value.field_errors["legal_basis"][0]


@pytest.mark.django_db
def test_the_handover_gate_s_reasons_read_in_the_readers_language(world):
    from django.utils import timezone

    from bluebox.detention import services
    from bluebox.detention.tests.test_gates import _assess
    from bluebox.hrddp.tests.factories import HostUnitFactory

    custody = ApprehensionFactory(site=world.site_a)
    unit = HostUnitFactory(mission=world.mission)  # never assessed under HRDDP
    assessment = _assess(world, custody, unit, ill_treatment="high")
    english = services.handover_gate(assessment, timezone.now()).reasons
    assert english[0].startswith("High risk of") and english[1].startswith("HRDDP: ")
    for code in ("fr", "ar"):
        with translation.override(code):
            said = services.handover_gate(assessment, timezone.now()).reasons
        assert len(said) == len(english)
        assert all(s != e for s, e in zip(said, english, strict=True)), said
        if code == "ar":
            assert all(ARABIC.search(s) and "High risk" not in s for s in said), said

"""Pages and API around a solved plan: board, exports (CSV with HXL, PDF), calibration."""

from __future__ import annotations

import csv
import io

import hxl
import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.classification import Classification
from bluebox.deployment import services
from bluebox.deployment.models import DeploymentAnalysis, PlanStatus
from bluebox.deployment.tests.conftest import PLAN_START
from bluebox.testing.validators import hxlvalidate, pdf_report


@pytest.fixture
def plan(force_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.deployment_plan_request(
            actor=force_world.planner,
            mission_id=force_world.mission.pk,
            plan_start=PLAN_START,
            horizon_days=30,
            time_limit_s=20,
        )
    plan.refresh_from_db()
    return plan


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_csv_export_carries_an_hxl_row_and_every_placed_officer(force_world, plan):
    response = _client(force_world.analyst).get(f"/deployment/plans/{plan.pk}/export.csv")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "#loc+code"
    dataset = hxl.data(io.BytesIO(text.encode()), hxl.InputOptions(allow_local=True))
    assert "#org+unit" in [c.display_tag for c in dataset.columns]
    passed, report = hxlvalidate(text)
    assert passed, report
    assert sum(int(r[-1]) for r in rows[2:]) == 140 * 2 + 18


def test_the_pdf_export_is_marked_on_every_page_and_tagged(force_world, plan):
    response = _client(force_world.commissioner).get(f"/deployment/plans/{plan.pk}/export.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    report = pdf_report(response.content)
    marking = Classification(plan.classification).name.replace("_", " ")
    pages = report["pages"]
    assert pages  # every page, however many the board takes (core/tests/test_pdf.py: five)
    assert [n for n, text in enumerate(pages, 1) if text.count(marking) < 2] == []  # top+bottom
    assert report["info"]["Tagged"] == "yes"  # PDF/UA-1: a structure tree for screen readers
    assert report["info"]["Title"]
    assert report["fonts"] and all(embedded for _, embedded in report["fonts"])


def test_the_board_shows_the_current_plan_to_an_east_analyst_without_the_plan_list(
    force_world, plan
):
    # Force records are mission-wide for analysts; plans are not for a sector analyst.
    page = _client(force_world.east_analyst).get("/deployment/").content.decode()
    assert "FPU Strict" in page and "No solved plan yet." in page
    page = _client(force_world.planner).get("/deployment/").content.decode()
    assert 'id="board"' in page and "Solve from the force records" in page


def test_the_force_curve_shows_what_covers_80_percent(
    force_world, plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        analysis = services.deployment_analysis_request(
            actor=force_world.planner, plan_id=plan.pk, kind="force_curve", target=0.8
        )
    analysis.refresh_from_db()
    assert analysis.status == PlanStatus.DRAFT, analysis.error
    curves = analysis.result["force_curves"]
    assert {c["profile"] for c in curves} == {"NEW-FPU", "NEW-IPO"}
    for curve in curves:
        shares = [p["objective"] for p in curve["points"]]
        assert shares == sorted(shares)  # reinforcements never lower protection
        if curve["units_needed"] is not None:
            assert shares[-1] >= 0.8
    page = _client(force_world.planner).get(f"/deployment/analyses/{analysis.pk}/")
    assert b"<svg" in page.content and b"risk covered" in page.content


def test_the_sweep_ranks_the_site_a_caveat_first(
    force_world, plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        analysis = services.deployment_analysis_request(
            actor=force_world.planner, plan_id=plan.pk, kind="sweep"
        )
    analysis = DeploymentAnalysis.objects.get(pk=analysis.pk)
    changes = analysis.result["changes"]
    assert changes[0]["change"] == "lift_caveat:caveat:pcc-STR:site:site-a"
    assert "Strictland" in changes[0]["text"] and changes[0]["delta"] > 0


def test_the_api_refuses_bad_caveat_parameters_with_the_reason(force_world):
    client = APIClient()
    client.force_login(force_world.planner)
    response = client.post(
        "/api/v1/deployment/caveats/",
        {
            "mission": force_world.mission.pk,
            "country": force_world.strict.pk,
            "kind": "capital_approval",
            "parameters": {"delay_days": 9999},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "between 0 and 365" in response.json()["detail"]

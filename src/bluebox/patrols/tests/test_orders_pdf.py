"""Printed patrol orders carry the plan's own marking on every page and are tagged PDFs."""

from __future__ import annotations

from django.test import Client

from bluebox.core.classification import Classification
from bluebox.patrols.models import PatrolPlan
from bluebox.testing.validators import pdf_report

from .access_matrix import _at_a


def test_patrol_orders_are_marked_with_the_plans_classification_and_tagged(world):
    _at_a(world)
    PatrolPlan.objects.filter(pk=world.patrol_plan.pk).update(
        classification=Classification.STRICTLY_CONFIDENTIAL
    )
    client = Client()
    client.force_login(world.commissioner)
    response = client.get(f"/patrols/plans/{world.patrol_plan.pk}/orders.pdf")
    assert response.status_code == 200, response.content[:200]
    report = pdf_report(response.content)
    assert report["pages"]
    # The plan's marking on every page (not a fixed "CONFIDENTIAL").
    assert all(page.count("STRICTLY CONFIDENTIAL") >= 2 for page in report["pages"])
    assert report["info"]["Tagged"] == "yes"
    assert all(embedded for _, embedded in report["fonts"])

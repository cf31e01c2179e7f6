"""Recording an apprehension from the web form, at any field site the officer may use."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from bluebox.detention.models import Apprehension


def _form(site_pk: int) -> dict[str, str]:
    apprehended = timezone.now().astimezone(timezone.get_fixed_timezone(0)) - timedelta(hours=2)
    return {
        "site": str(site_pk),
        "apprehended_at": apprehended.strftime("%Y-%m-%dT%H:%M"),
        "detainee_name": "Second Site Person",
        "location": "Market gate",
        "apprehending_unit": "FPU 2, platoon 1",
        "legal_basis": "imminent_threat",
        "threat": "unarmed",
        "reason": "Setting fire to stalls",
        "sex": "female",
        "interpreter": "not_needed",
    }


def test_an_apprehension_at_the_second_site_in_the_list_is_recorded_there(world):
    # The attack that found it: any site but the first in the list answered 500.
    client = Client(raise_request_exception=False)
    client.force_login(world.detention_officer)
    response = client.post("/detention/new/", _form(world.site_b.pk))
    assert response.status_code == 302
    custody = Apprehension.objects.get()
    assert custody.site_id == world.site_b.pk
    assert response["Location"] == f"/detention/{custody.pk}/"
    board = client.get("/detention/")
    assert custody.pseudonym in board.content.decode()


def test_a_site_outside_the_officers_reach_is_refused_and_nothing_recorded(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.detention_officer)
    response = client.post("/detention/new/", _form(world.other_site.pk))
    assert response.status_code == 400
    assert not Apprehension.objects.exists()


def test_the_form_asks_the_threat_in_words_and_refuses_without_it(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.detention_officer)
    page = client.get("/detention/new/").content.decode()
    assert '<option value="heavy">Sustained, large-scale firearms or military weapons</option>' in (
        page
    )
    form = _form(world.site_b.pk)
    del form["threat"]
    response = client.post("/detention/new/", form)
    assert response.status_code == 400
    assert "threat" in response.context["form"].errors
    assert not Apprehension.objects.exists()


def test_the_threat_chosen_on_the_form_decides_under_the_mission_rules(world):
    from bluebox.guide.tests.factories import approved

    approved(world.mission, world.commissioner)
    client = Client(raise_request_exception=False)
    client.force_login(world.detention_officer)
    heavy = {**_form(world.site_b.pk), "threat": "heavy"}
    refused = client.post("/detention/new/", heavy)
    assert refused.status_code == 400
    assert "military primacy (green box)" in refused.content.decode()
    assert not Apprehension.objects.exists()
    recorded = client.post("/detention/new/", {**heavy, "threat": "armed"})
    assert recorded.status_code == 302
    custody = Apprehension.objects.get()
    assert custody.rules["threat"] == "armed" and custody.rules["allowed"] is True
    detail = client.get(f"/detention/{custody.pk}/").content.decode()
    assert "Armed (knives, machetes, a few firearms)" in detail


def test_explaining_a_breach_one_may_not_see_is_a_404_and_audited(world):
    from bluebox.core.models import AuditEntry, AuditOutcome
    from bluebox.detention import jobs
    from bluebox.detention.models import Breach
    from bluebox.detention.tests.factories import ApprehensionFactory

    custody = ApprehensionFactory(site=world.site_a)
    custody.apprehended_at -= timedelta(hours=80)
    custody.save()
    jobs.custody_escalations_raise(now=custody.apprehended_at + timedelta(hours=73))
    breach = Breach.objects.filter(apprehension=custody).first()
    assert breach is not None
    client = Client()
    client.force_login(world.reporter_at_b)  # custody at site A is not theirs to see
    response = client.post(f"/detention/breaches/{breach.pk}/explain/", {"reason": "x" * 20})
    assert response.status_code == 404
    refusal = AuditEntry.objects.get(outcome=AuditOutcome.DENIED, object_id=str(breach.pk))
    assert (refusal.actor, refusal.action, refusal.resource) == ("reporter_b", "view", "detention")
    breach.refresh_from_db()
    assert breach.reason == ""

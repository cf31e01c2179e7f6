"""The evidence page verifies each item's chain of custody and says what no longer matches."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from bluebox.detention import services
from bluebox.detention.models import EvidenceItem, EvidenceTransfer
from bluebox.detention.tests.factories import ApprehensionFactory

VERIFIED = "Chain of custody verified"
BROKEN = "The chain of custody does not verify"


def _page(world, custody) -> str:
    client = Client()
    client.force_login(world.commissioner)
    response = client.get(reverse("apprehension-detail", args=[custody.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _handed_over_item(world):
    custody = ApprehensionFactory(site=world.site_a)
    item = services.evidence_register(
        actor=world.detention_officer,
        apprehension_id=custody.pk,
        kind="item",
        label="Machete",
        description="Wooden handle, found at the market gate",
    )
    transfer = services.evidence_transfer_offer(
        actor=world.detention_officer,
        item_id=item.pk,
        receiver=world.commissioner,
        purpose="Forensic examination",
    )
    services.evidence_transfer_accept(actor=world.commissioner, transfer_id=transfer.pk)
    return custody, item, transfer


def test_an_untouched_chain_is_shown_verified(world):
    custody, _, _ = _handed_over_item(world)
    page = _page(world, custody)
    assert VERIFIED in page and BROKEN not in page


def test_a_changed_description_is_shown_as_no_longer_matching_its_hash(world):
    custody, item, _ = _handed_over_item(world)
    EvidenceItem.objects.filter(pk=item.pk).update(description="Metal handle")
    page = _page(world, custody)
    assert BROKEN in page and VERIFIED not in page
    assert "no longer matches its hash" in page


def test_a_rewritten_transfer_is_shown_with_its_number(world):
    custody, _, transfer = _handed_over_item(world)
    EvidenceTransfer.objects.filter(pk=transfer.pk).update(purpose="Returned to the family")
    page = _page(world, custody)
    assert f"Transfer #{transfer.pk}: the giver" in page

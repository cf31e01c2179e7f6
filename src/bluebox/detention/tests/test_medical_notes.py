"""A detainee's medical notes are health data: whoever holds the database file reads none of
them, and only those holding the DETENTION compartment see them on the custody page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from bluebox.detention.models import Apprehension
from bluebox.detention.tests.factories import ApprehensionFactory

NOTES = "Insulin-dependent diabetic; bruising on the left wrist"


def _stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT medical_notes FROM detention_apprehension WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_database_holds_no_medical_note_in_clear(world):
    custody = ApprehensionFactory(site=world.site_a, medical_notes=NOTES)
    stored = _stored(custody.pk)
    assert "diabetic" not in stored.lower() and stored.startswith("gAAAA")
    assert Apprehension.objects.get(pk=custody.pk).medical_notes.reveal() == NOTES
    assert str(Apprehension.objects.get(pk=custody.pk).medical_notes) == "[protected]"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("detention_officer", True),
        ("commissioner", True),
        ("reporter_at_a", False),
        ("analyst", False),
    ],
)
def test_only_the_compartment_sees_the_notes_on_the_custody_page(world, who, sees):
    custody = ApprehensionFactory(site=world.site_a, medical_notes=NOTES)
    client = Client()
    client.force_login(getattr(world, who))
    response = client.get(f"/detention/{custody.pk}/")
    assert response.status_code == 200  # the register page, pseudonym and all
    assert (NOTES in response.content.decode()) is sees
    assert "[protected]" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_notes_stored_in_clear_and_back(world):
    custody = ApprehensionFactory(site=world.site_a, medical_notes=NOTES)
    executor = MigrationExecutor(connection)
    executor.migrate([("detention", "0001_detention_register_clocks_handover")])
    assert _stored(custody.pk) == NOTES  # what a database from before the change holds
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("detention"))
    assert _stored(custody.pk).startswith("gAAAA")
    assert Apprehension.objects.get(pk=custody.pk).medical_notes.reveal() == NOTES

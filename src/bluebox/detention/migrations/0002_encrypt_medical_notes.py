"""Medical notes are health data about a detainee: encrypt the stored ones like identities."""

import bluebox.core.crypto
from django.db import migrations


def _is_token(value):
    try:
        bluebox.core.crypto.decrypt(value)
    except ValueError:
        return False
    return True


def encrypt_notes(apps, schema_editor):
    # Runs while the field is still a plain TextField, so values are read and written as stored.
    Apprehension = apps.get_model("detention", "Apprehension")
    rows = Apprehension.objects.exclude(medical_notes="").values_list("pk", "medical_notes")
    for pk, notes in rows.iterator():
        if not _is_token(notes):
            Apprehension.objects.filter(pk=pk).update(
                medical_notes=bluebox.core.crypto.encrypt(notes)
            )


def decrypt_notes(apps, schema_editor):
    Apprehension = apps.get_model("detention", "Apprehension")
    rows = Apprehension.objects.exclude(medical_notes="").values_list("pk", "medical_notes")
    for pk, token in rows.iterator():
        if _is_token(token):
            Apprehension.objects.filter(pk=pk).update(
                medical_notes=bluebox.core.crypto.decrypt(token)
            )


class Migration(migrations.Migration):

    dependencies = [
        ("detention", "0001_detention_register_clocks_handover"),
    ]

    operations = [
        migrations.RunPython(encrypt_notes, decrypt_notes),
        migrations.AlterField(
            model_name="apprehension",
            name="medical_notes",
            field=bluebox.core.crypto.EncryptedTextField(blank=True),
        ),
    ]

"""Photos and recordings sent with submissions are about respondents: stored encrypted."""

import base64

from django.db import migrations, models

import bluebox.core.crypto


def seal(apps, schema_editor):
    # Runs while ``sealed`` is still a plain text column: tokens are written as computed here.
    Attachment = apps.get_model("assessment", "SubmissionAttachment")
    for pk, content in Attachment.objects.values_list("pk", "content").iterator():
        token = bluebox.core.crypto.encrypt(base64.b64encode(bytes(content)).decode("ascii"))
        Attachment.objects.filter(pk=pk).update(sealed=token)


def unseal(apps, schema_editor):
    Attachment = apps.get_model("assessment", "SubmissionAttachment")
    for pk, token in Attachment.objects.values_list("pk", "sealed").iterator():
        content = base64.b64decode(bluebox.core.crypto.decrypt(token)) if token else b""
        Attachment.objects.filter(pk=pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_outcome_indicators"),
    ]

    operations = [
        migrations.AddField(
            model_name="submissionattachment",
            name="sealed",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="submissionattachment",
            name="content",
            field=models.BinaryField(default=b""),
        ),
        migrations.RunPython(seal, unseal),
        migrations.AlterField(
            model_name="submissionattachment",
            name="sealed",
            field=bluebox.core.crypto.EncryptedTextField(blank=True),
        ),
        migrations.RemoveField(model_name="submissionattachment", name="content"),
    ]

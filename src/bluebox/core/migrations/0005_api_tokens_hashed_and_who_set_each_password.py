"""API tokens are stored as digests; the plain-text keys of DRF's token table move over.

Each existing key keeps working (its digest is stored, with an expiry from today), then DRF's
table, which held the keys in clear, is dropped with its migration records.
"""

import django.db.models.deletion
from django.conf import settings
import hashlib
from datetime import timedelta

from django.conf import settings as django_settings
from django.db import migrations, models
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def _move_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("core", "ApiToken")
    now = timezone.now()
    expires = now + timedelta(days=django_settings.API_TOKEN_TTL_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {LEGACY_TABLE}")  # noqa: S608 - fixed name
        rows = cursor.fetchall()
        for key, user_id in rows:
            ApiToken.objects.create(
                user_id=user_id,
                name="API token (from before hashing)",
                digest=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:6],
                created_at=now,
                expires_at=expires,
            )
        cursor.execute(f"DROP TABLE {LEGACY_TABLE}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])



class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_entries_refuse_update_and_delete_on_postgresql'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='credentials_set_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('digest', models.CharField(max_length=64, unique=True)),
                ('prefix', models.CharField(max_length=12)),
                ('created_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.RunPython(_move_plain_tokens, migrations.RunPython.noop),
    ]

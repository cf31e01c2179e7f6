"""Audit keys get epochs; the head is signed so it cannot be rewound without the key."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_login_throttle_counters'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditKeyEpoch',
            fields=[
                ('epoch', models.PositiveIntegerField(primary_key=True, serialize=False)),
                ('check_value', models.CharField(max_length=64)),
                ('started_at', models.DateTimeField()),
            ],
        ),
        migrations.AddField(
            model_name='auditentry',
            name='key_epoch',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='audithead',
            name='key_check',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='audithead',
            name='key_epoch',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='audithead',
            name='signature',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
    ]

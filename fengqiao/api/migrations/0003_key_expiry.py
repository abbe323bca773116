# Keys expire and record their revocation. Secrets were already stored only as SHA-256 (nothing to convert);
# existing keys get the default term from now (the AddField default), keys switched off before count as revoked.

from django.db import migrations, models
from django.utils import timezone

import fengqiao.api.models


def mark_revoked(apps, schema_editor):
    apps.get_model("api", "ApiClient").objects.filter(is_active=False, revoked_at__isnull=True).update(
        revoked_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_verbose_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='apiclient',
            name='expires_at',
            field=models.DateTimeField(default=fengqiao.api.models.key_expiry_default, verbose_name='key expires at'),
        ),
        migrations.AddField(
            model_name='apiclient',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='key revoked at'),
        ),
        migrations.RunPython(mark_revoked, migrations.RunPython.noop),
    ]

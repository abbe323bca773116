"""Identity numbers of the parties to an agreement encrypted at rest (fengqiao/core/crypto.py)."""

from django.db import migrations

import fengqiao.core.crypto
from fengqiao.core.crypto_migrations import encrypt_column

forwards, backwards = encrypt_column("mediation_agreementparty", "id_number")


class Migration(migrations.Migration):

    dependencies = [
        ('mediation', '0003_bookings_sessions_agreements'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agreementparty',
            name='id_number',
            field=fengqiao.core.crypto.EncryptedTextField(blank=True, max_length=40, verbose_name='ID number'),
        ),
        migrations.RunPython(forwards, backwards),
    ]

"""Parties' identity numbers encrypted at rest (fengqiao/core/crypto.py), with a keyed blind index for the one
search that needs them (is this petitioner known?). Existing numbers are encrypted here."""

from django.db import migrations, models

import fengqiao.core.crypto
from fengqiao.core.crypto_migrations import encrypt_column

forwards, backwards = encrypt_column("cases_party", "id_number", "id_number_index")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_event_chain'),
    ]

    operations = [
        migrations.AddField(
            model_name='party',
            name='id_number_index',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='party',
            name='id_number',
            field=fengqiao.core.crypto.EncryptedTextField(blank=True, index_field='id_number_index', max_length=40,
                                                         verbose_name='ID number'),
        ),
        migrations.RunPython(forwards, backwards),
    ]

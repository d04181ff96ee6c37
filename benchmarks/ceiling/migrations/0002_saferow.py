from django.db import migrations, models

import undersigned.protection.crypto


class Migration(migrations.Migration):
    dependencies = [("ceiling", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="SafeRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                ("email", undersigned.protection.crypto.EncryptedEmailField()),
                ("email_digest", models.CharField(max_length=64, unique=True)),
                ("country", models.CharField(max_length=2)),
            ],
        ),
    ]

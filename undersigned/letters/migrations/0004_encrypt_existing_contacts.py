"""Encrypt the contacts stored before their fields were encrypted, and fill the digests.

Separate from 0003 so that PostgreSQL has built 0003's indexes before rows are updated
(an index cannot be created in a transaction that has pending row updates to check).
"""

from django.db import migrations

from undersigned.protection.crypto import decrypt, encrypt_plaintext_column


def fill_digests(apps, schema_editor):
    """The keyed digest beside each (now encrypted) contact email."""
    from undersigned.emails.addresses import email_digest

    Endorsement = apps.get_model("letters", "Endorsement")
    for endorsement in Endorsement.objects.only("contact_email").iterator():
        if endorsement.contact_email:
            Endorsement.objects.filter(pk=endorsement.pk).update(
                contact_email_digest=email_digest(endorsement.contact_email)
            )


def decrypt_column(table, column):
    """Backwards: plain text again, so that the column can become a plain field."""

    def backwards(apps, schema_editor):
        connection = schema_editor.connection
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)}")  # noqa: S608
            rows = [
                (pk, value)
                for pk, value in cursor.fetchall()
                if value and value.startswith("gAAAAA")
            ]
            for pk, value in rows:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                    [decrypt(value), pk],
                )

    return backwards


class Migration(migrations.Migration):

    dependencies = [
        ('letters', '0003_encrypt_contact_store_ip_hash'),
    ]

    operations = [
        migrations.RunPython(
            encrypt_plaintext_column('letters_endorsement', 'contact_email'),
            decrypt_column('letters_endorsement', 'contact_email'),
        ),
        migrations.RunPython(
            encrypt_plaintext_column('letters_endorsement', 'contact_name'),
            decrypt_column('letters_endorsement', 'contact_name'),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]

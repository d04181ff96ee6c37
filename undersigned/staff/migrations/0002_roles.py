from django.db import migrations


def make_roles(apps, schema_editor):
    """The ready-made roles with their permissions (permissions are made first: Django
    makes them only after every migration has run)."""
    from django.contrib.auth.management import create_permissions

    from undersigned.staff.roles import sync_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("organisations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("audit", "0001_initial"),
        ("petitions", "0001_initial"),
        ("letters", "0001_initial"),
        ("delivery", "0001_initial"),
        ("supporters", "0001_initial"),
    ]

    operations = [migrations.RunPython(make_roles, migrations.RunPython.noop)]

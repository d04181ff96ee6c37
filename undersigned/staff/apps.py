from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "undersigned.staff"
    verbose_name = _("Staff and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import signed_in

        post_migrate.connect(keep_roles_in_step, sender=self, dispatch_uid="sync-roles")
        user_logged_in.connect(signed_in, dispatch_uid="staff-signed-in")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that asks for the second factor (site.py)."""

    default = False
    default_site = "undersigned.staff.site.StaffAdminSite"


def keep_roles_in_step(sender, using="default", apps=None, **kwargs):
    """After every migrate, each role holds exactly the permissions roles.py gives it."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    from .roles import sync_roles

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles()

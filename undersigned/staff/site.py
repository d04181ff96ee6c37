"""The back office's admin site: Django's, with the sign-in's second step in front of it.

A signed-in staff account whose second factor is still pending (see second_factor.py) has
no permission on any admin page; the sign-in page sends it on to give its code, or to
enrol, and back to the page it asked for."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from undersigned.audit.models import record

from . import second_factor, views
from .forms import ThrottledLoginForm


class StaffAdminSite(admin.AdminSite):
    site_header = site_title = format_lazy(_("{site} staff"), site=settings.SITE_NAME)
    login_form = ThrottledLoginForm

    def has_permission(self, request):
        return super().has_permission(request) and second_factor.pending(request) is None

    def login(self, request, extra_context=None):
        step = request.user.is_authenticated and second_factor.pending(request)
        if step:
            where = reverse(f"admin:second_factor_{step}", current_app=self.name)
            next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
            return redirect(f"{where}?{urlencode({'next': next_url})}")
        return super().login(request, extra_context)

    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            record(request.user, "account.password_changed", request.user)
        return response

    def get_urls(self):
        def page(view):
            return views.staff_page(self, view)

        return [
            path("second-factor/", page(views.overview), name="second_factor"),
            path("second-factor/verify/", page(views.verify), name="second_factor_verify"),
            path("second-factor/enrol/", page(views.overview), name="second_factor_enrol"),
            path("second-factor/app/", page(views.add_app), name="second_factor_app"),
            path("second-factor/key/", page(views.add_key), name="second_factor_key"),
            path("second-factor/codes/", page(views.new_codes), name="second_factor_codes"),
            path(
                "second-factor/remove/<str:kind>/<str:pk>/",
                page(views.remove),
                name="second_factor_remove",
            ),
            *super().get_urls(),
        ]

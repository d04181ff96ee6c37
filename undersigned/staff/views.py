"""The sign-in's second step and a staff account's own second factors: give a code, add an
authenticator app or a security key, make new backup codes, remove a device."""

from functools import wraps

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from undersigned.audit.models import record

from . import access, logins, second_factor
from .forms import CODE, failed, refused
from .second_factor import ENROL, VERIFY

NEW_APP = "second_factor_new_app"
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        # Arabic keyboards type Eastern Arabic (or Persian) digits: read them as 0-9.
        code = "".join(self.cleaned_data["code"].split()).lower().translate(DIGITS)
        if not (code.isascii() and code.isalnum()):
            raise forms.ValidationError(_("Type the code with its digits and letters only."))
        return code


def staff_page(site, view):
    """A page of the sign-in's second step: for signed-in staff, pending or not."""

    @never_cache
    @csrf_protect
    @wraps(view)
    def page(request, *args, **kwargs):
        if not access.is_staff(request.user):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        step = second_factor.pending(request)
        context = {
            **site.each_context(request),
            "step": step,
            "next_url": next_url(request),
        }
        if step:
            context["available_apps"] = []
        return view(request, context, *args, **kwargs)

    return page


def next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if allowed else reverse("admin:index")


def to_verify(context):
    return redirect(
        f"{reverse('admin:second_factor_verify')}?{urlencode({'next': context['next_url']})}"
    )


def overview(request, context):
    if context["step"] == VERIFY:
        return to_verify(context)
    user = request.user
    context.update(
        title=gettext("Two-step sign-in"),
        apps=TOTPDevice.objects.filter(user=user, confirmed=True),
        keys=WebAuthnCredential.objects.filter(user=user, confirmed=True),
        codes_left=second_factor.backup_codes_left(user),
        must_enrol=context["step"] == ENROL,
        required=second_factor.required(user),
    )
    return TemplateResponse(request, "staff/second_factor/overview.html", context)


def verify(request, context):
    if context["step"] != VERIFY:
        return redirect(context["next_url"])
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        wait = logins.wait_seconds(request, username)
        if wait:
            form.add_error("code", refused(request, username, CODE, wait))
        elif device := match_token(user, form.cleaned_data["code"]):
            return verified(request, device, context["next_url"])
        else:
            failed(request, username, CODE)
            form.add_error("code", wrong_code())
    context.update(
        title=gettext("Give your code"),
        form=form,
        has_app=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        has_key=WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
    )
    return TemplateResponse(request, "staff/second_factor/verify.html", context)


def verified(request, device, next_page):
    otp_login(request, device)
    logins.forget_account(request, request.user.get_username())
    record(request.user, "second_factor.verified", kind=second_factor.kind_of(device))
    if isinstance(device, StaticDevice):
        left = second_factor.backup_codes_left(request.user)
        messages.warning(request, codes_left_message(left))
    return redirect(next_page)


def codes_left_message(left: int) -> str:
    return ngettext(
        "You used a backup code: %(count)s is left. Make new ones on your two-step sign-in page.",
        "You used a backup code: %(count)s are left. Make new ones on your two-step sign-in page.",
        left,
    ) % {"count": left}


def wrong_code() -> str:
    return gettext(
        "That code is not right, or it was already used. Type the newest code your app shows, "
        "or one of your backup codes."
    )


def add_app(request, context):
    if context["step"] == VERIFY:
        return to_verify(context)
    user = request.user
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get(NEW_APP)
    ).first()
    if device is None:
        device = second_factor.start_app(user)
        request.session[NEW_APP] = device.pk
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.confirm_app(device, form.cleaned_data["code"]):
            del request.session[NEW_APP]
            return added(request, context, device)
        form.add_error("code", wrong_code())
    secret = device.config_url.split("secret=")[1].split("&")[0]
    context.update(
        title=gettext("Add an authenticator app"),
        form=form,
        # segno draws only paths from the URL's bits: no text of ours reaches the markup
        qr_code=mark_safe(segno.make(device.config_url).svg_inline(scale=4, border=2)),  # noqa: S308
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )
    return TemplateResponse(request, "staff/second_factor/add_app.html", context)


def added(request, context, device):
    """A second factor was added: this session is verified with it, every other one ends,
    and a first device comes with backup codes."""
    user = request.user
    otp_login(request, device)
    record(user, "second_factor.added", kind=second_factor.kind_of(device))
    second_factor.end_other_sessions(user, request.session.session_key)
    codes = None
    if not second_factor.backup_codes_left(user):
        codes = second_factor.make_backup_codes(user, settings.BACKUP_CODES)
    messages.success(request, gettext("Your second factor is ready."))
    if codes is None:
        return redirect(context["next_url"])
    return show_codes(request, context, codes)


def show_codes(request, context, codes):
    context.update(title=gettext("Your backup codes"), codes=codes, step=None)
    return TemplateResponse(request, "staff/second_factor/codes.html", context)


def add_key(request, context):
    if context["step"] == VERIFY:
        return to_verify(context)
    context.update(title=gettext("Add a security key"))
    return TemplateResponse(request, "staff/second_factor/add_key.html", context)


def new_codes(request, context):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not (request.user.is_verified() and second_factor.enrolled(request.user)):
        return redirect("admin:second_factor")
    codes = second_factor.make_backup_codes(request.user, settings.BACKUP_CODES)
    record(request.user, "backup_codes.renewed", count=len(codes))
    return show_codes(request, context, codes)


DEVICE_KINDS = {"app": TOTPDevice, "key": WebAuthnCredential}


def remove(request, context, kind, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    model = DEVICE_KINDS.get(kind)
    pk = access.parse_pk(pk)
    if model is None or pk is None or not request.user.is_verified():
        raise Http404
    device = model.objects.filter(user=request.user, pk=pk).first()
    if device is None:
        raise Http404
    second_factor.remove(request.user, device, request)
    messages.success(request, gettext("The device was removed."))
    return redirect("admin:second_factor")


class RegisterSecurityKey(CompleteCredentialRegistrationView):
    """The library's registration, on the record, and ending the account's other sessions."""

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            user = self.request.user
            record(user, "second_factor.added", kind="security_key")
            second_factor.end_other_sessions(user, self.request.session.session_key)
        return response


class VerifySecurityKey(CompleteCredentialAuthenticationView):
    """The library's second step with a security key, on the record; back to the admin."""

    def complete_auth(self, device):
        super().complete_auth(device)
        if self.request.user.is_verified():
            logins.forget_account(self.request, self.request.user.get_username())
            record(self.request.user, "second_factor.verified", kind="security_key")

    def get_success_url(self):
        return self.get_redirect_url() or reverse("admin:index")

"""The security-key ceremonies (django-otp-webauthn's JSON endpoints), with registration and
verification on the record. The namespace is the library's: its script tags reverse it."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn

from .views import RegisterSecurityKey, VerifySecurityKey

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        webauthn.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        RegisterSecurityKey.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        webauthn.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        VerifySecurityKey.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]

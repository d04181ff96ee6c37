from django import forms
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django_countries import countries

from undersigned.protection.crypto import email_digest

from .models import Row, SafeRow

COUNTRY_CODES = frozenset(countries.countries)


def constant(request):
    return HttpResponse("ok")


@csrf_exempt
def insert(request):
    Row.objects.create(value=request.POST.get("value", "x")[:100])
    return HttpResponse("ok", status=201)


class SafeForm(forms.Form):
    name = forms.CharField(max_length=100)
    email = forms.EmailField()
    country = forms.CharField(max_length=2)

    def clean_country(self):
        if self.cleaned_data["country"] not in COUNTRY_CODES:
            raise forms.ValidationError("Unknown country.")
        return self.cleaned_data["country"]


def safe_insert(request):
    """The CSRF check (the middleware: this view is not exempt), a validated three-field form,
    and one row with an encrypted column and a unique keyed digest: the costs that make a
    signature safe, without the rest of signing."""
    form = SafeForm(request.POST)
    if request.method != "POST" or not form.is_valid():
        return HttpResponseBadRequest("invalid")
    data = form.cleaned_data
    SafeRow.objects.create(
        name=data["name"],
        email=data["email"],
        email_digest=email_digest(data["email"]),
        country=data["country"],
    )
    return HttpResponse("ok", status=201)

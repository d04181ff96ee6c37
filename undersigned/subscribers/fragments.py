"""The "receive updates by email" form where other pages show it: the home page (choose the
organisation), a letter's page and a post (the organisation that publishes it); and, on the
staff's delivery overview, "Email it to the signers" beside each response of a petition."""

from django.template.loader import render_to_string

from undersigned.staff import access

from .forms import SignUpForm
from .models import Update


def sign_up_form(request, organisation=None, source: str = "") -> str:
    form = SignUpForm(organisation=organisation, initial={"source": source})
    context = {"form": form, "organisation": organisation}
    return render_to_string("subscribers/_sign_up.html", context, request=request)


def letter_sign_up(request, action) -> str:
    if request is None or getattr(action, "kind", "") != "letter":
        return ""  # petitions keep their own opt-in in the signing form
    return sign_up_form(request, action.organiser, source=f"letter:{action.slug}")


def home_sign_up(request, _obj) -> str:
    if request is None:
        return ""
    return sign_up_form(request, None, source="home")


def response_emailing(request, response) -> str:
    """The button that writes the update about a response (or the link to the one made)."""
    if request is None or response.delivery.petition_id is None:
        return ""
    if not access.may(request.user, "subscribers.add_update", response):
        return ""
    context = {"response": response, "update": Update.objects.filter(response=response).first()}
    return render_to_string("subscribers/admin/_response_emailing.html", context, request=request)

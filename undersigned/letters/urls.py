from django.urls import path

from . import embed, views

app_name = "letters"

urlpatterns = [
    path("<slug:slug>/", views.letter_detail, name="detail"),
    path("<slug:slug>/endorse/", views.endorse, name="endorse"),
    path("<slug:slug>/endorse/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/endorse/confirmed/", views.confirmed, name="confirmed"),
    path("<slug:slug>/pdf/", views.pdf, name="pdf"),
    path("consent/<str:token>/", views.consent, name="consent"),
    path("<slug:slug>/embed/", embed.embed, name="embed"),
    path("<slug:slug>/embed/thanks/", embed.embed_thanks, name="embed-thanks"),
]

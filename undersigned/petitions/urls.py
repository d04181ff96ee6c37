from django.urls import path

from . import embed, views

app_name = "petitions"

urlpatterns = [
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/messages/", views.messages, name="messages"),
    path("<slug:slug>/thanks/resend/", views.resend, name="resend"),
    path("<slug:slug>/share/<str:channel>/", views.share, name="share"),
    path("<slug:slug>/embed/", embed.embed, name="embed"),
    path("<slug:slug>/embed/thanks/", embed.embed_thanks, name="embed-thanks"),
    path("<slug:slug>/badge.svg", embed.badge, name="badge"),
]

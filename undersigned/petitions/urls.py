from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/thanks/resend/", views.resend, name="resend"),
    path("<slug:slug>/share/<str:channel>/", views.share, name="share"),
]

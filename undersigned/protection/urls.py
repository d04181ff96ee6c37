from django.urls import path

from . import views

app_name = "protection"

urlpatterns = [
    path("challenge/", views.challenge, name="challenge"),
]

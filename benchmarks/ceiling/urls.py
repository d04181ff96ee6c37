from django.urls import path

from . import views

urlpatterns = [
    path("constant", views.constant),
    path("insert", views.insert),
    path("safe-insert", views.safe_insert),
]

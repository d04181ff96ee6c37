from django.urls import path

from . import views

app_name = "supporters"

urlpatterns = [
    path("", views.request_link, name="request_link"),
    path("<str:token>/", views.my_data, name="my_data"),
    path("<str:token>/download/", views.download, name="download"),
    path("<str:token>/erase/", views.erase, name="erase"),
    path(
        "<str:token>/visibility/<int:signature_id>/",
        views.change_visibility,
        name="change_visibility",
    ),
    path("<str:token>/stop-updates/", views.stop_updates, name="stop_updates"),
]

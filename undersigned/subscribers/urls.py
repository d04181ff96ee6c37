from django.urls import path

from . import views

app_name = "subscribers"

urlpatterns = [
    path("", views.sign_up, name="sign_up"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

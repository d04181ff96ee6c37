from django.urls import path

from . import views
from .feeds import LatestPosts

app_name = "news"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("feed/", LatestPosts(), name="feed"),
    path("<slug:slug>/", views.post_detail, name="detail"),
    path("<slug:slug>/pdf/", views.post_pdf_view, name="pdf"),
]

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.public_page, name="transparency"),
    path("<slug:table>.csv", views.public_csv, name="csv"),
    path("digifin.json", views.public_json, name="json"),
]

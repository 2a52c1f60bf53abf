from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("min-organisasjon/", views.my_organisation, name="my_organisation"),
    path("oversikt/", views.staff_member_list, name="staff_member_list"),
]

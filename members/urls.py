from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("min-organisasjon/", views.my_organisation, name="my_organisation"),
    path(
        "min-organisasjon/bekreft-deltakelse/",
        views.confirm_participation,
        name="confirm_participation",
    ),
    path("oversikt/", views.staff_member_list, name="staff_member_list"),
    path("oversikt/<int:pk>/", views.staff_member_detail, name="staff_member_detail"),
    path(
        "oversikt/andeler-<str:structure>.<str:fmt>",
        views.contribution_table_export,
        name="contribution_table_export",
    ),
]

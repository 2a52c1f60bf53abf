from django.urls import path

from . import user_invitations, views

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
        "oversikt/<int:pk>/epost/<slug:answer>/",
        views.record_email_answer,
        name="record_email_answer",
    ),
    path(
        "oversikt/epost-dokument/<int:pk>/",
        views.correspondence_download,
        name="correspondence_download",
    ),
    path("oversikt/invitasjoner/", views.invitations_confirm, name="invitations_confirm"),
    path("oversikt/invitasjoner/send/", views.invitations_send_view, name="invitations_send"),
    path("brukerinvitasjoner/", user_invitations.user_invitations, name="user_invitations"),
    path(
        "brukerinvitasjoner/<int:pk>/trekk-tilbake/",
        user_invitations.user_invitation_revoke,
        name="user_invitation_revoke",
    ),
    path(
        "oversikt/andeler-<str:structure>.<str:fmt>",
        views.contribution_table_export,
        name="contribution_table_export",
    ),
]

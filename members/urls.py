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
        "oversikt/enhetsregisteret/",
        views.register_refresh_list,
        name="register_refresh_list",
    ),
    path(
        "oversikt/enhetsregisteret/hent/",
        views.register_refresh_start_view,
        name="register_refresh_start",
    ),
    path(
        "oversikt/enhetsregisteret/<int:pk>/",
        views.register_refresh_detail,
        name="register_refresh_detail",
    ),
    path(
        "oversikt/enhetsregisteret/<int:pk>/bruk/",
        views.register_refresh_apply_view,
        name="register_refresh_apply",
    ),
    path(
        "oversikt/andeler-<str:structure>.<str:fmt>",
        views.contribution_table_export,
        name="contribution_table_export",
    ),
]

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("forslag/", views.my_proposals, name="my_proposals"),
    path("forslag/ny/", views.proposal_create_view, name="proposal_create"),
    path("forslag/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("forslag/<int:pk>/rediger/", views.proposal_edit, name="proposal_edit"),
    path("forslag/<int:pk>/vedlegg/", views.attachment_upload, name="attachment_upload"),
    path("forslag/<int:pk>/bekreft/", views.coapplicant_confirm_view, name="coapplicant_confirm"),
    path(
        "forslag/<int:pk>/handling/<slug:name>/",
        views.proposal_transition,
        name="proposal_transition",
    ),
    path("forslag/<int:pk>/versjon/<int:version>/", views.snapshot_detail, name="snapshot_detail"),
    path("vedlegg/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("vedlegg/<int:pk>/slett/", views.attachment_delete_view, name="attachment_delete"),
    path("kvalifisering/", views.staff_list, name="staff_list"),
    path("kvalifisering/eksport.csv", views.staff_export, name="staff_export"),
    path("kvalifisering/<int:pk>/", views.qualification, name="qualification"),
]

from . import views_council  # noqa: E402

urlpatterns += [
    path("radet/", views_council.council_queue, name="council_queue"),
    path("radet/mote/ny/", views_council.meeting_create_view, name="meeting_create"),
    path("radet/mote/<int:pk>/sak/", views_council.agenda_add_view, name="agenda_add"),
    path("radet/mote/<int:pk>/lukk/", views_council.meeting_close_view, name="meeting_close"),
    path(
        "radet/mote/<int:pk>/sakskart/",
        views_council.meeting_agenda_create_view,
        name="meeting_agenda_create",
    ),
    path(
        "radet/dokument/<int:pk>/",
        views_council.meeting_document_download,
        name="meeting_document",
    ),
    path("radet/sak/<int:pk>/", views_council.council_item, name="council_item"),
    path("beslutning/<int:pk>/", views_council.decision, name="decision"),
    path("portefolje/", views_council.portfolio, name="portfolio"),
    path("portefolje/<int:pk>/", views_council.project_detail, name="project_detail"),
    path(
        "utbetalingsanmodning/<int:pk>/vedlegg/",
        views_council.payment_attachment,
        name="payment_attachment",
    ),
]

from . import views_grants  # noqa: E402

urlpatterns += [
    path("portefolje/<int:pk>/tilsagn/", views_grants.grant_detail, name="grant_detail"),
]

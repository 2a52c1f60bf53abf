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

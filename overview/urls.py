from django.urls import path

from . import views

app_name = "overview"

urlpatterns = [
    path("", views.fund_overview, name="fund_overview"),
    path("eksport/<slug:table>.<slug:fmt>", views.overview_export, name="overview_export"),
    path("gevinster/", views.benefits, name="benefits"),
    path("gevinster/eksport.<slug:fmt>", views.benefits_export, name="benefits_export"),
    path("rapporter/", views.report_list, name="reports"),
    path("rapporter/arsrapport-<int:year>.pdf", views.annual_report_pdf, name="annual_report_pdf"),
    path("rapporter/kmd-midler.<slug:fmt>", views.kmd_report, name="kmd_report"),
    path("avstemming/", views.reconciliation, name="reconciliation"),
    path("prognose/", views.scenario_list, name="scenario_list"),
    path("prognose/ny/", views.scenario_create, name="scenario_create"),
    path("prognose/sammenlign/", views.scenario_compare, name="scenario_compare"),
    path(
        "prognose/sammenlign.<slug:fmt>",
        views.scenario_compare_export,
        name="scenario_compare_export",
    ),
    path("prognose/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("prognose/<int:pk>/endre/", views.scenario_edit, name="scenario_edit"),
    path("prognose/<int:pk>/slett/", views.scenario_delete, name="scenario_delete"),
    path("prognose/<int:pk>/eksport.<slug:fmt>", views.scenario_export, name="scenario_export"),
]

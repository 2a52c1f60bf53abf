from django.urls import path

from . import views

app_name = "repayments"

urlpatterns = [
    # Municipal portal
    path("", views.solution_list, name="solution_list"),
    path("<int:pk>/", views.solution_detail, name="solution_detail"),
    path("<int:pk>/tilgang/", views.access_request, name="access_request"),
    path("avtaler/<int:pk>/avslutt/", views.access_leave, name="access_leave"),
    # KS staff
    path("ks/", views.staff_solution_list, name="staff_solution_list"),
    path("ks/ny/", views.staff_solution_form, name="staff_solution_create"),
    path("ks/<int:pk>/", views.staff_solution_detail, name="staff_solution_detail"),
    path("ks/<int:pk>/endre/", views.staff_solution_form, name="staff_solution_edit"),
    path("ks/<int:pk>/prismodell/", views.staff_price_model, name="staff_price_model"),
    path("ks/<int:pk>/forhandsvisning/", views.staff_price_preview, name="staff_price_preview"),
    path("ks/<int:pk>/publiser/", views.staff_publish, name="staff_publish"),
    path("ks/<int:pk>/fdvu/", views.staff_fdvu_allocate, name="staff_fdvu_allocate"),
    path("ks/fdvu/<int:pk>/faktura/", views.staff_fdvu_invoice, name="staff_fdvu_invoice"),
    path("ks/avtaler/<int:pk>/faktura/", views.staff_fee_invoice, name="staff_fee_invoice"),
    path("ks/avtaler/<int:pk>/refusjon/", views.staff_fee_refund, name="staff_fee_refund"),
    path("ks/gjenvinning/", views.staff_recovery, name="staff_recovery"),
    path("ks/tilbakebetaling/", views.staff_capital_repayment, name="staff_capital_repayment"),
]

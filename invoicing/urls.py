from django.urls import path

from . import views

app_name = "invoicing"

urlpatterns = [
    path("", views.my_invoices, name="my_invoices"),
    path("<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("<int:pk>/ehf/", views.invoice_ehf, name="invoice_ehf"),
    path("<int:pk>/betaling/", views.payment_register, name="payment_register"),
    path("<int:pk>/krediter/", views.invoice_credit, name="invoice_credit"),
    path("dokumenter/<int:pk>/", views.document_download, name="document_download"),
    path("fakturering/", views.staff_overview, name="staff_overview"),
    path("fakturering/start/", views.batch_start, name="batch_start"),
    path("fakturering/bankfil/", views.bank_import, name="bank_import"),
    path("fakturering/innbetaling/<int:pk>/", views.payment_resolve, name="payment_resolve"),
    path("jobber/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobber/<int:pk>/status/", views.job_progress, name="job_progress"),
    path("jobber/<int:pk>/fortsett/", views.job_resume, name="job_resume"),
    path("jobber/<int:pk>/zip/", views.job_zip, name="job_zip"),
    path("brev/", views.letters, name="letters"),
    path("brev/forhandsvis/", views.letter_preview, name="letter_preview"),
]

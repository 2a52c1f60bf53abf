from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import errors, views

admin.site.site_header = _("DigiFin – KS")
admin.site.site_title = _("DigiFin")
admin.site.index_title = _("Administrasjon av fondet")

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("oppgaver/", views.my_tasks, name="my_tasks"),
    path("tilgjengelighet/", views.accessibility_statement, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("accounts.urls")),
    path("medlemmer/", include("members.urls")),
    path("prosjekter/", include("projects.urls")),
    path("losninger/", include("repayments.urls")),
    path("fakturaer/", include("invoicing.urls")),
    path("fondet/", include("overview.urls")),
    path("apenhet/", include("overview.public_urls")),
    path("admin/", admin.site.urls),
]

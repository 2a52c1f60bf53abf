from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "is_council_chair")
    search_fields = ("username", "first_name", "last_name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("DigiFin"), {"fields": ("role", "organisation", "phone", "is_council_chair")}),
    )

    @admin.display(description=_("Navn"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()


# django-otp's TOTP device admin, with Norwegian help texts and section titles (django-otp has
# none to translate; the field labels come from digifin/labels.py).
TOTP_HELP_TEXTS = {
    "user": _("Brukeren enheten tilhører."),
    "name": _("Et navn som skiller enhetene fra hverandre, for eksempel «Mobil»."),
    "confirmed": _("Om enheten er klar til bruk."),
    "key": _("Hemmelig nøkkel, heksadesimal, inntil 40 byte."),
    "step": _("Tidssteget i sekunder."),
    "t0": _("Unix-tiden tellingen av tidssteg starter fra."),
    "digits": _("Antall sifre i en kode."),
    "tolerance": _("Antall tidssteg før eller etter som godtas."),
    "drift": _("Antall tidssteg enhetens klokke går foran eller etter vår."),
    "last_t": _("Tidssteget til siste godkjente kode; neste kode må ha et senere tidssteg."),
    "throttling_failure_timestamp": _(
        "Tidspunktet for siste mislykkede forsøk; tomt om det lyktes."
    ),
    "throttling_failure_count": _("Antall mislykkede forsøk på rad."),
    "created_at": _("Da enheten ble lagt inn."),
    "last_used_at": _("Da enheten sist ble brukt."),
}
TOTP_SECTIONS = {
    "Identity": _("Enhet"),
    "Timestamps": _("Tidspunkter"),
    "Configuration": _("Oppsett"),
    "State": _("Tilstand"),
    "Throttling": _("Sperring etter mislykkede forsøk"),
}


class NorwegianTOTPDeviceAdmin(TOTPDeviceAdmin):
    search_help_text = _("Søk på brukernavn eller e-postadresse.")
    # The two timestamps are shown through methods: a read-only model field would show
    # django-otp's English help text.
    readonly_fields = ["created", "last_used", "qrcode_link"]

    @admin.display(description=_("opprettet"))
    def created(self, obj):
        return (
            date_format(localtime(obj.created_at), "SHORT_DATETIME_FORMAT")
            if obj.created_at
            else "–"
        )

    @admin.display(description=_("sist brukt"))
    def last_used(self, obj):
        return (
            date_format(localtime(obj.last_used_at), "SHORT_DATETIME_FORMAT")
            if obj.last_used_at
            else "–"
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in TOTP_HELP_TEXTS:
            formfield.help_text = TOTP_HELP_TEXTS[db_field.name]
        return formfield

    def get_fieldsets(self, request, obj=None):
        shown = {"created_at": "created", "last_used_at": "last_used"}
        return [
            (
                TOTP_SECTIONS.get(title, title),
                {**options, "fields": [shown.get(f, f) for f in options["fields"]]},
            )
            for title, options in super().get_fieldsets(request, obj)
        ]


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, NorwegianTOTPDeviceAdmin)

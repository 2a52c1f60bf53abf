from django.contrib import admin

from .models import CapitalCommitment, LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are written through digifin.services, corrected by reversal."""

    list_display = ("occurred_on", "kind", "source", "amount", "member", "description")
    list_filter = ("kind", "source", "occurred_on")
    search_fields = ("description", "member__name", "member__number")
    date_hierarchy = "occurred_on"
    list_select_related = ("member",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CapitalCommitment)
class CapitalCommitmentAdmin(admin.ModelAdmin):
    list_display = ("source", "year", "amount", "is_ceiling", "reference")
    list_filter = ("source", "year")

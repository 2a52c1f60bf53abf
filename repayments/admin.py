from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccessAgreement,
    AccessEvent,
    CapitalRepayment,
    FdvuPeriod,
    FdvuShare,
    PriceModel,
    Solution,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money rows change only through repayments/services.py (which also writes the ledger)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Solution)
class SolutionAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["name", "audience", "development_cost", "available_on", "is_published"]
    list_filter = ["is_published", "audience", "fdvu_key"]
    search_fields = ["name"]


@admin.register(PriceModel)
class PriceModelAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["solution", "kind"]


class AccessEventInline(admin.TabularInline):
    model = AccessEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "note", "actor"]


@admin.register(AccessAgreement)
class AccessAgreementAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["solution", "member", "status", "fee_amount", "fee_status", "activated_on"]
    list_filter = ["status", "fee_status", "solution"]
    search_fields = ["member__name", "member__number"]
    inlines = [AccessEventInline]


class FdvuShareInline(admin.TabularInline):
    model = FdvuShare
    extra = 0
    can_delete = False
    readonly_fields = ["member", "population", "amount", "invoice_id"]
    exclude = ["agreement"]


@admin.register(FdvuPeriod)
class FdvuPeriodAdmin(ReadOnlyAdmin):
    list_display = ["solution", "year", "total_cost", "key", "status"]
    inlines = [FdvuShareInline]


@admin.register(CapitalRepayment)
class CapitalRepaymentAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "amount", "reference", "confirmed_by"]

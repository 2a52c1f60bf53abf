from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin_lists import QuickRowCheckbox

from .models import (
    BankImport,
    BatchJob,
    Document,
    Invoice,
    InvoiceLine,
    OutgoingEmail,
    Payment,
    Reminder,
)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(QuickRowCheckbox, SimpleHistoryAdmin):
    """Read-only: invoices are issued through the services and corrected by credit notes."""

    list_display = ["number", "buyer_name", "kind", "issued_on", "due_on", "total", "status"]
    list_filter = ["kind", "document_type", "status", "year"]
    search_fields = ["number", "kid", "buyer_name", "fakturareferanse"]
    inlines = [InvoiceLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(QuickRowCheckbox, SimpleHistoryAdmin):
    list_display = ["paid_on", "amount", "kid", "invoice", "source", "resolved"]
    list_filter = ["source", "resolved"]
    search_fields = ["kid", "payer", "reference"]
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(BatchJob)
class BatchJobAdmin(admin.ModelAdmin):
    list_display = ["kind", "started_at", "started_by", "finished_at"]


for model in (BankImport, Document, OutgoingEmail, Reminder):
    admin.site.register(model)

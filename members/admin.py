from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Member, Participation, ParticipationEvent


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("number", "name", "kind", "orgnr", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("number", "name", "orgnr")


class ParticipationEventInline(admin.TabularInline):
    model = ParticipationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Participation)
class ParticipationAdmin(SimpleHistoryAdmin):
    list_display = ("member", "status", "share_amount", "decided_on", "invoiced_on", "paid_on")
    list_filter = ("status",)
    search_fields = ("member__name", "member__number", "fakturareferanse")
    readonly_fields = ("status",)
    inlines = [ParticipationEventInline]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Attachment,
    BenefitYear,
    CoApplicant,
    ContactPerson,
    CostYear,
    Grant,
    GrantTransition,
    Proposal,
    ProposalSnapshot,
    ProposalTransition,
    QualificationAnswer,
    QualificationCriterion,
    StandardCondition,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyInline):
    model = ProposalTransition
    fields = ["at", "name", "from_status", "to_status", "actor", "comment"]
    readonly_fields = fields


class CoApplicantInline(admin.TabularInline):
    model = CoApplicant
    extra = 0


class CostInline(admin.TabularInline):
    model = CostYear
    extra = 0


class BenefitInline(admin.TabularInline):
    model = BenefitYear
    extra = 0


class ContactInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    """The state is changed only through the portal's workflow (one table, logged)."""

    list_display = ["reference", "title", "lead_member", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "reference", "lead_member__name", "company_name"]
    readonly_fields = ["status", "reference", "version", "submitted_at", "created_by"]
    raw_id_fields = ["lead_member"]
    inlines = [CoApplicantInline, CostInline, BenefitInline, ContactInline, TransitionInline]


@admin.register(QualificationCriterion)
class QualificationCriterionAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "source", "text", "active"]
    list_editable = ["active"]


admin.site.register(Attachment, list_display=["original_name", "proposal", "content_type", "size"])
admin.site.register(ProposalSnapshot, list_display=["proposal", "version", "created_at"])
admin.site.register(QualificationAnswer, list_display=["proposal", "criterion", "answer"])


@admin.register(StandardCondition)
class StandardConditionAdmin(admin.ModelAdmin):
    """The standard grant conditions KS edits; approval copies the active ones onto the grant."""

    list_display = ["position", "title", "active"]
    list_editable = ["active"]


class GrantTransitionInline(ReadOnlyInline):
    model = GrantTransition
    fields = ["at", "name", "from_status", "to_status", "actor", "comment"]
    readonly_fields = fields


@admin.register(Grant)
class GrantAdmin(SimpleHistoryAdmin):
    """Read-only: the grant changes only through its workflow (projects/services/grants.py)."""

    list_display = ["project", "amount", "status", "decided_on", "accept_by"]
    list_filter = ["status"]
    search_fields = ["project__title", "proposal_reference", "council_case"]
    inlines = [GrantTransitionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

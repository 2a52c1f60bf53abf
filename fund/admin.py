import datetime

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.admin_lists import QuickRowCheckbox
from core.exports import csv_response, xlsx_response
from core.money import format_nok

from .models import CapitalCommitment, LedgerEntry
from .selectors import ledger_cached, paid_in_by_source

LEDGER_COLUMNS = [
    ("occurred_on", _("dato")),
    ("kind", _("type")),
    ("source", _("kilde")),
    ("amount", _("beløp")),
    ("member", _("medlem")),
    ("description", _("tekst")),
    ("reverses_id", _("reverserer")),
    ("recorded_by", _("registrert av")),
    ("recorded_at", _("registrert")),
]


def _ledger_rows(queryset):
    for e in queryset.select_related("member", "recorded_by"):
        yield [
            e.occurred_on,
            e.get_kind_display(),
            e.get_source_display(),
            e.amount,  # a number in both formats, outflows negative
            str(e.member) if e.member else "",
            e.description,
            e.reverses_id,
            e.recorded_by.get_username() if e.recorded_by else "",
            e.recorded_at.strftime("%Y-%m-%d %H:%M"),
        ]


def _ledger_header():
    return [label for _f, label in LEDGER_COLUMNS]


@admin.action(description=_("Eksporter valgte til CSV"))
def export_ledger_csv(modeladmin, request, queryset):
    return csv_response("fondsregnskap.csv", _ledger_header(), _ledger_rows(queryset))


@admin.action(description=_("Eksporter valgte til Excel (XLSX)"))
def export_ledger_xlsx(modeladmin, request, queryset):
    return xlsx_response(
        "fondsregnskap.xlsx", _ledger_header(), _ledger_rows(queryset), title=_("Posteringer")
    )


class DirectionFilter(admin.SimpleListFilter):
    title = _("retning")
    parameter_name = "retning"

    def lookups(self, request, model_admin):
        return [("inn", _("Inn i fondet")), ("ut", _("Ut av fondet"))]

    def queryset(self, request, queryset):
        if self.value() == "inn":
            return queryset.filter(amount__gt=0)
        if self.value() == "ut":
            return queryset.filter(amount__lt=0)
        return queryset


class ReversedFilter(admin.SimpleListFilter):
    title = _("korrigering")
    parameter_name = "korrigert"

    def lookups(self, request, model_admin):
        return [("ja", _("Reversert")), ("nei", _("Ikke reversert"))]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.filter(reversed_by__isnull=False)
        if self.value() == "nei":
            return queryset.filter(reversed_by__isnull=True)
        return queryset


class YearFilter(admin.SimpleListFilter):
    """Booking year, from the first to the last entry: two index look-ups (MIN and MAX), where
    `date_hierarchy` would scan the whole ledger for its DISTINCT years on every page view."""

    title = _("år")
    parameter_name = "aar"

    def lookups(self, request, model_admin):
        span = model_admin.model.objects.aggregate(
            first=Min("occurred_on"), last=Max("occurred_on")
        )
        if span["first"] is None:
            return []
        return [(str(y), str(y)) for y in range(span["last"].year, span["first"].year - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            year = int(value)
            start = datetime.date(year, 1, 1)
        except ValueError:
            return queryset.none()
        # A range, not __year, so the (occurred_on, id) index serves it.
        return queryset.filter(occurred_on__gte=start, occurred_on__lt=start.replace(year=year + 1))


class CountAndSumPaginator(Paginator):
    """The change list's count and the title's sum in one pass over the (filtered) entries."""

    @cached_property
    def totals(self):
        def compute():
            return self.object_list.order_by().aggregate(n=Count("pk"), total=Sum("amount"))

        if self.object_list.query.where:  # filtered or searched: sum what is shown
            return compute()
        # The whole ledger: cached until the next entry (fund.selectors.ledger_cached).
        return ledger_cached("admin_count_and_sum", compute)

    @cached_property
    def count(self):
        return self.totals["n"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(QuickRowCheckbox, admin.ModelAdmin):
    """Read-only: entries are written through fund.services, corrected by reversal."""

    list_display = ("occurred_on", "kind", "source", "amount", "member", "description")
    list_filter = ("kind", "source", DirectionFilter, ReversedFilter, YearFilter, "occurred_on")
    search_fields = (
        "description",
        "member__name",
        "member__number",
        "member__orgnr",
        "idempotency_key",
    )
    list_select_related = ("member",)
    paginator = CountAndSumPaginator
    # Rendering a row (the action checkbox widget, six cells) is what a page costs once the
    # queries are indexed: 50 rows keep the list under 100 ms at 200 000 entries.
    list_per_page = 50
    # The unfiltered count ("of N") would be a second pass over the whole ledger.
    show_full_result_count = False
    actions = [export_ledger_csv, export_ledger_xlsx]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        try:
            paginator = response.context_data["cl"].paginator
        except (AttributeError, KeyError):
            return response
        response.context_data["title"] = _("Fondsregnskap: sum %(total)s kr") % {
            "total": format_nok(paginator.totals["total"] or 0, decimals=True, suffix=False)
        }
        return response

    def get_actions(self, request):
        # Exports are reads: allowed although delete (the default action) is not.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(CapitalCommitment)
class CapitalCommitmentAdmin(admin.ModelAdmin):
    list_display = ("source", "year", "amount", "is_ceiling", "reference", "paid_by_source")
    list_filter = ("source", "year", "is_ceiling")
    search_fields = ("reference", "conditions")
    readonly_fields = ("recorded_by", "recorded_at")

    @admin.display(description=_("innbetalt fra kilden (alle år)"))
    def paid_by_source(self, obj):
        if not hasattr(self, "_paid"):
            self._paid = paid_in_by_source()
        return format_nok(self._paid.get(obj.source, 0), decimals=True)

    def changelist_view(self, request, extra_context=None):
        self._paid = paid_in_by_source()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

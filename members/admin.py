from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin_lists import QuickRowCheckbox
from core.exports import csv_response

from .exports import contribution_table_csv, contribution_table_xlsx
from .forms import PopulationFigureAdminForm, PopulationImportForm, file_fingerprint
from .models import (
    ContributionBasis,
    ContributionRate,
    Member,
    MemberSuccession,
    Participation,
    ParticipationEvent,
    PopulationFigure,
)
from .population_import import PopulationDifferences, PopulationImportError, population_import
from .register import register_refresh_start
from .selectors import STRUCTURE_DATES, members_at
from .services import ParticipationError, participation_decline


class StructureFilter(admin.SimpleListFilter):
    title = _("struktur")
    parameter_name = "struktur"

    def lookups(self, request, model_admin):
        return [(s, s) for s in sorted(STRUCTURE_DATES)]

    def queryset(self, request, queryset):
        if self.value() in STRUCTURE_DATES:
            return queryset.filter(pk__in=members_at(on=STRUCTURE_DATES[self.value()]).values("pk"))
        return queryset


class SuccessorInline(admin.TabularInline):
    model = MemberSuccession
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ("predecessor",)
    verbose_name = _("forgjenger")
    verbose_name_plural = _("forgjengere")


@admin.register(Member)
class MemberAdmin(QuickRowCheckbox, SimpleHistoryAdmin):
    list_display = ("number", "name", "kind", "orgnr", "valid_from", "valid_to", "status")
    list_filter = ("kind", StructureFilter, "participation__status")
    search_fields = ("number", "name", "orgnr")
    list_select_related = ("participation",)
    autocomplete_fields = ("county", "billed_with")
    inlines = [SuccessorInline]
    # What Enhetsregisteret says is read-only here: it changes through a refresh (KS sees the
    # differences first). KS's own målform and the printed address stay editable.
    readonly_fields = (
        "register_name",
        "organisasjonsform",
        "postal_address",
        "postnummer",
        "poststed",
        "register_maalform",
        "register_deleted",
        "register_deleted_on",
        "register_bankrupt",
        "register_winding_up",
        "refreshed_at",
    )
    actions = ["refresh_from_register"]
    change_list_template = "members/admin/member_change_list.html"
    # 50 rows a page like the ledger: a row's rendering (checkbox widget, seven cells) is what
    # the page costs; the queries take ~15 ms (docs/bench.md).
    list_per_page = 50

    @admin.action(description=_("Hent valgte fra Enhetsregisteret (vis forskjellene først)"))
    def refresh_from_register(self, request, queryset):
        refresh = register_refresh_start(
            actor=request.user, member_ids=list(queryset.values_list("pk", flat=True))
        )
        return redirect("members:register_refresh_detail", pk=refresh.pk)

    @admin.display(description=_("deltakelse (egen)"))
    def status(self, obj):
        participation = getattr(obj, "participation", None)
        return participation.get_status_display() if participation else "–"

    def get_urls(self):
        urls = [
            path(
                "andeler/<str:structure>.<str:fmt>",
                self.admin_site.admin_view(self.export_view),
                name="members_contribution_table",
            )
        ]
        return urls + super().get_urls()

    def export_view(self, request, structure, fmt):
        if not self.has_view_permission(request) or structure not in STRUCTURE_DATES:
            return redirect("admin:index")
        if fmt == "xlsx":
            response = HttpResponse(
                contribution_table_xlsx(structure=structure),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            fmt = "csv"
            response = HttpResponse(
                contribution_table_csv(structure=structure), content_type="text/csv; charset=utf-8"
            )
        response["Content-Disposition"] = f'attachment; filename="andeler-{structure}.{fmt}"'
        return response

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["structures"] = sorted(STRUCTURE_DATES)
        return super().changelist_view(request, extra_context)


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    list_display = ("member", "period", "population", "table", "source", "imported_at")
    list_filter = ("period", "table", "member__kind")
    search_fields = ("member__name", "member__number", "source")
    list_select_related = ("member",)
    readonly_fields = ("imported_at", "imported_by")
    autocomplete_fields = ("member",)
    form = PopulationFigureAdminForm  # population within core.bounds
    change_list_template = "members/admin/population_change_list.html"

    def get_urls(self):
        return [
            path(
                "importer/",
                self.admin_site.admin_view(self.import_view),
                name="members_population_import",
            )
        ] + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        errors, differences = [], []
        form = PopulationImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["file"].read()
            fingerprint = file_fingerprint(content)
            # Replace stored figures only when KS saw this very file's differences and ticked.
            confirmed = form.cleaned_data["replace"] and form.cleaned_data["confirm"] == fingerprint
            try:
                result = population_import(
                    content=content,
                    actor=request.user,
                    period=form.cleaned_data["period"] or None,
                    source=form.cleaned_data["source"]
                    or f"SSB-fil {form.cleaned_data['file'].name}",
                    replace_basis=form.cleaned_data["replace_basis"],
                    replace=confirmed,
                )
            except PopulationDifferences as exc:
                differences = exc.differences
                form = PopulationImportForm(
                    initial={
                        **{k: form.cleaned_data[k] for k in ("period", "source", "replace_basis")},
                        "confirm": fingerprint,
                    }
                )
            except PopulationImportError as exc:
                errors = exc.errors
            else:
                message = _(
                    "Importert %(n)s tall for %(period)s (tabell %(table)s); "
                    "%(basis)s beregningsgrunnlag erstattet."
                ) % {
                    "n": result.figures,
                    "period": result.period,
                    "table": result.table,
                    "basis": result.bases_replaced,
                }
                messages.success(request, message)
                if result.bases_frozen:
                    messages.warning(
                        request,
                        _("Fakturert, ikke endret: %(members)s")
                        % {"members": ", ".join(result.bases_frozen)},
                    )
                return redirect(reverse("admin:members_populationfigure_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Importer innbyggertall fra SSB"),
            "form": form,
            "errors": errors,
            "differences": differences,
            "opts": self.model._meta,
        }
        status = 400 if errors else 409 if differences else 200
        return render(request, "members/admin/population_import.html", context, status=status)


@admin.register(ContributionBasis)
class ContributionBasisAdmin(admin.ModelAdmin):
    list_display = ("member", "population", "period", "source", "recorded_at")
    list_filter = ("period", "member__kind")
    search_fields = ("member__name", "member__number")
    list_select_related = ("member",)
    autocomplete_fields = ("member",)
    readonly_fields = ("recorded_at", "recorded_by")
    form = PopulationFigureAdminForm  # population within core.bounds
    actions = ["export_csv"]

    @admin.action(description=_("Eksporter valgte til CSV"))
    def export_csv(self, request, queryset):
        return csv_response(
            "beregningsgrunnlag.csv",
            ["nummer", "navn", "type", "innbyggere", "periode", "kilde"],
            (
                [b.member.number, b.member.name, b.member.kind, b.population, b.period, b.source]
                for b in queryset.select_related("member")
            ),
        )

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ContributionRate)
class ContributionRateAdmin(admin.ModelAdmin):
    list_display = ("kind", "per_inhabitant", "valid_from", "reference")


@admin.register(MemberSuccession)
class MemberSuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "changed_on", "fraction", "note")
    list_filter = ("changed_on", "successor__kind")
    search_fields = (
        "predecessor__name",
        "predecessor__number",
        "successor__name",
        "successor__number",
    )
    list_select_related = ("predecessor", "successor")
    autocomplete_fields = ("predecessor", "successor")


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
    list_filter = ("status", "member__kind", "invoiced_on", "paid_on")
    search_fields = ("member__name", "member__number", "fakturareferanse", "decision_reference")
    list_select_related = ("member",)
    readonly_fields = ("status", "share_amount", "invoiced_on", "paid_on")
    autocomplete_fields = ("member",)
    inlines = [ParticipationEventInline]
    actions = ["export_csv", "decline"]

    @admin.action(description=_("Registrer at valgte takket nei"))
    def decline(self, request, queryset):
        done, refused = 0, []
        for participation in queryset.select_related("member"):
            try:
                participation_decline(
                    participation=participation, actor=request.user, note="Registrert av KS"
                )
                done += 1
            except ParticipationError as exc:
                refused.append(f"{participation.member}: {exc}")
        if done:
            messages.success(request, _("%(n)s registrert som «Takket nei».") % {"n": done})
        for text in refused:
            messages.error(request, text)

    @admin.action(description=_("Eksporter valgte til CSV"))
    def export_csv(self, request, queryset):
        return csv_response(
            "deltakelser.csv",
            ["nummer", "navn", "status", "andel", "vedtaksdato", "fakturert", "betalt"],
            (
                [
                    p.member.number,
                    p.member.name,
                    p.status,
                    p.share_amount,
                    p.decided_on,
                    p.invoiced_on,
                    p.paid_on,
                ]
                for p in queryset.select_related("member")
            ),
        )

"""The admin's numbers in the one Norwegian format (issue 20 §3). Django's admin shows a
DecimalField as `25000000,00` and an integer as `699827` (no thousands separator unless it is
switched on for the whole site, which would also group years). At start-up, every ModelAdmin of
our apps gets its money columns as `25 000 000,00 kr` and its population columns as `699 827`,
through core.money.format_nok and core.formatting.format_number, still sortable by the field."""

from types import MethodType

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from core.formatting import format_number, format_orgnr
from core.money import format_nok

APPS = {"accounts", "members", "fund", "projects", "repayments", "invoicing"}


def _money(field):
    def column(obj):
        return format_nok(getattr(obj, field.name), decimals=True)

    return _describe(column, field)


def _count(field):
    def column(obj):
        return format_number(getattr(obj, field.name))

    return _describe(column, field)


def _orgnr(field):
    def column(obj):
        return format_orgnr(getattr(obj, field.name))

    return _describe(column, field)


def _describe(column, field):
    column.short_description = field.verbose_name
    column.admin_order_field = field.name
    column.__name__ = f"{field.name}_formatted"
    return column


def formatted_column(model, name):
    """The formatted column for a list_display entry, or the entry itself."""
    if not isinstance(name, str):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if isinstance(field, models.DecimalField) and field.decimal_places == 2:
        return _money(field)
    if isinstance(field, models.IntegerField) and "population" in field.name:
        return _count(field)
    if field.name.endswith("orgnr"):
        return _orgnr(field)
    return name


def format_admin_numbers(site=admin.site):
    for model, model_admin in site._registry.items():
        if model._meta.app_label not in APPS or getattr(model_admin, "list_editable", None):
            continue
        original = model_admin.get_list_display

        def get_list_display(self, request, _original=original):
            return [formatted_column(self.model, name) for name in _original(request)]

        # Bound to the instance, as a method (the admin's system checks look for __func__).
        model_admin.get_list_display = MethodType(get_list_display, model_admin)

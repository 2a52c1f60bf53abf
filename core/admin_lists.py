"""Admin change lists of many rows: the row checkbox without a template per row.

Django's `ModelAdmin.action_checkbox` renders a `CheckboxInput` through the form renderer, a
template (and its attrs include) per row: a quarter of the ledger and member change lists'
time at 50 rows (docs/bench.md, issue 22). `QuickRowCheckbox` writes the same element with
`format_html`; tests/core/test_admin_lists.py compares it with Django's own output."""

from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext as _


class QuickRowCheckbox:
    """Mixin for a ModelAdmin (before it in the bases): the action checkbox of each row as
    Django renders it, built directly."""

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

from django import template
from django.utils.html import format_html

from core.formatting import format_account_number, format_kid, format_number, format_orgnr
from core.money import format_nok

register = template.Library()


@register.filter
def nok(value):
    """`555 700 kr`"""
    return format_nok(value)


@register.filter
def nok_ore(value):
    """`555 700,00 kr`"""
    return format_nok(value, decimals=True)


_WIDGET_CLASSES = {
    "checkbox": "ds-input",
    "radio": "ds-input",
    "select": "ds-input",
}


@register.simple_tag
def ds_widget(field):
    """Render a form field's widget with Designsystemet classes and the ARIA links to its help
    text and error message (WCAG 1.3.1, 3.3.1)."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None) or (
        "textarea" if widget.__class__.__name__ == "Textarea" else "other"
    )
    attrs = {"class": _WIDGET_CLASSES.get(input_type, "ds-input")}
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}_help")
    if field.errors:
        described.append(f"{field.id_for_label}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def number(value):
    """A population or other count: `699 827`."""
    return format_number(value)


@register.filter
def account_number(value):
    """`1234 56 78903`"""
    return format_account_number(value)


@register.filter
def orgnr(value):
    """`123 456 789`"""
    return format_orgnr(value)


@register.filter
def kid(value):
    """The KID as the bank shows it, marked as digits read on purpose (the crawl's number check
    skips `data-raw-number`)."""
    if not value:
        return ""
    return format_html('<span class="df-ref" data-raw-number>{}</span>', format_kid(value))

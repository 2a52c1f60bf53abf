"""`{% once_token %}`: the hidden one-time token of a form that changes state (accounts/once.py)."""

from django import template
from django.utils.html import format_html

from accounts.once import FIELD, issue_token

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context):
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, issue_token(context["request"].user)
    )

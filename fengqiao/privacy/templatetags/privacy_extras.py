from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def stored_message(value: str) -> str:
    """A message stored as its English id (an export's purpose), in the reader's language."""
    return gettext(value) if value else ""

from django import template
from django.utils.safestring import SafeString

from core.richtext import render_rich_text

register = template.Library()


@register.filter
def rich_text(text: str) -> SafeString:
    """Render Kvarter's rich-but-safe text (core.richtext)."""
    return render_rich_text(text)

from django import template
from django.http import HttpRequest

from venues.models import Venue

from ..views.tablet import remembered_venue_id

register = template.Library()


@register.simple_tag
def tablet_venue_name(request: HttpRequest) -> str:
    """The venue this tablet is remembered for, shown on the sign-in page ("" if none)."""
    venue_id = remembered_venue_id(request)
    if venue_id is None:
        return ""
    return Venue.objects.filter(pk=venue_id).values_list("name", flat=True).first() or ""

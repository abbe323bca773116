"""Template tags of the resident's mediation pages (the /my/ page lists the signed-in resident's bookings)."""

from __future__ import annotations

from django import template

from fengqiao.mediation.bookings import bookings_of

register = template.Library()


@register.simple_tag
def my_bookings(user):
    return bookings_of(user)

"""A booking as a calendar file (RFC 5545, `icalendar`): the visitor adds the session to their phone's calendar."""
from __future__ import annotations

import icalendar
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..models_base import utcnow
from .models import Booking


def ics(booking: Booking, url: str) -> bytes:
    """One event in UTC (every calendar shows it in the phone's own time), with the meeting point, the voucher
    code and the voucher's address; its UID stays the same, so importing it again updates the event."""
    session, product = booking.session, booking.session.product
    english = booking.order.locale == "en"
    name = product.name_en if english and product.name_en else product.name
    meeting = session.meeting_point_en if english and session.meeting_point_en else session.meeting_point_vi
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Cho OCOP//Booking//VI")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"booking-{booking.order.number}@ocop")
    event.add("dtstamp", utcnow())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", name)
    event.add("location", meeting)
    with force_locale(booking.order.locale):
        event.add("description", "\n".join([_("Voucher code: %(code)s", code=booking.code_display),
                                             ngettext("%(num)d person", "%(num)d people", booking.people), url]))
    event.add("url", url)
    if session.state == "cancelled" or booking.state == "cancelled":
        event.add("status", "CANCELLED")
    cal.add_component(event)
    return cal.to_ical()

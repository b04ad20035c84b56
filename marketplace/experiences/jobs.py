"""The experiences' periodic work: visitors whose booked experience lost its OCOP recognition are told."""
from __future__ import annotations

import logging

from ..unit_of_work import run
from . import services

log = logging.getLogger(__name__)


def tell_unlisted_bookings(now=None) -> int:
    """Tell every visitor with a booking to come whose experience is no longer listable, each booking its own
    unit of work (claimed: told once). Answers how many were told."""
    told = 0
    for booking in services.bookings_to_tell(now):
        try:
            told += run(services.tell_unlisted, booking)
        except Exception:  # one booking's trouble must not keep the others untold
            log.exception("booking %s: could not tell the visitor; trying again on the next run", booking.id)
    return told

"""Experiences this week: what the storefront's pages (the home page and /gifts) show a visitor of the
community-tourism sessions of the coming seven days, by province.

Which sessions may be booked is `services.offered` (THE condition is `services.bookable`); this module only
picks the week, leaves out what the page cache could show after its booking closed, and groups by province.

Those pages are kept for guests (pagecache.py): a session scheduled, cancelled or booked, a product unlisted,
advances the catalogue version (experience_sessions is a shown table), and a recognition ending with the day
changes the key. What neither tells is the clock: a session's booking closes BOOKING_CUTOFF_HOURS before it
starts, at any hour, while a kept page lives up to PAGE_CACHE_SECONDS. So a session is shown only if its
booking is still open PAGE_CACHE_SECONDS from now: no kept page offers a session that can no longer be booked.
(The far end of the week may show a new day up to that long late, which misleads nobody.)"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app

from .. import ocop
from ..catalog.services import Listing
from ..models_base import utcnow
from . import services
from .models import ExperienceSession

WEEK = dt.timedelta(days=7)
ALL = 10_000  # sessions of one experience in a week: more than a host can schedule


@dataclass
class Showcased:
    """An experience to book this week and its next sessions (soonest first)."""
    listing: Listing
    sessions: list[ExperienceSession]

    @property
    def price_from(self) -> int:
        """The lowest price per person of the sessions shown."""
        return min(session.price_vnd for session in self.sessions)


@dataclass
class ProvinceWeek:
    """The experiences of one province's hosts this week."""
    code: int
    experiences: list[Showcased] = field(default_factory=list)

    @property
    def name(self) -> str:
        return ocop.short_province_name(self.code)


def kept_for() -> dt.timedelta:
    """How long a guest's page may be served after it was made (pagecache.py)."""
    return dt.timedelta(seconds=current_app.config["PAGE_CACHE_SECONDS"]) if current_app.config["PAGE_CACHE"] \
        else dt.timedelta(0)


def this_week(limit: int = 6, per_experience: int = 3) -> list[ProvinceWeek]:
    """The experiences with places in a session of the coming seven days (at most `limit`, those
    starting soonest), each with its next `per_experience` sessions, grouped by their host's province; the
    province whose experience starts soonest first. Two queries (`services.offered`)."""
    now = utcnow()
    still_open = now + services.cutoff() + kept_for()  # booking still open when a page kept now is served
    # `offered` reads every session of the week whatever `per_experience`: ask for them all, so that those
    # closing soon can be left out here without losing the next ones.
    found = []
    for listing, sessions in services.offered(per_experience=ALL, until=now + WEEK):
        sessions = [session for session in sessions if session.starts_at > still_open]
        if any(session.seats_left > 0 for session in sessions):  # "with places": one full week is not offered
            found.append(Showcased(listing, sessions[:per_experience]))
    found.sort(key=lambda showcased: (showcased.sessions[0].starts_at, showcased.listing.product.id))
    provinces: dict[int, ProvinceWeek] = {}
    for showcased in found[:limit]:
        code = showcased.listing.seller.province_code
        provinces.setdefault(code, ProvinceWeek(code)).experiences.append(showcased)
    return list(provinces.values())

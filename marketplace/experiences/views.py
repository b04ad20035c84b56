"""Experiences where people meet them: a visitor books a session and keeps a voucher (with its QR code and
a calendar file) on a page of its own; the host schedules sessions, checks visitors in on a phone, records
no-shows and cancels a session; the product page shows the dates and the home and gift pages the week's
experiences (template globals, so the catalogue and the gift pages need not know this package)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import jobs, ocop
from ..accounts.services import roles_required
from ..catalog.services import listings_by_ids
from ..extensions import db
from ..forms import Form
from ..i18n import current_language, datetime, vnd
from ..models_base import utcnow
from ..orders import payments
from ..orders import services as orders
from ..orders.checkout import CheckoutError
from ..orders.models import Order
from ..products.models import Product
from ..products.services import seller_products
from ..qr import qr_svg
from ..transitions import Refused
from ..unit_of_work import run, run_once
from . import calendar, services, showcase
from .forms import BookingForm, CancelSessionForm, CheckInForm, SessionForm
from .models import LANGUAGES, LATE_REFUND_PERCENTS, SESSION_STATES, Booking, ExperienceSession

bp = Blueprint("experiences", __name__)


@bp.app_template_global()
def experiences_this_week(limit: int = 6) -> list[showcase.ProvinceWeek]:
    """The experiences to book in the coming seven days, by province (the home page and /gifts show them)."""
    return showcase.this_week(limit)


REFUSED = {
    "not_experience": ("product", _l("Only a community-tourism product (group VI) has sessions.")),
    "not_listed": ("product", _l("This experience is not on sale now (its OCOP recognition or your account).")),
    "past": ("day", _l("A session must start after booking closes (%(hours)d hours from now).")),
    "languages": ("languages", _l("Choose at least one language.")),
    "party": ("max_party", _l("The largest party must be at least the smallest, and no more than the places.")),
    "weeks": ("weeks", _l("Between 1 and 52 weeks.")),
    "policy": ("late_refund_percent", _l("Choose one of the cancellation policies.")),
    "child_price": ("child_price_vnd", _l("A child pays at most the price per person.")),
    "far": ("day", _l("Choose a day from today to two years ahead.")),
}


@bp.route("/seller/experiences", methods=["GET", "POST"])
@roles_required("seller")
def host_sessions():
    own = [product for product in seller_products(current_user.seller_id) if services.is_experience(product)]
    form = SessionForm()
    form.product.choices = [SelectChoice(product.id, product.name) for product in own]
    if own and form.validate_on_submit():
        product = db.session.get(Product, form.product.data)
        if product is None or product.seller_id != current_user.seller_id:
            abort(404)
        try:
            made = run(services.schedule, current_user, product, form.plan(), form.weeks.data)
        except services.ExperienceError as refused:
            name, message = REFUSED[refused.code]
            hours = int(services.cutoff().total_seconds() // 3600)
            form[name].errors.append(str(message) % {"hours": hours} if refused.code == "past" else str(message))
        else:
            flash(_("%(n)d session(s) added.", n=len(made)), "success")
            return redirect(url_for("experiences.host_sessions"), code=303)
    return render_template("experiences/host.html", form=form, products=own,
                           sessions=services.sessions_of_host(current_user.seller_id), languages=LANGUAGES,
                           states=SESSION_STATES), 422 if form.errors else 200


# --- Visitors ---------------------------------------------------------------------------------------------

@bp.app_template_global()
def experience_sessions(product_id: int) -> list[ExperienceSession]:
    """The dates a visitor may book on an experience's page (full ones too: they say so)."""
    return services.upcoming(product_id)


@bp.app_template_global()
def booking_of(order: Order) -> Booking | None:
    """The booking an order is for (None: an order of goods), for the order's page."""
    return services.booking_of_order(order.id) if any(part.booking for part in order.parts) else None


BOOKING_REFUSED = {
    "party": _l("This session takes parties of %(min)d to %(max)d people."),
    "language": _l("Choose one of the session's languages."),
    "closed": _l("This session can no longer be booked: choose another date."),
    "no_session": _l("This session can no longer be booked: choose another date."),
    "payment_unavailable": _l("This way of paying is not offered now: choose another."),
    "unlisted": _l("This session can no longer be booked: choose another date."),
    "total_too_large": _l("A booking this large cannot be made online: please split it, or contact the host."),
    "too_many_open_orders": _l("This phone number already has %(limit)d bookings to come or waiting for payment. "
                               "Please pay or cancel one of them first."),
}


@bp.route("/experiences/sessions/<int:session_id>/book", methods=["GET", "POST"])
def book(session_id: int):
    session = db.session.get(ExperienceSession, session_id)
    if session is None:
        abort(404)
    listing = next(iter(listings_by_ids([session.product_id])), None)
    if listing is None or not services.is_offered(session.id):
        return render_template("experiences/closed.html", session=session, listing=listing), 410
    form = BookingForm(session=session)
    status = 200
    if form.validate_on_submit():
        try:
            order, _fresh = run_once(Order, form.key, services.book_order, session.id, form.party(),
                                     form.payment.data, user=current_user, locale=current_language())
        except services.SoldOut as sold_out:
            flash(_("Only %(n)d place(s) left in this session: choose fewer people or another date.",
                    n=sold_out.seats_left) if sold_out.seats_left else
                  _("This session is full: choose another date."), "error")
            status = 409
        except (services.ExperienceError, CheckoutError) as refused:
            message = BOOKING_REFUSED.get(refused.code, BOOKING_REFUSED["closed"])
            flash(str(message) % {"min": session.min_party, "max": session.max_party,
                                  "limit": current_app.config["MAX_OPEN_BOOKINGS_PER_PHONE"]}, "error")
            status = 409 if refused.code in ("closed", "no_session", "unlisted") else 422
        else:
            if order.payment_method == "card" and orders.awaiting_payment(order):
                checkout_url = payments.card_checkout(order)
                if checkout_url:
                    return redirect(checkout_url, code=303)
            return redirect(url_for("experiences.voucher", number=order.number, token=order.access_token), code=303)
        db.session.refresh(session)
    elif form.errors:
        status = 422
    return render_template("experiences/book.html", session=session, listing=listing, form=form,
                           policy=LATE_REFUND_PERCENTS[session.late_refund_percent],
                           free_until=services.free_cancel_until(session), languages=LANGUAGES, now=utcnow()), status


def _booking_or_404(number: str) -> Booking:
    booking = services.find_booking(number, request.values.get("token"))
    if booking is None:
        abort(404)
    return booking


@bp.get("/bookings/<number>")
def voucher(number: str):
    booking = _booking_or_404(number)
    order, session = booking.order, booking.session
    transfer = None
    if order.payment_method == "vietqr" and orders.awaiting_payment(order):
        transfer = {"svg": payments.vietqr_svg(order), "reference": payments.transfer_reference(order),
                    "config": current_app.config}
    may_cancel, kept = services.cancellation_terms(booking)
    listing = next(iter(listings_by_ids([session.product_id], photos=False)), None)
    return render_template("experiences/voucher.html", booking=booking, order=order, session=session,
                           product=session.product, listing=listing, transfer=transfer,
                           awaiting_payment=orders.awaiting_payment(order), back_from_card="paid" in request.args,
                           code_svg=qr_svg(services.check_in_url(booking), title=booking.code_display, scale=5),
                           may_cancel=may_cancel, kept_percent=kept, languages=LANGUAGES,
                           free_until=services.free_cancel_until(session))


@bp.get("/bookings/<number>.ics")
def voucher_calendar(number: str):
    booking = _booking_or_404(number)
    body = calendar.ics(booking, services.voucher_url(booking))
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="booking-{booking.order.number}.ics"'
    return response


@bp.post("/bookings/<number>/cancel")
def cancel_booking(number: str):
    booking = _booking_or_404(number)
    if not Form().validate_on_submit():  # the page's token only
        abort(400)
    try:
        owed = run(services.cancel_by_visitor, booking)
        jobs.enqueue(payments.refund_cancelled_bookings)  # a card gets its money back at once
    except services.ExperienceError:
        flash(_("This booking can no longer be cancelled online: please call the host."), "error")
    else:
        flash(_("Your booking is cancelled.") + (" " + _("%(amount)s will be refunded to you.",
                                                         amount=vnd(owed)) if owed else ""), "success")
    return redirect(url_for("experiences.voucher", number=number, token=booking.order.access_token), code=303)


# --- The host: the day's visitors, check-in, no-shows, cancelling a session --------------------------------

CHECK_IN_REFUSED = {
    "unknown": _l("No booking of your sessions has this code."),
    "not_today": _l("This booking is for %(when)s, not now."),
    "cancelled": _l("This booking is cancelled."),
    "unpaid": _l("This booking's online payment has not arrived: ask the visitor to pay first."),
    "already": _l("Already checked in at %(when)s."),
}


def _day(text: str | None = None) -> dt.date:
    """The day the host asks for (?day=2026-12-03, or `text`), within five years of today; else today."""
    try:
        day = dt.date.fromisoformat(text if text is not None else request.args.get("day", ""))
    except ValueError:
        return ocop.today()
    return day if abs((day - ocop.today()).days) <= 5 * 366 else ocop.today()


@bp.get("/seller/experiences/day")
@roles_required("seller")
def host_day():
    day = _day()
    sessions = services.day_sessions(current_user.seller_id, day)
    return render_template("experiences/day.html", day=day, sessions=sessions,
                           bookings=services.bookings_of([session.id for session in sessions]),
                           form=CheckInForm(code=request.args.get("code")), cancel_form=CancelSessionForm(),
                           now=utcnow(), previous=day - dt.timedelta(days=1), next=day + dt.timedelta(days=1),
                           today=ocop.today(), languages=LANGUAGES)


@bp.post("/seller/experiences/check-in")
@roles_required("seller")
def host_check_in():
    form = CheckInForm()
    back = url_for("experiences.host_day", day=_day(request.form.get("day")).isoformat())  # the day the host was on
    if not form.validate_on_submit():
        flash(_("Type or scan the voucher's code."), "error")
        return redirect(back, code=303)
    try:
        booking = run(services.check_in, current_user, form.code.data)
    except services.CheckInError as refused:
        found = refused.booking
        when = ""
        if found is not None:
            when = found.checked_in_at if refused.code == "already" else found.session.starts_at
        flash(str(CHECK_IN_REFUSED[refused.code]) % {"when": datetime(when) if when else ""}, "error")
        return redirect(back, code=303)
    flash(_("%(name)s checked in: %(people)d people.", name=booking.order.contact_name, people=booking.people)
          + (" " + _("Collect %(total)s.", total=vnd(booking.order.total_vnd))
             if booking.order.payment_method == "on_site" else ""), "success")
    return redirect(url_for("experiences.host_day", day=ocop.local_date(booking.session.starts_at).isoformat()),
                    code=303)


def _host_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session.product.seller_id != current_user.seller_id:
        abort(404)
    return booking


@bp.post("/seller/experiences/bookings/<int:booking_id>/no-show")
@roles_required("seller")
def host_no_show(booking_id: int):
    booking = _host_booking(booking_id)
    if not Form().validate_on_submit():  # the page's token only
        abort(400)
    try:
        run(services.mark_no_show, current_user, booking)
    except services.CheckInError as refused:
        flash(str(CHECK_IN_REFUSED[refused.code]) % {"when": datetime(booking.session.starts_at)}, "error")
    else:
        flash(_("Recorded: %(name)s did not come.", name=booking.order.contact_name), "success")
    return redirect(url_for("experiences.host_day", day=ocop.local_date(booking.session.starts_at).isoformat()),
                    code=303)


@bp.post("/seller/experiences/sessions/<int:session_id>/cancel")
@roles_required("seller")
def host_cancel_session(session_id: int):
    session = db.session.get(ExperienceSession, session_id)
    if session is None or session.product.seller_id != current_user.seller_id:
        abort(404)
    form = CancelSessionForm()
    if not form.validate_on_submit():
        flash(_("Say why the session is cancelled: the visitors read it."), "error")
    else:
        try:
            cancelled = run(services.cancel_session, current_user, session, form.reason.data)
            jobs.enqueue(payments.refund_cancelled_bookings)
        except services.ExperienceError:
            flash(_("This session has started: what happened stays (record no-shows instead)."), "error")
        except Refused:
            flash(_("This session was already cancelled."), "error")
        else:
            flash(_("Session cancelled; %(n)d booking(s) cancelled, every visitor told and refunded what they "
                    "paid.", n=cancelled), "success")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/seller/")
                    else url_for("experiences.host_sessions"), code=303)

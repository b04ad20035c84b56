"""Sign in and out."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from ..unit_of_work import run
from ..urls import safe_next
from . import services
from .forms import SignInForm, SignUpForm

bp = Blueprint("accounts", __name__, url_prefix="/account")


def auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def address_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT_PER_ADDRESS"]


def address_and_account() -> str:
    """Whose attempts count together: one address trying one account. Every attempt counts, counted as it
    is checked (a burst sent at once cannot all pass before any is counted)."""
    return f"{get_remote_address()}|{(request.form.get('email') or '').strip().lower()[:254]}"


def auth_limits(view):
    """The limits of a page that checks a password or makes an account."""
    view = limiter.limit(address_limit, methods=["POST"])(view)
    return limiter.limit(auth_limit, methods=["POST"], key_func=address_and_account)(view)


def begin_session(user) -> None:
    """Sign the person in with a CSRF token of their own: a token handed out to the guest before (seen on a
    shared computer, or planted) must not go on to sign the signed-in person's forms. (The cart filled as a
    guest comes along: `orders.cart` listens for the sign-in.)"""
    session.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user)


def home_for(user) -> str:
    """Where each person starts: the seller's console, the office's queue, the counter; shoppers, the shop."""
    return {"seller": url_for("sellers.dashboard"), "office": url_for("office.queue"),
            "staff": url_for("salespoints.counter_home")}.get(user.role, url_for("catalog.home"))


@bp.route("/sign-in", methods=["GET", "POST"])
@auth_limits
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user:
            begin_session(user)
            return redirect(safe_next(request.args.get("next"), home_for(user)))
        flash(_("The email or password is not right."), "error")
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-up", methods=["GET", "POST"])
@auth_limits
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        user = run(services.create_user, form.email.data, form.name.data, form.password.data, role="shopper")
        begin_session(user)
        flash(_("Welcome! Your cart is kept in your account."), "success")
        return redirect(safe_next(request.args.get("next"), url_for("catalog.home")), code=303)
    return render_template("accounts/sign_up.html", form=form), 422 if form.errors else 200


@bp.post("/sign-out")
def sign_out():
    """Signs out here and everywhere else: a copy of this session's cookie no longer opens anything."""
    if current_user.is_authenticated:
        run(services.end_sessions, current_user)
    logout_user()
    return redirect(url_for("catalog.home"))

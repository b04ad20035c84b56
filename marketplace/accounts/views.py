"""Sign in and out, make an account, reset a forgotten password, confirm an address."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..extensions import limiter
from ..i18n import current_language
from ..unit_of_work import run
from ..urls import safe_next
from . import services, tokens
from .forms import NewPasswordForm, ResetRequestForm, SignInForm, SignUpForm

bp = Blueprint("accounts", __name__, url_prefix="/account")


def auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def address_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT_PER_ADDRESS"]


def address_and_account() -> str:
    """Whose attempts count together: one address trying one account. Every attempt counts, counted as it
    is checked (a burst sent at once cannot all pass before any is counted)."""
    return f"{get_remote_address()}|{(request.form.get('email') or '').strip().lower()[:254]}"


def mail_request_limit() -> str:
    return current_app.config["MAIL_REQUEST_RATE_LIMIT"]


def recipient_limit() -> str:
    return current_app.config["MAIL_PER_RECIPIENT_LIMIT"]


def typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def mail_request_limits(view):
    """The limits of a form that makes the shop email an address typed into it (a reset link, a stock
    alert): per client, and per address whatever the client, so many machines cannot flood one inbox."""
    view = limiter.limit(recipient_limit, methods=["POST"], key_func=typed_email)(view)
    return limiter.limit(mail_request_limit, methods=["POST"])(view)


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
        try:
            user = run(services.sign_up, form.email.data, form.name.data, form.password.data, current_language())
        except (IntegrityError, services.AccountError):  # the same address signed up at this very moment
            form.email.errors = [_("An account with this email exists: sign in instead.")]
            return render_template("accounts/sign_up.html", form=form), 422
        begin_session(user)
        flash(_("Welcome! Your cart is kept in your account. We sent you an email: open its link to confirm "
                "your address."), "success")
        return redirect(safe_next(request.args.get("next"), url_for("catalog.home")), code=303)
    return render_template("accounts/sign_up.html", form=form), 422 if form.errors else 200


@bp.post("/sign-out")
def sign_out():
    """Signs out here and everywhere else: a copy of this session's cookie no longer opens anything."""
    if current_user.is_authenticated:
        run(services.end_sessions, current_user)
    logout_user()
    return redirect(url_for("catalog.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@mail_request_limits
def forgot_password():
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        run(services.request_password_reset, form.email.data, current_language())
        return render_template("accounts/forgot_password.html", form=None, sent_to=form.email.data)
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


def _dead_link():
    return render_template("accounts/dead_link.html"), 410


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@auth_limits
def reset_password(token: str):
    user = tokens.user_for_token(token, tokens.RESET)
    if user is None:
        return _dead_link()
    form = NewPasswordForm(user)
    if form.validate_on_submit():
        run(services.reset_password, user, form.password.data)
        begin_session(user)
        flash(_("Your new password is set, and you are signed in. Every other session of your account is "
                "signed out."), "success")
        return redirect(home_for(user), code=303)
    return render_template("accounts/reset_password.html", form=form, user=user), 422 if form.errors else 200


@bp.get("/confirm/<token>")
def confirm(token: str):
    """The link of the confirmation email: the address is the person's, and so are its guest orders."""
    user = tokens.user_for_token(token, tokens.CONFIRM)
    if user is None:
        return _dead_link()
    if run(services.confirm_email, user):
        flash(_("Your email is confirmed. Orders you placed with it as a guest are now under \"My orders\"."),
              "success")
    else:
        flash(_("This email was confirmed already."), "success")
    mine = current_user.is_authenticated and current_user.id == user.id
    return redirect(url_for("orders.my_orders") if mine else url_for("accounts.sign_in"), code=303)


@bp.post("/confirm")
@login_required
@limiter.limit(mail_request_limit)
def resend_confirmation():
    if current_user.email_confirmed_at is None:
        run(services.send_confirmation, current_user, current_language())
        flash(_("We sent the confirmation link to %(email)s again.", email=current_user.email), "success")
    return redirect(safe_next(request.form.get("next"), url_for("orders.my_orders")), code=303)

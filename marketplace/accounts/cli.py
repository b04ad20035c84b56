"""`flask accounts create-office`: office accounts are made by whoever runs the shop, not by sign-up."""
import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from .. import ocop
from ..unit_of_work import run
from . import passwords
from .services import AccountError, create_user


@click.group("accounts", help="User accounts.")
def accounts_cli():
    pass


def check_password(password: str, email: str, name: str) -> None:
    """Refuse what the sign-up form would refuse: an address that is not one, an empty name or one with a
    control character, a weak password (in the same words)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not an email address: {error}") from error
    if not name.strip() or any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise click.ClickException("Give the person's name (one line).")
    weak = passwords.problem(password, email, name) if len(password) >= passwords.MIN_LENGTH else "guessable"
    if weak:
        raise click.ClickException(str(passwords.MESSAGES[weak]))


@accounts_cli.command("create-office", help="Create an office account for one province (or nationwide).")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--province", help="Official province name or code; leave out for a nationwide account.")
@click.password_option()
@with_appcontext
def create_office(email: str, name: str, province: str | None, password: str):
    check_password(password, email, name)
    try:
        code = int(ocop.find_province(province).code) if province else None
        run(create_user, email, name, password, role="office", province_code=code)
    except (ValueError, AccountError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Office account {email} created for {ocop.province_name(code) if code else 'all provinces'}.")


"""`flask sellers add-member`: another account acting for a seller already on the shop (a cooperative's
second person, or a demo seller's console to try), made by whoever runs the shop."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import ocop
from ..accounts.cli import check_password
from ..accounts.services import AccountError, create_user
from ..extensions import db
from ..unit_of_work import run
from .models import Seller


@click.group("sellers", help="Sellers.")
def sellers_cli():
    pass


@sellers_cli.command("add-member", help="Create an account that acts for a seller, found by its tax code.")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--seller", "registration_no", required=True, help="The seller's tax code or registration number.")
@click.password_option()
@with_appcontext
def add_member(email: str, name: str, registration_no: str, password: str):
    try:  # typed as the join form takes it: spaces, dots, a branch's dash or none
        code = ocop.normalize_registration_no("household", registration_no)
    except ValueError:
        code = registration_no.strip()
    seller = db.session.scalar(select(Seller).where(Seller.registration_no.in_({code, registration_no.strip()})))
    if seller is None:
        raise click.ClickException(f"No seller has the registration number {registration_no!r}.")
    check_password(password, email, name)
    try:
        run(create_user, email, name, password, role="seller", seller_id=seller.id)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Seller account {email} created for {seller.legal_name}.")

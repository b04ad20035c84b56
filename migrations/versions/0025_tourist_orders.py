"""orders for tourists: a gift (message card, wrapping and its fee, no prices on the slip), a hotel delivery
(hotel, guest, deliver by), a VAT refund request (passport, nationality, departure); a point's wrapping fee

Revision ID: 0025_tourist_orders
Revises: 0024_exchange_rates
Create Date: 2026-11-29 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_tourist_orders"
down_revision = "0024_exchange_rates"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wrap_vnd", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("is_gift", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("gift_message", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("hotel_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("guest_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("deliver_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("vat_refund", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("passport_no", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("nationality", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("departure_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("departure_airport", sa.String(length=3), nullable=True))
        batch_op.create_check_constraint(op.f("ck_orders_wrap"), "wrap_vnd >= 0")
    with op.batch_alter_table("sales_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gift_wrap_vnd", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_sales_points_gift_wrap"), "gift_wrap_vnd IS NULL OR gift_wrap_vnd >= 0")


def downgrade():
    with op.batch_alter_table("sales_points", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sales_points_gift_wrap"), type_="check")
        batch_op.drop_column("gift_wrap_vnd")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_wrap"), type_="check")
        for column in ("departure_airport", "departure_date", "nationality", "passport_no", "vat_refund",
                       "deliver_by", "guest_name", "hotel_name", "gift_message", "is_gift", "wrap_vnd"):
            batch_op.drop_column(column)

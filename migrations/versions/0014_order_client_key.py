"""orders: the key the client sent with it, so a double tap or a retry places one order

Revision ID: 0014_order_client_key
Revises: 0013_identity_requests
Create Date: 2026-11-29 05:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0014_order_client_key"
down_revision = "0013_identity_requests"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_orders_client_key"), ["client_key"])


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_orders_client_key"), type_="unique")
        batch_op.drop_column("client_key")

"""order parts: the carrier a parcel was handed to and its tracking number

Revision ID: 0028_tracking
Revises: 0027_email_confirmed
Create Date: 2026-11-29 17:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0028_tracking"
down_revision = "0027_email_confirmed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order_parts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carrier", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("tracking_no", sa.String(length=40), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_order_parts_carrier"),
            "carrier IS NULL OR carrier IN ('vnpost', 'viettelpost', 'ghn', 'ghtk', 'jt', 'other')")


def downgrade():
    with op.batch_alter_table("order_parts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_order_parts_carrier"), type_="check")
        batch_op.drop_column("tracking_no")
        batch_op.drop_column("carrier")

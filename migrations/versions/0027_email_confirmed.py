"""when an account's address was confirmed (its guest orders become the account's then)

Revision ID: 0027_email_confirmed
Revises: 0026_stock_alerts
Create Date: 2026-11-29 16:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0027_email_confirmed"
down_revision = "0026_stock_alerts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")

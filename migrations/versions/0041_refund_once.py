"""refund once: a refund keeps the key of the form that made it, so a double tap gives back once (issue 16)

Revision ID: 0041_refund_once
Revises: 0040_card_fees_collections
Create Date: 2026-11-30 02:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0041_refund_once"
down_revision = "0040_card_fees_collections"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_refunds_client_key"), ["client_key"])


def downgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_refunds_client_key"), type_="unique")
        batch_op.drop_column("client_key")

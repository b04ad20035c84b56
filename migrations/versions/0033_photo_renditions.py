"""photos: the widths of each photo's WebP renditions, which cards and pages pick from by srcset

Revision ID: 0033_photo_renditions
Revises: 0032_outbox_claims
Create Date: 2026-11-29 19:06:03
"""
import sqlalchemy as sa
from alembic import op

revision = "0033_photo_renditions"
down_revision = "0032_outbox_claims"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("combos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photo_widths", sa.String(length=40), nullable=True))
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("widths", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.drop_column("widths")
    with op.batch_alter_table("combos", schema=None) as batch_op:
        batch_op.drop_column("photo_widths")

"""search: suggestions rank the best-starred matches of what is typed, read in star order from an index

Revision ID: 0034_search_suggestions
Revises: 0033_photo_renditions
Create Date: 2026-11-29 22:52:38
"""
from alembic import op

revision = "0034_search_suggestions"
down_revision = "0033_photo_renditions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("product_search", schema=None) as batch_op:
        batch_op.create_index("ix_product_search_stars", ["stars", "product_id"], unique=False)


def downgrade():
    with op.batch_alter_table("product_search", schema=None) as batch_op:
        batch_op.drop_index("ix_product_search_stars")

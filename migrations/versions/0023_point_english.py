"""sales points: their name, street and opening hours in English, for visitors from abroad

Revision ID: 0023_point_english
Revises: 0022_liquid_volume
Create Date: 2026-11-29 13:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_point_english"
down_revision = "0022_liquid_volume"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sales_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("street_en", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("opening_hours_en", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("sales_points", schema=None) as batch_op:
        batch_op.drop_column("opening_hours_en")
        batch_op.drop_column("street_en")
        batch_op.drop_column("name_en")

"""products: the liquid volume of a unit (a liquid, gel or paste over 100 ml flies in checked baggage)

Revision ID: 0022_liquid_volume
Revises: 0021_phones_e164
Create Date: 2026-11-29 13:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_liquid_volume"
down_revision = "0021_phones_e164"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("liquid_ml", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_products_liquid_positive"), "liquid_ml IS NULL OR liquid_ml > 0")


def downgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_products_liquid_positive"), type_="check")
        batch_op.drop_column("liquid_ml")

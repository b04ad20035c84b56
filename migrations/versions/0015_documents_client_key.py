"""counter sales and returns, goods receipts, transfers and a seller's stock movements: the key of the
page that made them, so a double tap on Pay, Return, Receive, Send or a stock change makes one

Revision ID: 0015_documents_client_key
Revises: 0014_order_client_key
Create Date: 2026-11-29 07:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0015_documents_client_key"
down_revision = "0014_order_client_key"
branch_labels = None
depends_on = None

TABLES = ("counter_sales", "counter_returns", "goods_receipts", "stock_transfers", "stock_movements")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_client_key"), ["client_key"])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_client_key"), type_="unique")
            batch_op.drop_column("client_key")

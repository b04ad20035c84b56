"""counter money: a counter sale, return and void post to the money ledger, each entry naming the point
whose shelf the goods left; a point keeps a margin of what it sells for the producers; a commission or margin
line names the producer whose goods it was taken on (issue 16)

Revision ID: 0036_counter_money
Revises: 0035_money_ledger
Create Date: 2026-11-30 01:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0036_counter_money"
down_revision = "0035_money_ledger"
branch_labels = None
depends_on = None

KINDS = "'paid', 'delivered', 'returned', 'cancelled', 'parcel', 'parcel_refund', 'wrap', 'wrap_refund'"
COUNTER_KINDS = ", 'counter_sale', 'counter_return', 'counter_void'"


def upgrade():
    with op.batch_alter_table("money_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sales_point_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_money_entries_sales_point_id"), ["sales_point_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_money_entries_sales_point_id_sales_points"), "sales_points",
                                    ["sales_point_id"], ["id"])
        batch_op.drop_constraint(op.f("ck_money_entries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_entries_kind"), f"kind IN ({KINDS}{COUNTER_KINDS})")
    with op.batch_alter_table("money_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_lines_producer_seller"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_lines_producer_seller"),
                                         "account <> 'producer' OR seller_id IS NOT NULL")
    with op.batch_alter_table("sales_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("margin_bp", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint(op.f("ck_sales_points_margin"), "margin_bp >= 0 AND margin_bp <= 5000")


def downgrade():
    with op.batch_alter_table("sales_points", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sales_points_margin"), type_="check")
        batch_op.drop_column("margin_bp")
    op.execute("DELETE FROM money_lines WHERE entry_id IN (SELECT id FROM money_entries WHERE kind IN "
               f"({COUNTER_KINDS[2:]}))")
    op.execute(f"DELETE FROM money_entries WHERE kind IN ({COUNTER_KINDS[2:]})")
    op.execute("UPDATE money_lines SET seller_id = NULL WHERE account <> 'producer'")
    with op.batch_alter_table("money_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_lines_producer_seller"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_lines_producer_seller"),
                                         "(account = 'producer') = (seller_id IS NOT NULL)")
    with op.batch_alter_table("money_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_entries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_entries_kind"), f"kind IN ({KINDS})")
        batch_op.drop_constraint(batch_op.f("fk_money_entries_sales_point_id_sales_points"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_money_entries_sales_point_id"))
        batch_op.drop_column("sales_point_id")

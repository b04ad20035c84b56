"""status log of every claimed transition; an order's payment may be cancelled (nothing left to pay)

Revision ID: 0012_status_log
Revises: 0011_pickup
Create Date: 2026-11-29 04:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0012_status_log"
down_revision = "0011_pickup"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "status_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("machine", sa.String(length=30), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_status_log_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_log")),
    )
    op.create_index("ix_status_log_object", "status_log", ["machine", "object_id"], unique=False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_payment_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_orders_payment_status"),
                                         "payment_status IN ('unpaid', 'paid', 'expired', 'cancelled', 'refund_due')")


def downgrade():
    op.execute("UPDATE orders SET payment_status = 'expired' WHERE payment_status = 'cancelled'")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_payment_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_orders_payment_status"),
                                         "payment_status IN ('unpaid', 'paid', 'expired', 'refund_due')")
    op.drop_index("ix_status_log_object", table_name="status_log")
    op.drop_table("status_log")

"""refunds: money given back to buyers (to the card through Stripe, by bank transfer, in cash at a point),
what each order has given back, its `refunded` payment status, and the ledger's refund entries (issue 16)

Revision ID: 0039_refunds
Revises: 0038_payouts
Create Date: 2026-11-30 02:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0039_refunds"
down_revision = "0038_payouts"
branch_labels = None
depends_on = None

STATUSES = "'unpaid', 'paid', 'expired', 'cancelled', 'refund_due'"
KINDS = ("'paid', 'delivered', 'returned', 'cancelled', 'parcel', 'parcel_refund', 'wrap', 'wrap_refund', "
         "'counter_sale', 'counter_return', 'counter_void', 'payout', 'payout_paid', 'payout_cancelled'")


def upgrade():
    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=15), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('failure', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("method IN ('card', 'bank_transfer', 'cash')", name=op.f('ck_refunds_method')),
    sa.CheckConstraint("state IN ('pending', 'succeeded', 'failed')", name=op.f('ck_refunds_state')),
    sa.CheckConstraint('amount_vnd > 0', name=op.f('ck_refunds_amount')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_refunds_created_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_vnd', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f("ck_orders_refunded"), "refunded_vnd >= 0 AND refunded_vnd <= total_vnd")
        batch_op.drop_constraint(op.f("ck_orders_payment_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_orders_payment_status"), f"payment_status IN ({STATUSES}, 'refunded')")
    with op.batch_alter_table("money_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_entries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_entries_kind"), f"kind IN ({KINDS}, 'refund')")



def downgrade():
    op.execute("DELETE FROM money_lines WHERE entry_id IN (SELECT id FROM money_entries WHERE kind = 'refund')")
    op.execute("DELETE FROM money_entries WHERE kind = 'refund'")
    op.execute("UPDATE orders SET payment_status = 'refund_due' WHERE payment_status = 'refunded'")
    with op.batch_alter_table("money_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_entries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_entries_kind"), f"kind IN ({KINDS})")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_payment_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_orders_payment_status"), f"payment_status IN ({STATUSES})")
        batch_op.drop_constraint(op.f("ck_orders_refunded"), type_="check")
        batch_op.drop_column('refunded_vnd')

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))

    op.drop_table('refunds')

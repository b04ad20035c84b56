"""money ledger: balanced entries between cash, prepaid, refunds, producers, commission and points' fees,
each posted once (issue 16); the office's commission rate per top group

Revision ID: 0035_money_ledger
Revises: 0034_search_suggestions
Create Date: 2026-11-29 23:35:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0035_money_ledger"
down_revision = "0034_search_suggestions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commission_rates',
    sa.Column('group_top', sa.String(length=12), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.CheckConstraint('rate_bp >= 0 AND rate_bp <= 5000', name=op.f('ck_commission_rates_rate')),
    sa.PrimaryKeyConstraint('group_top', name=op.f('pk_commission_rates'))
    )
    op.create_table('money_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('once_key', sa.String(length=80), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=40), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('paid', 'delivered', 'returned', 'cancelled', 'parcel', 'parcel_refund', 'wrap', 'wrap_refund')", name=op.f('ck_money_entries_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_money_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_money_entries_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_money_entries')),
    sa.UniqueConstraint('once_key', name=op.f('uq_money_entries_once_key'))
    )
    with op.batch_alter_table('money_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_money_entries_order_id'), ['order_id'], unique=False)

    op.create_table('money_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=20), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=True),
    sa.CheckConstraint("(account = 'producer') = (seller_id IS NOT NULL)", name=op.f('ck_money_lines_producer_seller')),
    sa.CheckConstraint("account IN ('cash', 'prepaid', 'refunds_payable', 'producer', 'commission', 'point_fees')", name=op.f('ck_money_lines_account')),
    sa.CheckConstraint('amount_vnd <> 0', name=op.f('ck_money_lines_amount')),
    sa.ForeignKeyConstraint(['entry_id'], ['money_entries.id'], name=op.f('fk_money_lines_entry_id_money_entries')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_money_lines_seller_id_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_money_lines'))
    )
    with op.batch_alter_table('money_lines', schema=None) as batch_op:
        batch_op.create_index('ix_money_lines_account_seller', ['account', 'seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_money_lines_entry_id'), ['entry_id'], unique=False)



def downgrade():
    with op.batch_alter_table('money_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_money_lines_entry_id'))
        batch_op.drop_index('ix_money_lines_account_seller')

    op.drop_table('money_lines')
    with op.batch_alter_table('money_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_money_entries_order_id'))

    op.drop_table('money_entries')
    op.drop_table('commission_rates')

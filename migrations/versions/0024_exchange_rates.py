"""exchange rates: what a price in đồng is, approximately, in a visitor's currency (kept by the office)

Revision ID: 0024_exchange_rates
Revises: 0023_point_english
Create Date: 2026-11-29 13:55:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0024_exchange_rates'
down_revision = '0023_point_english'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('vnd_per_unit', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("currency IN ('USD', 'EUR', 'KRW', 'JPY', 'CNY', 'AUD')", name=op.f('ck_exchange_rates_currency')),
    sa.CheckConstraint('vnd_per_unit > 0', name=op.f('ck_exchange_rates_positive')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_exchange_rates_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates'))
    )
    with op.batch_alter_table('exchange_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_rates_currency'), ['currency'], unique=False)



def downgrade():
    with op.batch_alter_table('exchange_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_rates_currency'))

    op.drop_table('exchange_rates')

"""statements: the office closes a province's period (settlement_periods, moved by one guarded update) into
one statement per producer; each producer's ledger line belongs to at most one statement (issue 16)

Revision ID: 0037_statements
Revises: 0036_counter_money
Create Date: 2026-11-30 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0037_statements"
down_revision = "0036_counter_money"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('settlement_periods',
    sa.Column('province_code', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('closed_until', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('province_code', name=op.f('pk_settlement_periods'))
    )
    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('opening_vnd', sa.Integer(), nullable=False),
    sa.Column('movement_vnd', sa.Integer(), nullable=False),
    sa.Column('closing_vnd', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_statements_closed_by_id_users')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_statements_seller_id_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('seller_id', 'period_end', name='uq_statements_seller_period')
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statements_seller_id'), ['seller_id'], unique=False)

    with op.batch_alter_table('money_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_money_lines_statement_id'), ['statement_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_money_lines_statement_id_statements'), 'statements', ['statement_id'], ['id'])



def downgrade():
    with op.batch_alter_table('money_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_money_lines_statement_id_statements'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_money_lines_statement_id'))
        batch_op.drop_column('statement_id')

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statements_seller_id'))

    op.drop_table('statements')
    op.drop_table('settlement_periods')

"""payouts: producers' payout bank accounts (pending until the office verifies them), payout batches and
payouts (one standing payout per statement), and the ledger's `payouts` account (issue 16)

Revision ID: 0038_payouts
Revises: 0037_statements
Create Date: 2026-11-30 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0038_payouts"
down_revision = "0037_statements"
branch_labels = None
depends_on = None

ACCOUNTS = "'cash', 'prepaid', 'refunds_payable', 'producer', 'commission', 'point_fees'"
KINDS = ("'paid', 'delivered', 'returned', 'cancelled', 'parcel', 'parcel_refund', 'wrap', 'wrap_refund', "
         "'counter_sale', 'counter_return', 'counter_void'")
PAYOUT_KINDS = ", 'payout', 'payout_paid', 'payout_cancelled'"


def _vocabulary(accounts: str, kinds: str) -> None:
    with op.batch_alter_table("money_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_lines_account"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_lines_account"), f"account IN ({accounts})")
    with op.batch_alter_table("money_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_entries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_entries_kind"), f"kind IN ({kinds})")


def upgrade():
    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('bank_bin', sa.String(length=6), nullable=False),
    sa.Column('account_no', sa.String(length=19), nullable=False),
    sa.Column('holder_name', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'verified', 'rejected', 'replaced')", name=op.f('ck_bank_accounts_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_bank_accounts_decided_by_id_users')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_bank_accounts_seller_id_sellers')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_bank_accounts_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts'))
    )
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_accounts_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index('uq_bank_accounts_one_pending', ['seller_id'], unique=True, postgresql_where=sa.text("state = 'pending'"), sqlite_where=sa.text("state = 'pending'"))
        batch_op.create_index('uq_bank_accounts_one_verified', ['seller_id'], unique=True, postgresql_where=sa.text("state = 'verified'"), sqlite_where=sa.text("state = 'verified'"))

    op.create_table('payout_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payout_batches_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batches'))
    )
    with op.batch_alter_table('payout_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_batches_province_code'), ['province_code'], unique=False)

    op.create_table('payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.Column('bank_account_id', sa.Integer(), nullable=False),
    sa.Column('bank_bin', sa.String(length=6), nullable=False),
    sa.Column('account_no', sa.String(length=19), nullable=False),
    sa.Column('holder_name', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('bank_reference', sa.String(length=60), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'paid', 'cancelled')", name=op.f('ck_payouts_state')),
    sa.CheckConstraint('amount_vnd > 0', name=op.f('ck_payouts_amount')),
    sa.ForeignKeyConstraint(['bank_account_id'], ['bank_accounts.id'], name=op.f('fk_payouts_bank_account_id_bank_accounts')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batches.id'], name=op.f('fk_payouts_batch_id_payout_batches')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_payouts_decided_by_id_users')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_payouts_seller_id_sellers')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_payouts_statement_id_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payouts'))
    )
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payouts_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payouts_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index('uq_payouts_statement_standing', ['statement_id'], unique=True, postgresql_where=sa.text("state <> 'cancelled'"), sqlite_where=sa.text("state <> 'cancelled'"))
    _vocabulary(ACCOUNTS + ", 'payouts'", KINDS + PAYOUT_KINDS)



def downgrade():
    op.execute("DELETE FROM money_lines WHERE entry_id IN (SELECT id FROM money_entries WHERE kind IN "
               f"({PAYOUT_KINDS[2:]}))")
    op.execute(f"DELETE FROM money_entries WHERE kind IN ({PAYOUT_KINDS[2:]})")
    _vocabulary(ACCOUNTS, KINDS)
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.drop_index('uq_payouts_statement_standing', postgresql_where=sa.text("state <> 'cancelled'"), sqlite_where=sa.text("state <> 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_payouts_seller_id'))
        batch_op.drop_index(batch_op.f('ix_payouts_batch_id'))

    op.drop_table('payouts')
    with op.batch_alter_table('payout_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_batches_province_code'))

    op.drop_table('payout_batches')
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.drop_index('uq_bank_accounts_one_verified', postgresql_where=sa.text("state = 'verified'"), sqlite_where=sa.text("state = 'verified'"))
        batch_op.drop_index('uq_bank_accounts_one_pending', postgresql_where=sa.text("state = 'pending'"), sqlite_where=sa.text("state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_bank_accounts_seller_id'))

    op.drop_table('bank_accounts')

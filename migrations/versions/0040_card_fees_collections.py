"""card fees and collections: the ledger's `card_fees` account (what producers bear of the card fee when the
operator passes it on, CARD_FEE_PASSED_ON_BP), and what producers pay the shop to settle a negative balance,
once per bank reference (issue 16)

Revision ID: 0040_card_fees_collections
Revises: 0039_refunds
Create Date: 2026-11-30 02:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0040_card_fees_collections"
down_revision = "0039_refunds"
branch_labels = None
depends_on = None

ACCOUNTS = "'cash', 'prepaid', 'refunds_payable', 'producer', 'commission', 'point_fees', 'payouts'"


KINDS = ("'paid', 'delivered', 'returned', 'cancelled', 'parcel', 'parcel_refund', 'wrap', 'wrap_refund', "
         "'counter_sale', 'counter_return', 'counter_void', 'payout', 'payout_paid', 'payout_cancelled', 'refund'")


def _vocabulary(accounts: str, kinds: str) -> None:
    with op.batch_alter_table("money_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_lines_account"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_lines_account"), f"account IN ({accounts})")
    with op.batch_alter_table("money_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_entries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_money_entries_kind"), f"kind IN ({kinds})")


def upgrade():
    op.create_table("collections",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("seller_id", sa.Integer(), nullable=False),
                    sa.Column("amount_vnd", sa.Integer(), nullable=False),
                    sa.Column("bank_reference", sa.String(length=60), nullable=False),
                    sa.Column("recorded_by_id", sa.Integer(), nullable=False),
                    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
                    sa.CheckConstraint("amount_vnd > 0", name=op.f("ck_collections_amount")),
                    sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                            name=op.f("fk_collections_recorded_by_id_users")),
                    sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], name=op.f("fk_collections_seller_id_sellers")),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_collections")),
                    sa.UniqueConstraint("seller_id", "bank_reference", name="uq_collections_reference"))
    with op.batch_alter_table("collections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collections_seller_id"), ["seller_id"], unique=False)
    _vocabulary(ACCOUNTS + ", 'card_fees'", KINDS + ", 'collection'")


def downgrade():
    # (the entries that had such lines no longer balance: a downgrade is for a database without them)
    op.execute("DELETE FROM money_lines WHERE account = 'card_fees' OR entry_id IN "
               "(SELECT id FROM money_entries WHERE kind = 'collection')")
    op.execute("DELETE FROM money_entries WHERE kind = 'collection'")
    _vocabulary(ACCOUNTS, KINDS)
    with op.batch_alter_table("collections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collections_seller_id"))
    op.drop_table("collections")

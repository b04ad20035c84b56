"""orders: the buyer's phone as E.164 (a tourist's number from any country); Vietnamese ones written before
as 0XXXXXXXXX become +84XXXXXXXXX

Revision ID: 0021_phones_e164
Revises: 0020_counter_combo_lines
Create Date: 2026-11-29 13:40:00
"""
from alembic import op

revision = "0021_phones_e164"
down_revision = "0020_counter_combo_lines"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE orders SET contact_phone = '+84' || substr(contact_phone, 2) WHERE contact_phone LIKE '0%'")


def downgrade():
    op.execute("UPDATE orders SET contact_phone = '0' || substr(contact_phone, 4) WHERE contact_phone LIKE '+84%'")

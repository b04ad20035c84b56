"""outbox_emails: an HTML part beside the plain text

Revision ID: 0018_email_html
Revises: 0017_movement_kinds
Create Date: 2026-11-29 11:15:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0018_email_html"
down_revision = "0017_movement_kinds"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("html", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("html")

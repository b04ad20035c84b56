"""users: a session version, so signing out or a new password ends every session of the account

Revision ID: 0016_session_version
Revises: 0015_documents_client_key
Create Date: 2026-11-29 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0016_session_version"
down_revision = "0015_documents_client_key"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")

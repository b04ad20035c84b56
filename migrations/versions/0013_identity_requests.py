"""certification: requests to change a certified product's identity, decided by the office

Revision ID: 0013_identity_requests
Revises: 0012_status_log
Create Date: 2026-11-29 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_identity_requests"
down_revision = "0012_status_log"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('product_change_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('requested', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_product_change_requests_status')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_product_change_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_change_requests_product_id_products')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_product_change_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_change_requests'))
    )
    with op.batch_alter_table('product_change_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_change_requests_product_id'), ['product_id'], unique=False)
        # At most one request waits per product (a partial unique index, on SQLite and PostgreSQL alike).
        batch_op.create_index('uq_product_change_requests_pending', ['product_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('product_change_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_product_change_requests_pending')
        batch_op.drop_index(batch_op.f('ix_product_change_requests_product_id'))

    op.drop_table('product_change_requests')

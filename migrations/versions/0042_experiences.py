"""experiences: dated sessions of group VI products (homestays, tours, workshops) with their seats, price,
languages and meeting point (issue 17)

Revision ID: 0042_experiences
Revises: 0041_refund_once
Create Date: 2026-11-30 02:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0042_experiences"
down_revision = "0041_refund_once"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('experience_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('price_vnd', sa.Integer(), nullable=False),
    sa.Column('child_price_vnd', sa.Integer(), nullable=True),
    sa.Column('languages', sa.String(length=60), nullable=False),
    sa.Column('meeting_point_vi', sa.String(length=300), nullable=False),
    sa.Column('meeting_point_en', sa.String(length=300), nullable=True),
    sa.Column('map_url', sa.String(length=500), nullable=True),
    sa.Column('min_party', sa.Integer(), nullable=False),
    sa.Column('max_party', sa.Integer(), nullable=False),
    sa.Column('what_to_bring', sa.Text(), nullable=True),
    sa.Column('what_to_bring_en', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('scheduled', 'cancelled')", name=op.f('ck_experience_sessions_state')),
    sa.CheckConstraint('capacity > 0 AND capacity <= 500', name=op.f('ck_experience_sessions_capacity')),
    sa.CheckConstraint('child_price_vnd IS NULL OR (child_price_vnd >= 0 AND child_price_vnd <= price_vnd)', name=op.f('ck_experience_sessions_child_price')),
    sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 20160', name=op.f('ck_experience_sessions_duration')),
    sa.CheckConstraint('min_party >= 1 AND max_party >= min_party AND max_party <= capacity', name=op.f('ck_experience_sessions_party')),
    sa.CheckConstraint('price_vnd > 0 AND price_vnd <= 1000000000', name=op.f('ck_experience_sessions_price')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity', name=op.f('ck_experience_sessions_seats')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_experience_sessions_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_sessions'))
    )
    with op.batch_alter_table('experience_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_experience_sessions_product_start', ['product_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_experience_sessions_starts_at'), ['starts_at'], unique=False)



def downgrade():
    with op.batch_alter_table('experience_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experience_sessions_starts_at'))
        batch_op.drop_index('ix_experience_sessions_product_start')

    op.drop_table('experience_sessions')

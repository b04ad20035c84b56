"""bookings of experience sessions: each an order of its own with one booking part (no stock, no parcel), paid
online or to the host on arrival (`on_site`), a voucher code checked in once; the host's late-cancellation
policy per session and what a late cancellation keeps (issue 17)

Revision ID: 0043_bookings
Revises: 0042_experiences
Create Date: 2026-11-30 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0043_bookings"
down_revision = "0042_experiences"
branch_labels = None
depends_on = None

METHODS_BEFORE = "payment_method IN ('cod', 'vietqr', 'card', 'at_point')"
METHODS_AFTER = "payment_method IN ('cod', 'vietqr', 'card', 'at_point', 'on_site')"


def upgrade():
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('told_unlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('booked', 'checked_in', 'no_show', 'cancelled')", name=op.f('ck_bookings_state')),
    sa.CheckConstraint('people >= 1 AND children >= 0 AND children < people', name=op.f('ck_bookings_people')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_bookings_order_id_orders')),
    sa.ForeignKeyConstraint(['part_id'], ['order_parts.id'], name=op.f('fk_bookings_part_id_order_parts')),
    sa.ForeignKeyConstraint(['session_id'], ['experience_sessions.id'],
                            name=op.f('fk_bookings_session_id_experience_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code')),
    sa.UniqueConstraint('order_id', name=op.f('uq_bookings_order_id')),
    sa.UniqueConstraint('part_id', name=op.f('uq_bookings_part_id'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('experience_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_refund_percent', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_experience_sessions_late_refund'),
                                         "late_refund_percent IN (0, 50, 100)")

    with op.batch_alter_table('order_parts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booking', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('kept_vnd', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_order_parts_kept'), "kept_vnd >= 0 AND kept_vnd <= goods_vnd")

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_payment_method'), type_='check')
        batch_op.create_check_constraint(op.f('ck_orders_payment_method'), METHODS_AFTER)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_payment_method'), type_='check')
        batch_op.create_check_constraint(op.f('ck_orders_payment_method'), METHODS_BEFORE)

    with op.batch_alter_table('order_parts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_parts_kept'), type_='check')
        batch_op.drop_column('kept_vnd')
        batch_op.drop_column('booking')

    with op.batch_alter_table('experience_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_experience_sessions_late_refund'), type_='check')
        batch_op.drop_column('late_refund_percent')

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_session_id'))

    op.drop_table('bookings')

"""'tell me when it is back': one alert per product and address, sent once when stock returns

Revision ID: 0026_stock_alerts
Revises: 0025_tourist_orders
Create Date: 2026-11-29 16:10:39
"""
import sqlalchemy as sa
from alembic import op

revision = "0026_stock_alerts"
down_revision = "0025_tourist_orders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_alerts_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_alerts')),
    sa.UniqueConstraint('product_id', 'email', name='uq_stock_alerts_product_email')
    )
    with op.batch_alter_table('stock_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_alerts_sent_at'), ['sent_at'], unique=False)



def downgrade():
    with op.batch_alter_table('stock_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_alerts_sent_at'))

    op.drop_table('stock_alerts')

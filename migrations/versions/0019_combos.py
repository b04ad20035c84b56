"""gift combos: the boxes and their items; a cart line or an order line may be a combo's

Revision ID: 0019_combos
Revises: 0018_email_html
Create Date: 2026-11-29 13:03:42

An order line now keeps its subtotal (a combo's item carries its share of the combo's price, which is not
always a whole number of đồng per unit); the lines written before keep unit price × quantity.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_combos'
down_revision = '0018_email_html'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('combos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('story', sa.Text(), nullable=True),
    sa.Column('story_en', sa.Text(), nullable=True),
    sa.Column('occasion', sa.String(length=10), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('price_vnd', sa.Integer(), nullable=False),
    sa.Column('sales_point_id', sa.Integer(), nullable=True),
    sa.Column('managed_in', sa.Integer(), nullable=False),
    sa.Column('photo', sa.String(length=200), nullable=True),
    sa.Column('thumbnail', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("occasion IN ('tet', 'souvenir', 'business', 'family')", name=op.f('ck_combos_occasion')),
    sa.CheckConstraint("status IN ('active', 'withdrawn')", name=op.f('ck_combos_status')),
    sa.CheckConstraint('price_vnd > 0 AND price_vnd <= 1000000000', name=op.f('ck_combos_price')),
    sa.ForeignKeyConstraint(['sales_point_id'], ['sales_points.id'], name=op.f('fk_combos_sales_point_id_sales_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_combos')),
    sa.UniqueConstraint('code', name=op.f('uq_combos_code'))
    )
    with op.batch_alter_table('combos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_combos_managed_in'), ['managed_in'], unique=False)
        batch_op.create_index(batch_op.f('ix_combos_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_combos_sales_point_id'), ['sales_point_id'], unique=False)

    op.create_table('combo_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('combo_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0 AND quantity <= 20', name=op.f('ck_combo_items_quantity')),
    sa.ForeignKeyConstraint(['combo_id'], ['combos.id'], name=op.f('fk_combo_items_combo_id_combos')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_combo_items_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_combo_items')),
    sa.UniqueConstraint('combo_id', 'product_id', name='uq_combo_items_combo_product')
    )
    with op.batch_alter_table('combo_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_combo_items_combo_id'), ['combo_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_combo_items_product_id'), ['product_id'], unique=False)

    op.create_table('order_combos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('combo_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('unit_price_vnd', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_combos_quantity')),
    sa.CheckConstraint('unit_price_vnd > 0', name=op.f('ck_order_combos_price')),
    sa.ForeignKeyConstraint(['combo_id'], ['combos.id'], name=op.f('fk_order_combos_combo_id_combos')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_combos_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_combos'))
    )
    with op.batch_alter_table('order_combos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_combos_combo_id'), ['combo_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_combos_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('cart_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('combo_id', sa.Integer(), nullable=True))
        batch_op.alter_column('product_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint('uq_cart_items_user_combo', ['user_id', 'combo_id'])
        batch_op.create_foreign_key(batch_op.f('fk_cart_items_combo_id_combos'), 'combos', ['combo_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_cart_items_product_or_combo'),
                                         '(product_id IS NULL) <> (combo_id IS NULL)')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subtotal_vnd', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('order_combo_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_lines_order_combo_id'), ['order_combo_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_order_lines_order_combo_id_order_combos'), 'order_combos', ['order_combo_id'], ['id'])
    op.execute("UPDATE order_lines SET subtotal_vnd = unit_price_vnd * quantity")
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.alter_column('subtotal_vnd', existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(op.f('ck_order_lines_subtotal'), 'subtotal_vnd > 0')



def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_order_lines_subtotal'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_order_lines_order_combo_id_order_combos'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_order_lines_order_combo_id'))
        batch_op.drop_column('order_combo_id')
        batch_op.drop_column('subtotal_vnd')

    op.execute("DELETE FROM cart_items WHERE product_id IS NULL")
    with op.batch_alter_table('cart_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_cart_items_product_or_combo'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_cart_items_combo_id_combos'), type_='foreignkey')
        batch_op.drop_constraint('uq_cart_items_user_combo', type_='unique')
        batch_op.alter_column('product_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('combo_id')

    with op.batch_alter_table('order_combos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_combos_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_combos_combo_id'))

    op.drop_table('order_combos')
    with op.batch_alter_table('combo_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_combo_items_product_id'))
        batch_op.drop_index(batch_op.f('ix_combo_items_combo_id'))

    op.drop_table('combo_items')
    with op.batch_alter_table('combos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_combos_sales_point_id'))
        batch_op.drop_index(batch_op.f('ix_combos_province_code'))
        batch_op.drop_index(batch_op.f('ix_combos_managed_in'))

    op.drop_table('combos')

"""invoices: a product's VAT rate (copied onto each order line) and a company's request for a VAT invoice

Revision ID: 0031_invoices
Revises: 0030_wishlist
Create Date: 2026-11-29 17:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0031_invoices"
down_revision = "0030_wishlist"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_rate', sa.Integer(), nullable=True))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_company', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('invoice_tax_code', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('invoice_address', sa.String(length=300), nullable=True))

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_rate', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_products_vat_rate"), "vat_rate IS NULL OR vat_rate IN (0, 5, 8, 10)")



def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_products_vat_rate"), type_="check")
        batch_op.drop_column('vat_rate')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('invoice_address')
        batch_op.drop_column('invoice_tax_code')
        batch_op.drop_column('invoice_company')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('vat_rate')


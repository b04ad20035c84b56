"""counter sale lines: the item of a gift combo sold whole at the counter names its combo

Revision ID: 0020_counter_combo_lines
Revises: 0019_combos
Create Date: 2026-11-29 13:24:37
"""
from alembic import op
import sqlalchemy as sa

revision = '0020_counter_combo_lines'
down_revision = '0019_combos'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('counter_sale_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('combo_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('combo_name', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_counter_sale_lines_combo_id_combos'), 'combos', ['combo_id'], ['id'])



def downgrade():
    with op.batch_alter_table('counter_sale_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_counter_sale_lines_combo_id_combos'), type_='foreignkey')
        batch_op.drop_column('combo_name')
        batch_op.drop_column('combo_id')


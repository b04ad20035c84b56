"""search: reindex queue, PostgreSQL search documents and vocabulary

Revision ID: 0002_search
Revises: 0001_catalogue
Create Date: 2026-11-22 20:39:43.473684

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0002_search"
down_revision = "0001_catalogue"
branch_labels = None
depends_on = None


SEARCH_CONFIG = "ocop_vi"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _postgresql():
        # Full-text search folds Vietnamese diacritics (unaccent, đ → d) before the simple dictionary;
        # fuzzystrmatch gives levenshtein() for one-typo tolerance.
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (COPY = simple)")
        op.execute(f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} ALTER MAPPING FOR "
                   "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple")
    op.create_table('product_search',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('group_top', sa.String(length=12), nullable=False),
    sa.Column('group_sub', sa.String(length=12), nullable=False),
    sa.Column('group_code', sa.String(length=12), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('price_vnd', sa.Integer(), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('vector', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=True),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_search'))
    )
    with op.batch_alter_table('product_search', schema=None) as batch_op:
        batch_op.create_index('ix_product_search_vector', ['vector'], unique=False, postgresql_using='gin')
        batch_op.create_index('ix_product_search_window', ['valid_until', 'valid_from'], unique=False)

    op.create_table('search_queue',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_search_queue'))
    )
    op.create_table('search_terms',
    sa.Column('term', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_search_terms'))
    )


def downgrade():
    op.drop_table('search_terms')
    op.drop_table('search_queue')
    with op.batch_alter_table('product_search', schema=None) as batch_op:
        batch_op.drop_index('ix_product_search_window')
        batch_op.drop_index('ix_product_search_vector', postgresql_using='gin')

    op.drop_table('product_search')
    if _postgresql():
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {SEARCH_CONFIG}")

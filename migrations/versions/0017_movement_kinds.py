"""stock_movements: the kind of a ledger line is one of the shop's words (a CHECK like every other vocabulary)

Revision ID: 0017_movement_kinds
Revises: 0016_session_version
Create Date: 2026-11-29 11:00:00

"""
from alembic import op

revision = "0017_movement_kinds"
down_revision = "0016_session_version"
branch_labels = None
depends_on = None

KINDS = ("receive", "adjust", "reserve", "release", "sale", "online_order", "transfer_out", "transfer_in", "count",
         "return", "damage")  # as inventory.models.MOVEMENT_KINDS on this day (a migration keeps its own copy)


def upgrade():
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_stock_movements_kind"),
                                         "kind IN ({})".format(", ".join(f"'{kind}'" for kind in KINDS)))


def downgrade():
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_stock_movements_kind"), type_="check")

"""orders: index on placed_at (the platform dashboard: today's orders and GMV, the last days' figures)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 14:00:00
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_placed_at"), ["placed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_placed_at"))

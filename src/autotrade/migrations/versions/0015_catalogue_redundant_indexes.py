"""catalogue: drop two indexes that the composite unique indexes already cover

``ix_parts_brand_id`` is the leading column of ``uq_parts_brand_id_brand_number_norm`` and
``ix_part_numbers_part_id`` the leading column of the part numbers' unique (part, kind, number, brand)
index: every query on the single column uses the composite index as well, and each index cost every
imported part (and each of its numbers) one more index entry to write.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 19:20:00
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parts_brand_id"))
    with op.batch_alter_table("part_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_part_numbers_part_id"))


def downgrade() -> None:
    with op.batch_alter_table("part_numbers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part_numbers_part_id"), ["part_id"], unique=False)
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parts_brand_id"), ["brand_id"], unique=False)

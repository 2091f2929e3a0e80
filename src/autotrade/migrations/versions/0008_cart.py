"""cart: carts, cart lines, requisition lists

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SOURCE = sa.Enum(
    "sku", "number", "paste", "upload", "requisition", name="cart_line_source", native_enum=False, length=20
)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id"], ["orgs.id"], name=op.f(f"fk_{table}_org_id_orgs"), ondelete="RESTRICT"
    )


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "carts",
        sa.Column("owner", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        *_stamps(),
        _org_fk("carts"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_carts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carts")),
        sa.UniqueConstraint("org_id", "owner", name=op.f("uq_carts_org_id_owner")),
    )
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carts_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_carts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cart_lines",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("source", _SOURCE, nullable=False),
        sa.Column("raw_input", sa.String(length=200), nullable=True),
        *_stamps(),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["cart_id"], ["carts.id"], name=op.f("fk_cart_lines_cart_id_carts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_cart_lines_offer_id_offers"), ondelete="SET NULL"
        ),
        _org_fk("cart_lines"),
        sa.ForeignKeyConstraint(["part_id"], ["parts.id"], name=op.f("fk_cart_lines_part_id_parts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_lines")),
        sa.UniqueConstraint("cart_id", "part_id", name=op.f("uq_cart_lines_cart_id_part_id")),
    )
    with op.batch_alter_table("cart_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cart_lines_cart_id"), ["cart_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cart_lines_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cart_lines_part_id"), ["part_id"], unique=False)

    op.create_table(
        "requisition_lists",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_requisition_lists_created_by_id_users")
        ),
        _org_fk("requisition_lists"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition_lists")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_requisition_lists_org_id_name")),
    )
    with op.batch_alter_table("requisition_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requisition_lists_org_id"), ["org_id"], unique=False)

    op.create_table(
        "requisition_lines",
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_requisition_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["requisition_lists.id"],
            name=op.f("fk_requisition_lines_list_id_requisition_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_requisition_lines_offer_id_offers"),
            ondelete="SET NULL",
        ),
        _org_fk("requisition_lines"),
        sa.ForeignKeyConstraint(["part_id"], ["parts.id"], name=op.f("fk_requisition_lines_part_id_parts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition_lines")),
        sa.UniqueConstraint("list_id", "part_id", name=op.f("uq_requisition_lines_list_id_part_id")),
    )
    with op.batch_alter_table("requisition_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requisition_lines_list_id"), ["list_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requisition_lines_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requisition_lines_part_id"), ["part_id"], unique=False)


def downgrade() -> None:
    op.drop_table("requisition_lines")
    op.drop_table("requisition_lists")
    op.drop_table("cart_lines")
    op.drop_table("carts")

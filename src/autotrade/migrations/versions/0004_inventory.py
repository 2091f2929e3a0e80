"""inventory: warehouses, stock, movements, alliances, transfers, stock uploads

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 08:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alliances",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_alliances_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliances")),
    )
    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alliances_org_id"), ["org_id"], unique=False)

    op.create_table(
        "stock_uploads",
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_failed", sa.Integer(), nullable=False),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_stock_uploads_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_uploads")),
    )
    with op.batch_alter_table("stock_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_uploads_org_id"), ["org_id"], unique=False)

    op.create_table(
        "warehouses",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("service_radius_km", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_warehouses_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("org_id", "code", name=op.f("uq_warehouses_org_id_code")),
    )
    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warehouses_org_id"), ["org_id"], unique=False)

    op.create_table(
        "alliance_members",
        sa.Column("alliance_id", sa.Uuid(), nullable=False),
        sa.Column("owner_org_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("invited", "active", "declined", name="member_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("invited_by_id", sa.Uuid(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliances.id"],
            name=op.f("fk_alliance_members_alliance_id_alliances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_alliance_members_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["orgs.id"],
            name=op.f("fk_alliance_members_owner_org_id_orgs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_members")),
        sa.UniqueConstraint("alliance_id", "org_id", name=op.f("uq_alliance_members_alliance_id_org_id")),
    )
    with op.batch_alter_table("alliance_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alliance_members_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alliance_members_owner_org_id"), ["owner_org_id"], unique=False)

    op.create_table(
        "stock_levels",
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("low_stock_threshold >= 0", name=op.f("ck_stock_levels_threshold_not_negative")),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_not_negative")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_stock_levels_reserved_within_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_not_negative")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_stock_levels_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_stock_levels_part_id_parts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_levels_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint("warehouse_id", "part_id", name=op.f("uq_stock_levels_warehouse_id_part_id")),
    )
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_levels_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_levels_part_id"), ["part_id"], unique=False)

    op.create_table(
        "transfer_requests",
        sa.Column("alliance_id", sa.Uuid(), nullable=False),
        sa.Column("source_org_id", sa.Uuid(), nullable=False),
        sa.Column("from_warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("to_warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "approved",
                "rejected",
                "cancelled",
                name="transfer_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_transfer_requests_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliances.id"],
            name=op.f("fk_transfer_requests_alliance_id_alliances"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["from_warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_transfer_requests_from_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_transfer_requests_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_transfer_requests_part_id_parts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["source_org_id"],
            ["orgs.id"],
            name=op.f("fk_transfer_requests_source_org_id_orgs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_transfer_requests_to_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_requests")),
    )
    with op.batch_alter_table("transfer_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_requests_alliance_id"), ["alliance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_requests_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transfer_requests_source_org_id"), ["source_org_id"], unique=False
        )

    op.create_table(
        "stock_movements",
        sa.Column("stock_level_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receipt",
                "reservation",
                "release",
                "shipment",
                "adjustment",
                "transfer_out",
                "transfer_in",
                "return",
                name="movement_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("reserved_delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("reference_type", sa.String(length=40), nullable=True),
        sa.Column("reference_id", sa.String(length=100), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_stock_movements_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["stock_level_id"],
            ["stock_levels.id"],
            name=op.f("fk_stock_movements_stock_level_id_stock_levels"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_movements_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stock_movements_stock_level_id"), ["stock_level_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movements_stock_level_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_org_id"))

    op.drop_table("stock_movements")
    with op.batch_alter_table("transfer_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_requests_source_org_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_requests_org_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_requests_alliance_id"))

    op.drop_table("transfer_requests")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_levels_part_id"))
        batch_op.drop_index(batch_op.f("ix_stock_levels_org_id"))

    op.drop_table("stock_levels")
    with op.batch_alter_table("alliance_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliance_members_owner_org_id"))
        batch_op.drop_index(batch_op.f("ix_alliance_members_org_id"))

    op.drop_table("alliance_members")
    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warehouses_org_id"))

    op.drop_table("warehouses")
    with op.batch_alter_table("stock_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_uploads_org_id"))

    op.drop_table("stock_uploads")
    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliances_org_id"))

    op.drop_table("alliances")

"""pricing: offers, tiers, customer groups, price policies

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_groups",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_customer_groups_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_groups")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_customer_groups_org_id_name")),
    )
    with op.batch_alter_table("customer_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_groups_org_id"), ["org_id"], unique=False)

    op.create_table(
        "customer_group_members",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("member_org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["customer_groups.id"],
            name=op.f("fk_customer_group_members_group_id_customer_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_org_id"], ["orgs.id"], name=op.f("fk_customer_group_members_member_org_id_orgs")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_customer_group_members_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_group_members")),
        sa.UniqueConstraint(
            "group_id", "member_org_id", name=op.f("uq_customer_group_members_group_id_member_org_id")
        ),
    )
    with op.batch_alter_table("customer_group_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_group_members_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_group_members_member_org_id"), ["member_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_group_members_org_id"), ["org_id"], unique=False)

    op.create_table(
        "offers",
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("list_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "paused", name="offer_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("lead_time_days >= 0", name=op.f("ck_offers_lead_time_not_negative")),
        sa.CheckConstraint("list_price_fen > 0", name=op.f("ck_offers_list_price_positive")),
        sa.CheckConstraint("moq >= 1", name=op.f("ck_offers_moq_positive")),
        sa.CheckConstraint("pack_size >= 1", name=op.f("ck_offers_pack_size_positive")),
        sa.CheckConstraint(
            "vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name=op.f("ck_offers_vat_rate_range")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_offers_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["part_id"], ["parts.id"], name=op.f("fk_offers_part_id_parts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("org_id", "part_id", name=op.f("uq_offers_org_id_part_id")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_part_id"), ["part_id"], unique=False)

    op.create_table(
        "offer_tiers",
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("min_quantity >= 1", name=op.f("ck_offer_tiers_min_quantity_positive")),
        sa.CheckConstraint("unit_price_fen > 0", name=op.f("ck_offer_tiers_unit_price_positive")),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_tiers_offer_id_offers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_offer_tiers_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_tiers")),
        sa.UniqueConstraint("offer_id", "min_quantity", name=op.f("uq_offer_tiers_offer_id_min_quantity")),
    )
    with op.batch_alter_table("offer_tiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_tiers_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_tiers_org_id"), ["org_id"], unique=False)

    op.create_table(
        "price_policies",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("customer_group_id", sa.Uuid(), nullable=True),
        sa.Column("province", sa.String(length=40), nullable=True),
        sa.Column("city", sa.String(length=40), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("web", "api", name="price_channel", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "scope",
            sa.Enum("offer", "category", "all", name="policy_scope", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "effect",
            sa.Enum("fixed_price", "discount", name="policy_effect", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("unit_price_fen", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("discount_bp", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "discount_bp IS NULL OR (discount_bp >= 1 AND discount_bp <= 9999)",
            name=op.f("ck_price_policies_discount_range"),
        ),
        sa.CheckConstraint(
            "unit_price_fen IS NULL OR unit_price_fen > 0", name=op.f("ck_price_policies_unit_price_positive")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["part_categories.id"],
            name=op.f("fk_price_policies_category_id_part_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_group_id"],
            ["customer_groups.id"],
            name=op.f("fk_price_policies_customer_group_id_customer_groups"),
        ),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_price_policies_offer_id_offers")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_price_policies_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_policies")),
    )
    with op.batch_alter_table("price_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_price_policies_customer_group_id"), ["customer_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_price_policies_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_price_policies_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("price_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_policies_customer_group_id"))
        batch_op.drop_index(batch_op.f("ix_price_policies_offer_id"))
        batch_op.drop_index(batch_op.f("ix_price_policies_org_id"))

    op.drop_table("price_policies")
    with op.batch_alter_table("offer_tiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_tiers_offer_id"))
        batch_op.drop_index(batch_op.f("ix_offer_tiers_org_id"))

    op.drop_table("offer_tiers")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_org_id"))
        batch_op.drop_index(batch_op.f("ix_offers_part_id"))

    op.drop_table("offers")
    with op.batch_alter_table("customer_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_group_members_group_id"))
        batch_op.drop_index(batch_op.f("ix_customer_group_members_member_org_id"))
        batch_op.drop_index(batch_op.f("ix_customer_group_members_org_id"))

    op.drop_table("customer_group_members")
    with op.batch_alter_table("customer_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_groups_org_id"))

    op.drop_table("customer_groups")

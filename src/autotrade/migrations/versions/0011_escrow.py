"""escrow: escrow holds, commission rates, refunds

Tables ``commission_rates``, ``escrow_releases``, ``order_commissions``, ``escrow_refunds``,
``escrow_refund_lines`` (src/autotrade/escrow/models.py), and the default commission rates of the brief
(new vehicle 100 bp, used vehicle 250 bp, wear parts 300 bp, other parts 200 bp; no category, in force
from 2000-01-01), each with its audit entry (action ``commission_rates.seed``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 09:00:00
"""

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from autotrade.core.db import UTCDateTime, json_type, uuid7

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Fixed ids: the seed is the same on every database.
DEFAULT_RATES = (
    (uuid.UUID("01900000-0000-7000-8000-00000000e001"), "new_vehicle", 100, "brief: new vehicles 1 %"),
    (uuid.UUID("01900000-0000-7000-8000-00000000e002"), "used_vehicle", 250, "brief: used vehicles 2.5 %"),
    (uuid.UUID("01900000-0000-7000-8000-00000000e003"), "wear_parts", 300, "brief: wear parts 3 %"),
    (uuid.UUID("01900000-0000-7000-8000-00000000e004"), "parts", 200, "other parts 2 % (configurable)"),
)
SEED_FROM = datetime(2000, 1, 1, tzinfo=UTC)


def _timestamps() -> list[Any]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _parties(table: str) -> list[Any]:
    return [
        sa.Column("supplier_org_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f(f"fk_{table}_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["supplier_org_id"],
            ["orgs.id"],
            name=op.f(f"fk_{table}_supplier_org_id_orgs"),
            ondelete="RESTRICT",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "commission_rates",
        sa.Column("trade_type", sa.String(length=20), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "effective_until IS NULL OR effective_until > effective_from",
            name=op.f("ck_commission_rates_effective_range"),
        ),
        sa.CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name=op.f("ck_commission_rates_rate_range")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["part_categories.id"],
            name=op.f("fk_commission_rates_category_id_part_categories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_rates")),
    )
    with op.batch_alter_table("commission_rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commission_rates_category_id"), ["category_id"], unique=False)

    op.create_table(
        "escrow_releases",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("commission_fen", sa.BigInteger(), nullable=False),
        sa.Column("payable_fen", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("journal_entry_id", sa.Uuid(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
        *_parties("escrow_releases"),
        sa.CheckConstraint(
            "amount_fen >= 0 AND commission_fen >= 0 AND payable_fen = amount_fen - commission_fen",
            name=op.f("ck_escrow_releases_amounts"),
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_escrow_releases_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escrow_releases")),
        sa.UniqueConstraint("order_id", name=op.f("uq_escrow_releases_order_id")),
    )
    with op.batch_alter_table("escrow_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escrow_releases_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_escrow_releases_supplier_org_id"), ["supplier_org_id"], unique=False
        )

    op.create_table(
        "order_commissions",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("rate_id", sa.Uuid(), nullable=True),
        sa.Column("trade_type", sa.String(length=20), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("base_fen", sa.BigInteger(), nullable=False),
        sa.Column("commission_fen", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *_timestamps(),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "base_fen >= 0 AND commission_fen >= 0", name=op.f("ck_order_commissions_amounts")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_order_commissions_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_commissions_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_order_commissions_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["rate_id"], ["commission_rates.id"], name=op.f("fk_order_commissions_rate_id_commission_rates")
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["escrow_releases.id"],
            name=op.f("fk_order_commissions_release_id_escrow_releases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_commissions")),
        sa.UniqueConstraint("line_id", name=op.f("uq_order_commissions_line_id")),
    )
    with op.batch_alter_table("order_commissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_commissions_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_commissions_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_commissions_release_id"), ["release_id"], unique=False)

    op.create_table(
        "escrow_refunds",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("reference_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        *_timestamps(),
        *_parties("escrow_refunds"),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_escrow_refunds_amount_positive")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_escrow_refunds_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escrow_refunds")),
        sa.UniqueConstraint("cause", "reference_id", name=op.f("uq_escrow_refunds_cause_reference_id")),
    )
    with op.batch_alter_table("escrow_refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escrow_refunds_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escrow_refunds_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_escrow_refunds_supplier_org_id"), ["supplier_org_id"], unique=False
        )

    op.create_table(
        "escrow_refund_lines",
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_escrow_refund_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_escrow_refund_lines_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["escrow_refunds.id"], name=op.f("fk_escrow_refund_lines_refund_id_escrow_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escrow_refund_lines")),
    )
    with op.batch_alter_table("escrow_refund_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escrow_refund_lines_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escrow_refund_lines_refund_id"), ["refund_id"], unique=False)

    _seed_default_rates()


def _seed_default_rates() -> None:
    """The brief's default rates, each with its audit entry (every audited row has its trail)."""
    now = datetime.now(UTC)
    rates = sa.table(
        "commission_rates",
        sa.column("id", sa.Uuid()),
        sa.column("trade_type", sa.String()),
        sa.column("category_id", sa.Uuid()),
        sa.column("rate_bp", sa.Integer()),
        sa.column("effective_from", UTCDateTime()),
        sa.column("effective_until", UTCDateTime()),
        sa.column("note", sa.String()),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Uuid()),
        sa.column("occurred_at", UTCDateTime()),
        sa.column("org_id", sa.Uuid()),
        sa.column("actor_label", sa.String()),
        sa.column("action", sa.String()),
        sa.column("entity_type", sa.String()),
        sa.column("entity_id", sa.String()),
        sa.column("after", json_type()),
    )
    rows = [
        {
            "id": rid,
            "trade_type": trade,
            "category_id": None,
            "rate_bp": bp,
            "effective_from": SEED_FROM,
            "effective_until": None,
            "note": note,
            "created_at": now,
            "updated_at": now,
        }
        for rid, trade, bp, note in DEFAULT_RATES
    ]
    op.bulk_insert(rates, rows)
    op.bulk_insert(
        audit,
        [
            {
                # A fresh id: after a downgrade the seed's audit entries stay (append-only), and an
                # upgrade again writes new ones beside them.
                "id": uuid7(),
                "occurred_at": now,
                "org_id": None,
                "actor_label": "migration 0011",
                "action": "commission_rates.seed",
                "entity_type": "commission_rates",
                "entity_id": str(r["id"]),
                "after": {
                    "trade_type": r["trade_type"],
                    "rate_bp": r["rate_bp"],
                    "effective_from": "2000-01-01",
                },
            }
            for r in rows
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("escrow_refund_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escrow_refund_lines_refund_id"))
        batch_op.drop_index(batch_op.f("ix_escrow_refund_lines_line_id"))
    op.drop_table("escrow_refund_lines")
    with op.batch_alter_table("escrow_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escrow_refunds_supplier_org_id"))
        batch_op.drop_index(batch_op.f("ix_escrow_refunds_org_id"))
        batch_op.drop_index(batch_op.f("ix_escrow_refunds_order_id"))
    op.drop_table("escrow_refunds")
    with op.batch_alter_table("order_commissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_commissions_release_id"))
        batch_op.drop_index(batch_op.f("ix_order_commissions_org_id"))
        batch_op.drop_index(batch_op.f("ix_order_commissions_order_id"))
    op.drop_table("order_commissions")
    with op.batch_alter_table("escrow_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escrow_releases_supplier_org_id"))
        batch_op.drop_index(batch_op.f("ix_escrow_releases_org_id"))
    op.drop_table("escrow_releases")
    # The seed's audit entries stay: audit_log is append-only (database triggers refuse DELETE).
    with op.batch_alter_table("commission_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_rates_category_id"))
    op.drop_table("commission_rates")

"""payments: payments, callbacks, gateway simulator

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PROVIDER = sa.Enum(
    "bank_transfer", "gateway", "credit", name="payment_provider", native_enum=False, length=20
)


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("provider", PROVIDER, nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "succeeded",
                "failed",
                "cancelled",
                "refunded",
                "partially_refunded",
                name="payment_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("refunded_fen", sa.BigInteger(), nullable=False),
        sa.Column("reference_code", sa.String(length=32), nullable=False),
        sa.Column("provider_reference", sa.String(length=64), nullable=True),
        sa.Column("bank_reference", sa.String(length=64), nullable=True),
        sa.Column("pays_order", sa.Boolean(), nullable=False),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "refunded_fen >= 0 AND refunded_fen <= amount_fen", name=op.f("ck_payments_refunded_range")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_payments_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("bank_reference", name=op.f("uq_payments_bank_reference")),
        sa.UniqueConstraint("provider_reference", name=op.f("uq_payments_provider_reference")),
        sa.UniqueConstraint("reference_code", name=op.f("uq_payments_reference_code")),
    )
    op.create_index("ix_payments_order_id_status", "payments", ["order_id", "status"], unique=False)
    op.create_index(op.f("ix_payments_org_id"), "payments", ["org_id"], unique=False)
    op.create_table(
        "payment_callbacks",
        sa.Column("provider", PROVIDER, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("dedupe_key", sa.String(length=100), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature_ok", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_callbacks_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_callbacks")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_payment_callbacks_dedupe_key")),
    )
    op.create_index(op.f("ix_payment_callbacks_event_id"), "payment_callbacks", ["event_id"], unique=False)
    op.create_index(
        op.f("ix_payment_callbacks_payment_id"), "payment_callbacks", ["payment_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_callbacks_payment_id"), table_name="payment_callbacks")
    op.drop_index(op.f("ix_payment_callbacks_event_id"), table_name="payment_callbacks")
    op.drop_table("payment_callbacks")
    op.drop_index(op.f("ix_payments_org_id"), table_name="payments")
    op.drop_index("ix_payments_order_id_status", table_name="payments")
    op.drop_table("payments")

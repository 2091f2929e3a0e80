"""settlement: settlement statements, payouts, invoices

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payouts",
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("bank_reference", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_payouts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_payouts_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_payouts_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_payouts_entry_id")),
        sa.UniqueConstraint("org_id", "bank_reference", name=op.f("uq_payouts_org_id_bank_reference")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payouts_org_id"), ["org_id"], unique=False)

    op.create_table(
        "settlement_statements",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("period_label", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opening_payable_fen", sa.BigInteger(), nullable=False),
        sa.Column("released_gross_fen", sa.BigInteger(), nullable=False),
        sa.Column("commission_fen", sa.BigInteger(), nullable=False),
        sa.Column("released_net_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunds_fen", sa.BigInteger(), nullable=False),
        sa.Column("payouts_fen", sa.BigInteger(), nullable=False),
        sa.Column("adjustments_fen", sa.BigInteger(), nullable=False),
        sa.Column("closing_payable_fen", sa.BigInteger(), nullable=False),
        sa.Column("payout_due_fen", sa.BigInteger(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("period_end > period_start", name=op.f("ck_settlement_statements_period")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_settlement_statements_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_statements")),
        sa.UniqueConstraint("number", name=op.f("uq_settlement_statements_number")),
        sa.UniqueConstraint(
            "org_id",
            "period_start",
            "period_end",
            name=op.f("uq_settlement_statements_org_id_period_start_period_end"),
        ),
    )
    with op.batch_alter_table("settlement_statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlement_statements_org_id"), ["org_id"], unique=False)

    op.create_table(
        "tax_profiles",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("taxpayer_id", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("bank_name", sa.String(length=100), nullable=True),
        sa.Column("bank_account", sa.Text(), nullable=True),
        sa.Column("bank_account_hmac", sa.String(length=64), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_tax_profiles_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_profiles")),
    )
    with op.batch_alter_table("tax_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tax_profiles_bank_account_hmac"), ["bank_account_hmac"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tax_profiles_org_id"), ["org_id"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("issuer_org_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("special", "normal", name="invoice_kind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "scope",
            sa.Enum("order", "period", name="invoice_scope", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("requested", "issued", "rejected", name="invoice_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_label", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("tax_profile_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("taxpayer_id", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("bank_name", sa.String(length=100), nullable=True),
        sa.Column("bank_account", sa.Text(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("invoice_number", sa.String(length=40), nullable=True),
        sa.Column("invoice_date", sa.Date(), nullable=True),
        sa.Column("issued_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_invoices_amount_positive")),
        sa.ForeignKeyConstraint(
            ["issuer_org_id"], ["orgs.id"], name=op.f("fk_invoices_issuer_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_invoices_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_invoices_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tax_profile_id"], ["tax_profiles.id"], name=op.f("fk_invoices_tax_profile_id_tax_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "issuer_org_id", "invoice_number", name=op.f("uq_invoices_issuer_org_id_invoice_number")
        ),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_issuer_org_id"), ["issuer_org_id"], unique=False)
        batch_op.create_index("ix_invoices_order_id", ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_org_id"), ["org_id"], unique=False)

    op.create_table(
        "settlement_lines",
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "release",
                "refund",
                "payout",
                "adjustment",
                name="settlement_line_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("order_number", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.Column("commission_fen", sa.BigInteger(), nullable=False),
        sa.Column("payable_fen", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_settlement_lines_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_settlement_lines_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["settlement_statements.id"],
            name=op.f("fk_settlement_lines_statement_id_settlement_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_lines")),
    )
    with op.batch_alter_table("settlement_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlement_lines_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_settlement_lines_statement_id"), ["statement_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("settlement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_lines_statement_id"))
        batch_op.drop_index(batch_op.f("ix_settlement_lines_org_id"))

    op.drop_table("settlement_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_org_id"))
        batch_op.drop_index("ix_invoices_order_id")
        batch_op.drop_index(batch_op.f("ix_invoices_issuer_org_id"))

    op.drop_table("invoices")
    with op.batch_alter_table("tax_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_profiles_org_id"))
        batch_op.drop_index(batch_op.f("ix_tax_profiles_bank_account_hmac"))

    op.drop_table("tax_profiles")
    with op.batch_alter_table("settlement_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_statements_org_id"))

    op.drop_table("settlement_statements")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_org_id"))

    op.drop_table("payouts")

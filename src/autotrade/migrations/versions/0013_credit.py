"""credit: credit lines, credit invoices, credit repayments

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_lines",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("limit_fen", sa.BigInteger(), nullable=False),
        sa.Column("used_fen", sa.BigInteger(), nullable=False),
        sa.Column("term_days", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "suspended", name="credit_line_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("granted_by", sa.String(length=200), nullable=False),
        sa.Column("granted_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspend_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creditor_org_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("limit_fen >= 0", name=op.f("ck_credit_lines_limit_not_negative")),
        sa.CheckConstraint("term_days >= 1 AND term_days <= 365", name=op.f("ck_credit_lines_term_range")),
        sa.CheckConstraint("used_fen >= 0", name=op.f("ck_credit_lines_used_not_negative")),
        sa.ForeignKeyConstraint(
            ["creditor_org_id"],
            ["orgs.id"],
            name=op.f("fk_credit_lines_creditor_org_id_orgs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_credit_lines_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_lines")),
        sa.UniqueConstraint(
            "creditor_org_id",
            "org_id",
            "currency",
            name=op.f("uq_credit_lines_creditor_org_id_org_id_currency"),
        ),
    )
    with op.batch_alter_table("credit_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_lines_creditor_org_id"), ["creditor_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credit_lines_org_id"), ["org_id"], unique=False)

    op.create_table(
        "credit_invoices",
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("repaid_fen", sa.BigInteger(), nullable=False),
        sa.Column("term_days", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "overdue", "paid", name="credit_invoice_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creditor_org_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_credit_invoices_amount_not_negative")),
        sa.CheckConstraint(
            "repaid_fen >= 0 AND repaid_fen <= amount_fen", name=op.f("ck_credit_invoices_repaid_range")
        ),
        sa.ForeignKeyConstraint(
            ["creditor_org_id"],
            ["orgs.id"],
            name=op.f("fk_credit_invoices_creditor_org_id_orgs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["credit_lines.id"], name=op.f("fk_credit_invoices_line_id_credit_lines")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_credit_invoices_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_credit_invoices_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_invoices")),
        sa.UniqueConstraint("order_id", name=op.f("uq_credit_invoices_order_id")),
    )
    with op.batch_alter_table("credit_invoices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_invoices_creditor_org_id"), ["creditor_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credit_invoices_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_invoices_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_credit_invoices_status_due_at", ["status", "due_at"], unique=False)

    op.create_table(
        "credit_repayments",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("bank_reference", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=200), nullable=False),
        sa.Column("confirmed_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creditor_org_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_credit_repayments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["creditor_org_id"],
            ["orgs.id"],
            name=op.f("fk_credit_repayments_creditor_org_id_orgs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["credit_invoices.id"],
            name=op.f("fk_credit_repayments_invoice_id_credit_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_credit_repayments_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_repayments")),
        sa.UniqueConstraint(
            "invoice_id", "bank_reference", name=op.f("uq_credit_repayments_invoice_id_bank_reference")
        ),
    )
    with op.batch_alter_table("credit_repayments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_repayments_creditor_org_id"), ["creditor_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credit_repayments_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_repayments_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_table("credit_repayments")
    op.drop_table("credit_invoices")
    op.drop_table("credit_lines")

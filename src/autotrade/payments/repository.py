"""payments: queries.

Payments are tenant-scoped (``org_id`` = the buyer): a company lists and reads its own. Paying an
order is a system act once the money is proven (a verified gateway callback, or platform finance
confirming a bank transfer), so the service reads and locks across companies through the methods named
``*_any_tenant`` below — the only places here that say ``all_tenants``. Callbacks carry no company
column: only platform finance reads the log (``platform.finance:view``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.orders.models import Order, OrderStatus
from autotrade.payments.models import Payment, PaymentCallback, PaymentStatus, ProviderName


class PaymentRepository(Repository[Payment]):
    model = Payment
    label = "payment"
    not_found_code = "payment_not_found"

    def listing(
        self, *, order_id: uuid.UUID | None = None, status: PaymentStatus | None = None
    ) -> Select[Any]:
        stmt = select(Payment)
        if order_id is not None:
            stmt = stmt.where(Payment.order_id == order_id)
        if status is not None:
            stmt = stmt.where(Payment.status == status)
        return stmt

    def order(self, order_id: uuid.UUID) -> Order | None:
        """The order, under the caller's tenant filter (the buyer starting a payment)."""
        order: Order | None = self.session.scalar(select(Order).where(Order.id == order_id))
        return order

    # ---- platform-wide (system acts, platform finance) ----------------------------------------------

    def order_any_tenant(self, order_id: uuid.UUID) -> Order | None:
        stmt = select(Order).where(Order.id == order_id).execution_options(**ALL_TENANTS)
        order: Order | None = self.session.scalar(stmt)
        return order

    def lock_order_any_tenant(self, order_id: uuid.UUID) -> Order | None:
        """The order, row-locked until commit and refreshed: taken *before* the payment's lock
        everywhere (order, then payment), as the orders module locks an order before acting."""
        stmt = (
            select(Order)
            .where(Order.id == order_id)
            .with_for_update(of=Order)
            .execution_options(populate_existing=True, **ALL_TENANTS)
        )
        order: Order | None = self.session.scalar(stmt)
        return order

    def get_for_update_any_tenant(self, payment_id: uuid.UUID) -> Payment | None:
        """The payment, row-locked until commit and refreshed (another transaction may have changed
        it while we waited for the lock)."""
        stmt = (
            select(Payment)
            .where(Payment.id == payment_id)
            .with_for_update(of=Payment)
            .execution_options(populate_existing=True, **ALL_TENANTS)
        )
        payment: Payment | None = self.session.scalar(stmt)
        return payment

    def by_reference_any_tenant(self, reference_code: str) -> Payment | None:
        stmt = (
            select(Payment).where(Payment.reference_code == reference_code).execution_options(**ALL_TENANTS)
        )
        payment: Payment | None = self.session.scalar(stmt)
        return payment

    def by_bank_reference_any_tenant(self, bank_reference: str) -> Payment | None:
        stmt = (
            select(Payment).where(Payment.bank_reference == bank_reference).execution_options(**ALL_TENANTS)
        )
        payment: Payment | None = self.session.scalar(stmt)
        return payment

    def pending_any_tenant(self, order_id: uuid.UUID, provider: ProviderName) -> Payment | None:
        """The order's newest pending payment through this provider, if any."""
        stmt = (
            select(Payment)
            .where(
                Payment.order_id == order_id,
                Payment.provider == provider,
                Payment.status == PaymentStatus.pending,
            )
            .order_by(Payment.id.desc())
            .limit(1)
            .execution_options(**ALL_TENANTS)
        )
        payment: Payment | None = self.session.scalar(stmt)
        return payment

    def order_payment_any_tenant(self, order_id: uuid.UUID) -> Payment | None:
        """The payment that paid the order (``pays_order``), if any."""
        stmt = (
            select(Payment)
            .where(Payment.order_id == order_id, Payment.pays_order.is_(True))
            .execution_options(**ALL_TENANTS)
        )
        payment: Payment | None = self.session.scalar(stmt)
        return payment

    def pending_bank_transfers_any_tenant(
        self, *, before: uuid.UUID | None, limit: int
    ) -> list[tuple[Payment, Order]]:
        """Platform finance: pending bank-transfer payments of orders still waiting for payment, with
        their order, newest first (keyset: ids below ``before``), at most ``limit`` rows."""
        stmt = (
            select(Payment, Order)
            .join(Order, Order.id == Payment.order_id)
            .where(
                Payment.provider == ProviderName.bank_transfer,
                Payment.status == PaymentStatus.pending,
                Order.status == OrderStatus.pending_payment,
            )
            .order_by(Payment.id.desc())
            .limit(limit)
            .execution_options(**ALL_TENANTS)
        )
        if before is not None:
            stmt = stmt.where(Payment.id < before)
        return [(p, o) for p, o in self.session.execute(stmt)]

    def order_by_number_any_tenant(self, number: str) -> Order | None:
        """Platform finance: the order with this number (``SO…``), whoever's it is."""
        stmt = select(Order).where(Order.number == number).execution_options(**ALL_TENANTS)
        order: Order | None = self.session.scalar(stmt)
        return order


class CallbackRepository(Repository[PaymentCallback]):
    model = PaymentCallback
    label = "callback"
    not_found_code = "callback_not_found"

    def add_first(self, row: PaymentCallback) -> bool:
        """Insert the first delivery of an event (its ``dedupe_key`` set). False when that event was
        already recorded: the unique index decides, also between concurrent deliveries (the later one
        waits for the first to commit, then fails here). Only this savepoint is rolled back."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def first_delivery(self, dedupe_key: str) -> PaymentCallback | None:
        stmt = select(PaymentCallback).where(PaymentCallback.dedupe_key == dedupe_key)
        row: PaymentCallback | None = self.session.scalar(stmt)
        return row

    def listing(self, *, outcome: str | None = None, payment_id: uuid.UUID | None = None) -> Select[Any]:
        stmt = select(PaymentCallback)
        if outcome is not None:
            stmt = stmt.where(PaymentCallback.outcome == outcome)
        if payment_id is not None:
            stmt = stmt.where(PaymentCallback.payment_id == payment_id)
        return stmt

    def newest(self, *, outcome: str | None = None, limit: int = 50) -> list[PaymentCallback]:
        stmt = self.listing(outcome=outcome).order_by(PaymentCallback.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))

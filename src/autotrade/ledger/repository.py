"""ledger: queries.

Cross-tenant by nature (a journal entry touches the buyer, the supplier and the platform at once), so
these methods say ``all_tenants`` and are called only by ``ledger.service`` (whose callers, the money
services, have already checked who may move the money):

* :meth:`LedgerRepository.accounts_for`, :meth:`LedgerRepository.create_accounts` — find / create on
  first use (``INSERT … ON CONFLICT DO NOTHING``: safe under concurrency on both backends);
* :meth:`LedgerRepository.insert_entry` — ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING``:
  the unique index decides between concurrent posters without aborting the caller's transaction;
* :meth:`LedgerRepository.insert_postings`, :meth:`LedgerRepository.apply_deltas` (``balance_fen =
  balance_fen + :delta``, one row at a time in ascending account id: no deadlocks);
* :meth:`LedgerRepository.balance`, :meth:`LedgerRepository.order_balance`,
  :meth:`LedgerRepository.platform_org_id`, and the checks of ``verify``.

Platform finance (``platform.finance:view``) reads every entry: :meth:`LedgerRepository.entries`,
:meth:`LedgerRepository.entry`, :meth:`LedgerRepository.entry_postings` (``all_tenants``).

A company reads its own accounts under the tenant filter (:meth:`LedgerRepository.my_accounts`,
:meth:`LedgerRepository.my_account`) and the postings of an account only after that account was loaded
under the filter (:meth:`LedgerRepository.account_postings`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Table, bindparam, cast, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from autotrade.core.db import uuid7
from autotrade.core.pagination import paginate
from autotrade.core.repository import ALL_TENANTS
from autotrade.ledger.models import JournalEntry, LedgerAccount, LedgerPosting, Purpose
from autotrade.orgs.models import Org, OrgType

AccountKey = tuple[uuid.UUID, Purpose]  # (org_id, purpose) within one currency

_accounts: Table = LedgerAccount.__table__  # type: ignore[assignment]
_postings: Table = LedgerPosting.__table__  # type: ignore[assignment]


def _sum(column: Any) -> Any:
    # SUM(bigint) is numeric on PostgreSQL: cast back so Python sees an int (never a Decimal/float).
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    # --- posting (cross-tenant, for ledger.service only) -------------------------------------------

    def accounts_for(self, keys: Iterable[AccountKey], currency: str) -> dict[AccountKey, uuid.UUID]:
        """Ids of the existing accounts among ``keys`` (one query)."""
        wanted = set(keys)
        org_ids = sorted({k[0] for k in wanted})
        purposes = sorted({k[1] for k in wanted})
        stmt = (
            select(LedgerAccount.id, LedgerAccount.org_id, LedgerAccount.purpose)
            .where(
                LedgerAccount.org_id.in_(org_ids),
                LedgerAccount.purpose.in_(purposes),
                LedgerAccount.currency == currency,
            )
            .execution_options(**ALL_TENANTS)
        )
        found = {(org_id, Purpose(purpose)): id_ for id_, org_id, purpose in self.session.execute(stmt)}
        return {k: v for k, v in found.items() if k in wanted}

    def create_accounts(self, keys: Iterable[AccountKey], currency: str, now: datetime) -> None:
        """Create the accounts that do not exist yet; a concurrent creator of the same account wins
        quietly (``ON CONFLICT DO NOTHING`` waits for it, then does nothing)."""
        rows = [
            {
                "id": uuid7(),
                "org_id": org_id,
                "purpose": purpose,
                "currency": currency,
                "balance_fen": 0,
                "created_at": now,
            }
            for org_id, purpose in sorted(set(keys))
        ]
        if not rows:
            return
        stmt = self._insert(_accounts).values(rows)
        stmt = stmt.on_conflict_do_nothing(index_elements=["org_id", "purpose", "currency"])
        self.session.execute(stmt.execution_options(**ALL_TENANTS))

    def insert_entry(self, values: dict[str, Any]) -> JournalEntry | None:
        """Insert the entry; ``None`` when its dedupe key was already posted (by this transaction, an
        earlier one, or a concurrent one that committed first)."""
        stmt = (
            self._insert(JournalEntry)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(JournalEntry)
            .execution_options(**ALL_TENANTS)
        )
        entry: JournalEntry | None = self.session.scalars(stmt).first()
        return entry

    def insert_postings(self, rows: Sequence[dict[str, Any]]) -> None:
        self.session.execute(_postings.insert().execution_options(**ALL_TENANTS), list(rows))

    def apply_deltas(self, deltas: Sequence[tuple[uuid.UUID, int]]) -> None:
        """``balance_fen = balance_fen + delta`` per account, in ascending account id (the order
        every poster takes the row locks in: no deadlocks)."""
        table = _accounts
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(balance_fen=table.c.balance_fen + bindparam("b_delta", type_=BigInteger()))
            .execution_options(**ALL_TENANTS)
        )
        params = [{"b_id": id_, "b_delta": delta} for id_, delta in sorted(deltas, key=lambda d: d[0])]
        self.session.execute(stmt, params)

    # --- balances (cross-tenant, for the money services) ------------------------------------------

    def balance(self, org_id: uuid.UUID, purpose: Purpose, currency: str) -> int:
        stmt = (
            select(LedgerAccount.balance_fen)
            .where(
                LedgerAccount.org_id == org_id,
                LedgerAccount.purpose == purpose,
                LedgerAccount.currency == currency,
            )
            .execution_options(**ALL_TENANTS)
        )
        value = self.session.scalar(stmt)
        return int(value) if value is not None else 0

    def order_balance(self, purpose: Purpose, order_id: uuid.UUID, currency: str) -> int:
        stmt = (
            select(_sum(LedgerPosting.amount_fen))
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .where(
                LedgerPosting.order_id == order_id,
                LedgerAccount.purpose == purpose,
                LedgerAccount.currency == currency,
            )
            .execution_options(**ALL_TENANTS)
        )
        return int(self.session.scalar(stmt) or 0)

    def platform_org_id(self) -> uuid.UUID | None:
        stmt = (
            select(Org.id)
            .where(Org.type == OrgType.platform, Org.parent_id.is_(None))
            .order_by(Org.id)
            .limit(1)
            .execution_options(**ALL_TENANTS)
        )
        found: uuid.UUID | None = self.session.scalar(stmt)
        return found

    # --- checks of verify (cross-tenant) ----------------------------------------------------------

    def unbalanced_entries(self) -> list[tuple[uuid.UUID, int]]:
        total = _sum(LedgerPosting.amount_fen)
        stmt = (
            select(LedgerPosting.entry_id, total)
            .group_by(LedgerPosting.entry_id)
            .having(func.sum(LedgerPosting.amount_fen) != 0)
            .order_by(LedgerPosting.entry_id)
            .execution_options(**ALL_TENANTS)
        )
        return [(e, int(t)) for e, t in self.session.execute(stmt)]

    def entries_without_two_postings(self) -> list[tuple[uuid.UUID, int]]:
        n = func.count(LedgerPosting.id)
        stmt = (
            select(JournalEntry.id, n)
            .outerjoin(LedgerPosting, LedgerPosting.entry_id == JournalEntry.id)
            .group_by(JournalEntry.id)
            .having(n < 2)
            .order_by(JournalEntry.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(e, int(c)) for e, c in self.session.execute(stmt)]

    def currency_mismatches(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(posting id, entry id) of postings on an account of another currency than their entry."""
        stmt = (
            select(LedgerPosting.id, LedgerPosting.entry_id)
            .join(JournalEntry, JournalEntry.id == LedgerPosting.entry_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .where(LedgerAccount.currency != JournalEntry.currency)
            .order_by(LedgerPosting.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(p, e) for p, e in self.session.execute(stmt)]

    def stale_balances(self) -> list[tuple[uuid.UUID, int, int]]:
        """(account id, cached balance, Σ postings) of every account whose cache is wrong."""
        sums = (
            select(LedgerPosting.account_id, _sum(LedgerPosting.amount_fen).label("total"))
            .group_by(LedgerPosting.account_id)
            .subquery()
        )
        total = func.coalesce(sums.c.total, 0)
        stmt = (
            select(LedgerAccount.id, LedgerAccount.balance_fen, total)
            .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
            .where(LedgerAccount.balance_fen != total)
            .order_by(LedgerAccount.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(a, int(b), int(t)) for a, b, t in self.session.execute(stmt)]

    def counts(self) -> tuple[int, int]:
        entries = self.session.scalar(select(func.count(JournalEntry.id)).execution_options(**ALL_TENANTS))
        accounts = self.session.scalar(select(func.count(LedgerAccount.id)).execution_options(**ALL_TENANTS))
        return int(entries or 0), int(accounts or 0)

    # --- a company's own accounts (tenant filter) ---------------------------------------------------

    def my_accounts(self) -> list[LedgerAccount]:
        stmt = select(LedgerAccount).order_by(LedgerAccount.purpose, LedgerAccount.currency, LedgerAccount.id)
        return list(self.session.scalars(stmt))

    def my_account(self, account_id: uuid.UUID) -> LedgerAccount | None:
        found: LedgerAccount | None = self.session.scalar(
            select(LedgerAccount).where(LedgerAccount.id == account_id)
        )
        return found

    def account_postings(
        self, account_id: uuid.UUID, *, cursor: str | None, limit: int
    ) -> tuple[list[LedgerPosting], str | None]:
        """Postings of an account the caller already loaded under the tenant filter, newest first."""
        stmt = select(LedgerPosting).where(LedgerPosting.account_id == account_id)
        return paginate(self.session, stmt, LedgerPosting.id, cursor=cursor, limit=limit)

    def entries_by_id(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, JournalEntry]:
        """Headers of the entries of postings already shown to the caller (no other company data)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        stmt = select(JournalEntry).where(JournalEntry.id.in_(wanted))
        return {e.id: e for e in self.session.scalars(stmt)}

    # --- platform finance (all_tenants, behind platform.finance:view) ------------------------------

    def entries(
        self,
        *,
        kind: str | None,
        reference_type: str | None,
        reference_id: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[JournalEntry], str | None]:
        stmt = select(JournalEntry).execution_options(**ALL_TENANTS)
        if kind:
            stmt = stmt.where(JournalEntry.kind == kind)
        if reference_type:
            stmt = stmt.where(JournalEntry.reference_type == reference_type)
        if reference_id:
            stmt = stmt.where(JournalEntry.reference_id == reference_id)
        return paginate(self.session, stmt, JournalEntry.id, cursor=cursor, limit=limit)

    def entry(self, entry_id: uuid.UUID) -> JournalEntry | None:
        found: JournalEntry | None = self.session.scalar(
            select(JournalEntry).where(JournalEntry.id == entry_id).execution_options(**ALL_TENANTS)
        )
        return found

    def entry_postings(self, entry_id: uuid.UUID) -> list[tuple[LedgerPosting, LedgerAccount]]:
        stmt = (
            select(LedgerPosting, LedgerAccount)
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .where(LedgerPosting.entry_id == entry_id)
            .order_by(LedgerPosting.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(p, a) for p, a in self.session.execute(stmt)]

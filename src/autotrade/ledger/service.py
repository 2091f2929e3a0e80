"""ledger: the one way money moves (docs/money.md, section "ledger").

Every money movement is :func:`post` with balanced legs (Σ amount_fen = 0; debit > 0, credit < 0).
``post`` is a handful of statements whatever the number of legs: find the accounts (created on first
use), insert the entry (the unique ``dedupe_key`` decides between concurrent posters), insert the
postings (one executemany), and add each account's delta to its cached balance in ascending account
id. Services never commit; neither does this.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow, uuid7
from autotrade.core.tenancy import current_principal
from autotrade.ledger.errors import (
    AccountNotFound,
    DuplicateEntry,
    EntryNotFound,
    InvalidEntry,
    NoPlatformCompany,
    Unbalanced,
)
from autotrade.ledger.models import DEBIT_NORMAL, JournalEntry, LedgerAccount, LedgerPosting, Purpose
from autotrade.ledger.repository import AccountKey, LedgerRepository

__all__ = [
    "DuplicateEntry",
    "Leg",
    "Purpose",
    "Unbalanced",
    "balance",
    "order_balance",
    "platform_org_id",
    "post",
    "verify",
]

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PLATFORM_KEY = "ledger.platform_org_id"
# The range of a BIGINT: an amount beyond it could never be stored (nor summed safely).
_MAX_FEN = 2**62


@dataclass(frozen=True)
class Leg:
    org_id: uuid.UUID
    purpose: Purpose
    amount_fen: int  # debit > 0, credit < 0
    order_id: uuid.UUID | None = None


def _check(
    kind: str,
    legs: Sequence[Leg],
    reference_type: str,
    reference_id: object,
    currency: str,
    memo: str,
    dedupe_key: str | None,
) -> None:
    if not isinstance(kind, str) or not 1 <= len(kind) <= 40:
        raise InvalidEntry("kind must be a text of 1 to 40 characters", field="kind")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise InvalidEntry("currency must be an ISO 4217 code such as CNY", field="currency")
    if not isinstance(reference_type, str) or not 1 <= len(reference_type) <= 40:
        raise InvalidEntry("reference_type must be a text of 1 to 40 characters", field="reference_type")
    if reference_id is None or not 1 <= len(str(reference_id)) <= 100:
        raise InvalidEntry("reference_id must be given (at most 100 characters)", field="reference_id")
    if not isinstance(memo, str) or len(memo) > 500:
        raise InvalidEntry("memo must be a text of at most 500 characters", field="memo")
    if dedupe_key is not None and (not isinstance(dedupe_key, str) or not 1 <= len(dedupe_key) <= 200):
        raise InvalidEntry("dedupe_key must be a text of 1 to 200 characters", field="dedupe_key")
    if len(legs) < 2:
        raise Unbalanced("an entry needs at least two legs", field="legs")
    for i, leg in enumerate(legs):
        if not isinstance(leg, Leg):
            raise Unbalanced(f"legs[{i}] is not a Leg", field=f"legs[{i}]")
        # bool is an int subclass; float, Decimal and str are refused: money is an int of fen.
        if type(leg.amount_fen) is not int or leg.amount_fen == 0 or abs(leg.amount_fen) >= _MAX_FEN:
            raise Unbalanced(
                f"legs[{i}].amount_fen must be a non-zero int of fen, got {leg.amount_fen!r}",
                field=f"legs[{i}].amount_fen",
            )
        if not isinstance(leg.purpose, Purpose):
            raise Unbalanced(f"legs[{i}].purpose must be a Purpose", field=f"legs[{i}].purpose")
        if not isinstance(leg.org_id, uuid.UUID):
            raise Unbalanced(f"legs[{i}].org_id must be a UUID", field=f"legs[{i}].org_id")
        if leg.order_id is not None and not isinstance(leg.order_id, uuid.UUID):
            raise Unbalanced(f"legs[{i}].order_id must be a UUID", field=f"legs[{i}].order_id")
    total = sum(leg.amount_fen for leg in legs)
    if total != 0:
        raise Unbalanced(f"the legs sum to {total} fen, not 0", field="legs")


def post(
    session: Session,
    *,
    kind: str,
    legs: Sequence[Leg],
    reference_type: str,
    reference_id: object,
    currency: str = "CNY",
    memo: str = "",
    dedupe_key: str | None = None,
) -> JournalEntry:
    """Write one balanced journal entry and update the cached balances.

    Refused, with nothing written: legs that do not sum to zero or an amount that is not a non-zero
    int (:class:`Unbalanced`), another invalid field (``InvalidEntry``), a ``dedupe_key`` already
    posted (:class:`DuplicateEntry` — the caller's transaction stays usable).
    """
    legs = list(legs)
    _check(kind, legs, reference_type, reference_id, currency, memo, dedupe_key)
    repo = LedgerRepository(session)
    now = utcnow()

    keys: set[AccountKey] = {(leg.org_id, leg.purpose) for leg in legs}
    accounts = repo.accounts_for(keys, currency)
    missing = keys - accounts.keys()
    if missing:
        repo.create_accounts(missing, currency, now)
        accounts.update(repo.accounts_for(missing, currency))

    entry = repo.insert_entry(
        {
            "kind": kind,
            "currency": currency,
            "reference_type": reference_type,
            "reference_id": str(reference_id),
            "memo": memo,
            "dedupe_key": dedupe_key,
            "actor_label": _actor_label(session),
            "created_at": now,
        }
    )
    if entry is None:
        raise DuplicateEntry(
            f"an entry with dedupe key {dedupe_key!r} was already posted", field="dedupe_key"
        )

    repo.insert_postings(
        [
            {
                "id": uuid7(),
                "entry_id": entry.id,
                "account_id": accounts[(leg.org_id, leg.purpose)],
                "amount_fen": leg.amount_fen,
                "order_id": leg.order_id,
                "created_at": now,
            }
            for leg in legs
        ]
    )
    deltas: dict[uuid.UUID, int] = {}
    for leg in legs:
        account_id = accounts[(leg.org_id, leg.purpose)]
        deltas[account_id] = deltas.get(account_id, 0) + leg.amount_fen
    repo.apply_deltas([(a, d) for a, d in deltas.items() if d != 0])
    return entry


def _actor_label(session: Session) -> str:
    """Who posted: the caller (user e-mail or API key) or the CLI command / job bound to the session."""
    principal = current_principal(session)
    label = principal.actor_label if principal else str(session.info.get("actor_label", "system"))
    return label[:200]


def balance(session: Session, org_id: uuid.UUID, purpose: Purpose, *, currency: str = "CNY") -> int:
    """The cached balance of one account (debit > 0); 0 for an account never posted to."""
    return LedgerRepository(session).balance(org_id, Purpose(purpose), currency)


def order_balance(session: Session, purpose: Purpose, order_id: uuid.UUID, *, currency: str = "CNY") -> int:
    """Σ postings of one order on accounts of this purpose. What O holds in escrow is
    ``-order_balance(session, Purpose.escrow, O)``."""
    return LedgerRepository(session).order_balance(Purpose(purpose), order_id, currency)


def platform_org_id(session: Session) -> uuid.UUID:
    """The platform company's id (cached on the session)."""
    cached = session.info.get(_PLATFORM_KEY)
    if isinstance(cached, uuid.UUID):
        return cached
    found = LedgerRepository(session).platform_org_id()
    if found is None:
        raise NoPlatformCompany("no company of type platform exists: create it before moving money")
    session.info[_PLATFORM_KEY] = found
    return found


def verify(session: Session) -> list[str]:
    """Every problem of the books, one line each; ``[]`` when they are right: every entry has at least
    two postings that sum to zero in its currency, and every cached balance equals Σ its postings."""
    repo = LedgerRepository(session)
    problems: list[str] = []
    for entry_id, total in repo.unbalanced_entries():
        problems.append(f"entry {entry_id}: postings sum to {total} fen, not 0")
    for entry_id, n in repo.entries_without_two_postings():
        problems.append(f"entry {entry_id}: {n} posting(s), an entry needs at least 2")
    for posting_id, entry_id in repo.currency_mismatches():
        problems.append(
            f"posting {posting_id} of entry {entry_id}: account currency differs from the entry's"
        )
    for account_id, cached, total in repo.stale_balances():
        problems.append(f"account {account_id}: cached balance {cached} fen, postings sum to {total} fen")
    return problems


# --- reading the books (routes and the CLI) --------------------------------------------------------


def counts(session: Session) -> tuple[int, int]:
    """(journal entries, accounts) in the whole ledger."""
    return LedgerRepository(session).counts()


def holder_balance(account: LedgerAccount, platform_id: uuid.UUID | None) -> int:
    """An account's balance as its holder sees it (see ``schemas.AccountOut.holder_balance_fen``)."""
    if account.org_id == platform_id:
        return account.balance_fen if account.purpose in DEBIT_NORMAL else -account.balance_fen
    return -account.balance_fen


def my_accounts(session: Session) -> list[tuple[LedgerAccount, int]]:
    """The caller's company's accounts (tenant filter) with their holder balances."""
    repo = LedgerRepository(session)
    platform_id = repo.platform_org_id()
    return [(a, holder_balance(a, platform_id)) for a in repo.my_accounts()]


def account_postings(
    session: Session, account_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[tuple[LedgerPosting, JournalEntry]], str | None]:
    """Postings of one of the caller's accounts, newest first, each with its entry's header; another
    company's account is not found."""
    repo = LedgerRepository(session)
    account = repo.my_account(account_id)
    if account is None:
        raise AccountNotFound("ledger account not found")
    postings, next_cursor = repo.account_postings(account.id, cursor=cursor, limit=limit)
    entries = repo.entries_by_id(p.entry_id for p in postings)
    return [(p, entries[p.entry_id]) for p in postings], next_cursor


def entries(
    session: Session,
    *,
    kind: str | None = None,
    reference_type: str | None = None,
    reference_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[JournalEntry], str | None]:
    """Every company's entries (platform finance only: the route requires ``platform.finance:view``)."""
    return LedgerRepository(session).entries(
        kind=kind, reference_type=reference_type, reference_id=reference_id, cursor=cursor, limit=limit
    )


def entry_detail(
    session: Session, entry_id: uuid.UUID
) -> tuple[JournalEntry, list[tuple[LedgerPosting, LedgerAccount]]]:
    """One entry with all its legs (platform finance only)."""
    repo = LedgerRepository(session)
    entry = repo.entry(entry_id)
    if entry is None:
        raise EntryNotFound("journal entry not found")
    return entry, repo.entry_postings(entry.id)

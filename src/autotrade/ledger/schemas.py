"""ledger: API shapes (Pydantic v2). Amounts are int fen (debit > 0, credit < 0 in ``amount_fen`` and
``balance_fen``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from autotrade.ledger.models import Purpose


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AccountOut(Out):
    id: uuid.UUID
    org_id: uuid.UUID
    purpose: Purpose
    currency: str
    # The platform's books: debit > 0, credit < 0.
    balance_fen: int
    # As the holder sees it. A company's account: what the platform owes the company (> 0, e.g. a
    # supplier payable or a refund due) or what the company owes (< 0, credit receivable). The
    # platform's own accounts: the balance on the account's normal side (assets on the debit side,
    # escrow, payables and revenue on the credit side), so a positive number is the usual case.
    holder_balance_fen: int


class PostingOut(Out):
    """One posting of a company's account, with its entry's header (never the other legs)."""

    id: uuid.UUID
    entry_id: uuid.UUID
    amount_fen: int
    order_id: uuid.UUID | None
    created_at: datetime
    kind: str
    reference_type: str
    reference_id: str
    memo: str


class EntryOut(Out):
    id: uuid.UUID
    kind: str
    currency: str
    reference_type: str
    reference_id: str
    memo: str
    dedupe_key: str | None
    actor_label: str
    created_at: datetime


class EntryPostingOut(Out):
    id: uuid.UUID
    account_id: uuid.UUID
    org_id: uuid.UUID
    purpose: Purpose
    amount_fen: int
    order_id: uuid.UUID | None


class EntryDetailOut(EntryOut):
    postings: list[EntryPostingOut]


class VerifyOut(BaseModel):
    ok: bool
    problems: list[str]

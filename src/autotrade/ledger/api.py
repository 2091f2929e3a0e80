"""ledger: HTTP routes (thin: parse, call the service, shape the answer).

A company sees its own accounts and their postings (``payments:view``); platform finance
(``platform.finance:view``) reads every entry and runs the check of the books.
"""

from __future__ import annotations

import uuid

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.ledger import service
from autotrade.ledger.schemas import (
    AccountOut,
    EntryDetailOut,
    EntryOut,
    EntryPostingOut,
    PostingOut,
    VerifyOut,
)

router = api_router("/api/v1", tags=["ledger"])

VIEW = Depends(require("payments:view"))
FINANCE = Depends(require("platform.finance:view"))


@router.get("/ledger/accounts", response_model=list[AccountOut])
def list_accounts(p: Principal = VIEW, db: Session = Depends(get_db)) -> list[AccountOut]:
    return [
        AccountOut(
            id=a.id,
            org_id=a.org_id,
            purpose=a.purpose,
            currency=a.currency,
            balance_fen=a.balance_fen,
            holder_balance_fen=holder,
        )
        for a, holder in service.my_accounts(db)
    ]


@router.get("/ledger/accounts/{account_id}/postings", response_model=Page[PostingOut])
def list_postings(
    account_id: uuid.UUID,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> Page[PostingOut]:
    rows, nxt = service.account_postings(db, account_id, cursor=cursor, limit=limit)
    return Page(
        items=[
            PostingOut(
                id=posting.id,
                entry_id=posting.entry_id,
                amount_fen=posting.amount_fen,
                order_id=posting.order_id,
                created_at=posting.created_at,
                kind=entry.kind,
                reference_type=entry.reference_type,
                reference_id=entry.reference_id,
                memo=entry.memo,
            )
            for posting, entry in rows
        ],
        next_cursor=nxt,
    )


@router.get("/platform/ledger/entries", response_model=Page[EntryOut])
def list_entries(
    kind: str | None = Query(None, max_length=40),
    reference_type: str | None = Query(None, max_length=40),
    reference_id: str | None = Query(None, max_length=100),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = FINANCE,
    db: Session = Depends(get_db),
) -> Page[EntryOut]:
    rows, nxt = service.entries(
        db, kind=kind, reference_type=reference_type, reference_id=reference_id, cursor=cursor, limit=limit
    )
    return Page(items=[EntryOut.model_validate(e) for e in rows], next_cursor=nxt)


@router.get("/platform/ledger/entries/{entry_id}", response_model=EntryDetailOut)
def get_entry(entry_id: uuid.UUID, p: Principal = FINANCE, db: Session = Depends(get_db)) -> EntryDetailOut:
    entry, legs = service.entry_detail(db, entry_id)
    return EntryDetailOut(
        **EntryOut.model_validate(entry).model_dump(),
        postings=[
            EntryPostingOut(
                id=posting.id,
                account_id=account.id,
                org_id=account.org_id,
                purpose=account.purpose,
                amount_fen=posting.amount_fen,
                order_id=posting.order_id,
            )
            for posting, account in legs
        ],
    )


@router.get("/platform/ledger/verify", response_model=VerifyOut)
def verify(p: Principal = FINANCE, db: Session = Depends(get_db)) -> VerifyOut:
    problems = service.verify(db)
    return VerifyOut(ok=not problems, problems=problems)

"""``Idempotency-Key`` for POST routes.

The first request with a key runs; its response is stored in the same transaction as its writes, so
either both land or neither does. A retry with the same key and body gets the stored response; the
same key with a different body is refused. Concurrent duplicates meet the unique constraint: the loser
rolls back and answers with the winner's stored response. Records live in the database, so this holds
across app nodes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.core.errors import Conflict, ValidationFailed
from autotrade.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"


class Idempotency:
    def __init__(self, session: Session, request: Request, body: bytes, name: str) -> None:
        self.session = session
        self.request = request
        self.key = request.headers.get(HEADER)
        self.method = request.method
        self.path = request.url.path
        self.name = name
        self.request_hash = hashlib.sha256(self.method.encode() + self.path.encode() + body).hexdigest()
        if self.key is not None and not (1 <= len(self.key) <= 200):
            raise ValidationFailed("Idempotency-Key must be 1–200 characters", field="header.Idempotency-Key")

    @property
    def scope(self) -> str:
        """Keys are per caller: resolved when the request runs, after authentication."""
        p = getattr(self.request.state, "principal", None)
        who = (p.api_key_id or p.user_id) if p is not None else "anonymous"
        return f"{self.name}:{who}"

    def _stored(self) -> IdempotencyRecord | None:
        return self.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.scope == self.scope, IdempotencyRecord.key == self.key
            )
        )

    def _replay(self, rec: IdempotencyRecord) -> JSONResponse:
        if rec.request_hash != self.request_hash:
            raise Conflict(
                "This Idempotency-Key was used with a different request.",
                code="idempotency_key_reused",
                field="header.Idempotency-Key",
            )
        return JSONResponse(
            json.loads(rec.response_body),
            status_code=rec.status_code,
            headers={"Idempotent-Replayed": "true"},
        )

    def run(self, fn: Callable[[], Any], *, status_code: int = 200) -> JSONResponse:
        """Run ``fn`` once per key; ``fn`` returns the response model (or a jsonable value)."""
        if self.key is None:
            return JSONResponse(jsonable_encoder(fn()), status_code=status_code)
        rec = self._stored()
        if rec is not None:
            return self._replay(rec)
        # Claim the key before doing the work: a concurrent duplicate blocks on the unique index until
        # we commit, then fails to insert and replays our stored response instead of repeating the work.
        rec = IdempotencyRecord(
            scope=self.scope,
            key=self.key,
            method=self.method,
            path=self.path,
            request_hash=self.request_hash,
            status_code=0,
            response_body="null",
        )
        self.session.add(rec)
        try:
            self.session.flush()
        except IntegrityError:
            self.session.rollback()
            stored = self._stored()
            if stored is None:
                raise
            return self._replay(stored)
        content = jsonable_encoder(fn())
        rec.status_code = status_code
        rec.response_body = json.dumps(content, ensure_ascii=False)
        return JSONResponse(content, status_code=status_code)


def purge_expired(session: Session, ttl_seconds: int) -> int:
    cutoff = utcnow() - timedelta(seconds=ttl_seconds)
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def idempotency(name: str) -> Callable[..., Any]:
    """Dependency: ``idem: Idempotency = Depends(idempotency("checkout"))``, then ``idem.run(fn)``."""

    async def dep(request: Request) -> Idempotency:
        from autotrade.core.http import get_db

        return Idempotency(get_db(request), request, await request.body(), name)

    return dep

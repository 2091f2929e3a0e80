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
from typing import Any, cast

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from autotrade.core.db import utcnow, uuid7
from autotrade.core.errors import Conflict, ValidationFailed
from autotrade.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_TABLE = cast(Table, IdempotencyRecord.__table__)


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

    def _claim(self) -> Any:
        """INSERT the key's record unless it exists; the new record's id, or None if the key is taken.
        A concurrent first request holding the key makes this wait until it commits or rolls back."""
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(_TABLE)
            .values(
                id=uuid7(),
                scope=self.scope,
                key=self.key,
                method=self.method,
                path=self.path,
                request_hash=self.request_hash,
                status_code=0,
                response_body="null",
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["scope", "key"])
            .returning(_TABLE.c.id)
        )
        return self.session.execute(stmt).scalar()

    def run(self, fn: Callable[[], Any], *, status_code: int = 200) -> JSONResponse:
        """Run ``fn`` once per key; ``fn`` returns the response model (or a jsonable value)."""
        if self.key is None:
            return JSONResponse(_jsonable(fn()), status_code=status_code)
        # Claim the key before doing the work (one statement): a concurrent duplicate waits on the unique
        # index until we commit, then finds the key taken and replays our stored response instead.
        record_id = self._claim()
        if record_id is None:
            stored = self._stored()
            if stored is not None:
                return self._replay(stored)
            record_id = self._claim()  # the record was purged between the two statements
            if record_id is None:
                raise Conflict("Please retry this request.", code="idempotency_retry")
        body = json.dumps(_jsonable(fn()), ensure_ascii=False, separators=(",", ":"))
        self.session.execute(
            update(_TABLE).where(_TABLE.c.id == record_id).values(status_code=status_code, response_body=body)
        )
        return _Encoded(body.encode(), status_code=status_code)


class _Encoded(JSONResponse):
    """A JSON response whose body is encoded already (the same text is stored for replays)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):  # pydantic's own JSON mode: much faster than the generic encoder
        return value.model_dump(mode="json", by_alias=True)
    return jsonable_encoder(value)


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

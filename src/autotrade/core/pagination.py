"""Cursor (keyset) pagination over time-ordered UUID ids, newest first."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from autotrade.core.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (ValueError, TypeError) as e:
        raise ValidationFailed("cursor is not valid", field="query.cursor", code="invalid_cursor") from e


def paginate(
    session: Session, stmt: Select[Any], id_column: Any, *, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """Run ``stmt`` one page at a time: ``limit`` rows after ``cursor``, newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            f"limit must be between 1 and {MAX_LIMIT}", field="query.limit", code="invalid_limit"
        )
    if cursor:
        stmt = stmt.where(id_column < decode_cursor(cursor))
    rows = list(session.scalars(stmt.order_by(id_column.desc()).limit(limit + 1)))
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1].id)
    return rows, None


def page_of(
    session: Session,
    stmt: Select[Any],
    id_column: Any,
    build: Callable[[Any], T],
    *,
    cursor: str | None,
    limit: int,
) -> Page[T]:
    """One page of ``stmt`` (:func:`paginate`) with every row built into its API shape by ``build``."""
    rows, nxt = paginate(session, stmt, id_column, cursor=cursor, limit=limit)
    return Page(items=[build(r) for r in rows], next_cursor=nxt)

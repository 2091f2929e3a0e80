"""Assertion helpers shared by tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select, text

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system


def count(db: Database, model: Any, *where: Any) -> int:
    with db.transaction() as s:
        bind_system(s, "test")
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    """The SQL statements ``engine`` runs inside the block (to prove a path's round trips are fixed)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def search_documents(s: Any) -> dict[str, str]:
    """Every part's search document as stored (id hex → rank class, brand, category and text), to
    compare documents written by different paths."""
    if s.get_bind().dialect.name == "postgresql":
        rows = s.execute(
            text(
                "SELECT part_id::text, concat_ws(' | ', cls, replace(brand_id::text, '-', ''),"
                " replace(category_id::text, '-', ''), tsv::text) FROM part_search"
            )
        ).all()
    else:
        rows = s.execute(
            text(
                "SELECT part_id, (rowid >> 40) || ' | ' || brand_id || ' | ' || category_id || ' | '"
                " || title || ' | ' || body || ' | ' || tags FROM part_search_docs"
            )
        ).all()
    return {str(k).replace("-", ""): v for k, v in rows}


def table_counts(db: Database) -> dict[str, int]:
    """Row count of every table: compare before/after to prove a failed request wrote nothing."""
    from autotrade.core.db import Base

    with db.engine.connect() as conn:
        return {
            t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
            for t in Base.metadata.tables
        }


def assert_problem(r: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["title"] and body["detail"]
    assert body["request_id"] == r.headers["x-request-id"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def api_routes(app: Any) -> list[tuple[str, set[str], Any]]:
    """Every APIRoute of the app with its full path, also through FastAPI's nested included routers."""
    from fastapi.routing import APIRoute

    out: list[tuple[str, set[str], Any]] = []

    def walk(routes: Any) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                out.append((r.path, set(r.methods), r))
            elif hasattr(r, "effective_route_contexts"):
                for ctx in r.effective_route_contexts():
                    orig = ctx.original_route
                    if isinstance(orig, APIRoute):
                        out.append((ctx.path or orig.path, set(orig.methods), orig))

    walk(app.routes)
    return out

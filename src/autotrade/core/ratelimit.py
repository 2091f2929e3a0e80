"""Fixed-window rate limits whose counters are shared by every app node: in the database by default,
in Redis when ``AUTOTRADE_REDIS_URL`` is set."""

from __future__ import annotations

import time
from typing import Any, Protocol

from sqlalchemy import literal_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from autotrade.core.errors import RateLimited
from autotrade.core.models import RateLimitCounter


class RateLimiter(Protocol):
    def hit(self, session: Session, key: str, limit: int, window_seconds: int) -> int:
        """Count one hit; raise RateLimited when the window already holds ``limit`` hits."""
        ...


def _window(window_seconds: int) -> tuple[int, int]:
    now = int(time.time())
    start = now - now % window_seconds
    return start, start + window_seconds - now


class DatabaseRateLimiter:
    """One atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per hit; safe across processes."""

    def hit(self, session: Session, key: str, limit: int, window_seconds: int) -> int:
        start, retry_after = _window(window_seconds)
        dialect = session.get_bind().dialect.name
        ins: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(RateLimitCounter)
        stmt = (
            ins.values(key=key, window_start=start, count=1)
            .on_conflict_do_update(
                index_elements=["key", "window_start"],
                set_={"count": RateLimitCounter.count + 1},
            )
            .returning(literal_column("count"))
        )
        count = int(session.execute(stmt).scalar_one())
        if count > limit:
            raise RateLimited(
                f"Too many attempts; retry in {retry_after} s.", headers={"Retry-After": str(retry_after)}
            )
        return count


class RedisRateLimiter:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def hit(self, session: Session, key: str, limit: int, window_seconds: int) -> int:
        start, retry_after = _window(window_seconds)
        rkey = f"autotrade:rl:{key}:{start}"
        pipe = self._redis.pipeline()
        pipe.incr(rkey)
        pipe.expire(rkey, window_seconds + 5)
        count = int(pipe.execute()[0])
        if count > limit:
            raise RateLimited(
                f"Too many attempts; retry in {retry_after} s.", headers={"Retry-After": str(retry_after)}
            )
        return count


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else DatabaseRateLimiter()

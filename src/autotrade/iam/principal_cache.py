"""A short-lived, per-process cache of the principal behind a bearer access token (decision 0004).

Authenticating a JWT costs four queries (user, company, permissions, branch subtree) on every request;
on the checkout path that is a third of the work. The cache keeps the resolved :class:`Principal` for
``auth_cache_seconds``. The token's signature and expiry are still checked on every request. A commit on
this process that touched users, roles, companies, API keys or sessions clears the whole cache, so a
change made here applies to the next request; other app nodes apply it within the TTL.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from autotrade.core.tenancy import Principal

MAX_ENTRIES = 10_000
_DIRTY_KEY = "auth_cache_dirty"


class PrincipalCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        hit = self._entries.get(token)
        if hit is None:
            return None
        if hit[0] <= time.monotonic():
            with self._lock:
                self._entries.pop(token, None)
            return None
        return hit[1]

    def put(self, token: str, principal: Principal, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # rare: cheaper than tracking recency on every hit
            self._entries[token] = (time.monotonic() + ttl, principal)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


cache = PrincipalCache()


def _auth_models() -> tuple[type[Any], ...]:
    from autotrade.iam.models import ApiKey, AuthSession, Role, User, UserRole
    from autotrade.orgs.models import Org

    return (User, UserRole, Role, Org, ApiKey, AuthSession)


def _note_auth_changes(session: Session, _ctx: UOWTransaction) -> None:
    if session.info.get(_DIRTY_KEY):
        return
    models = _auth_models()
    for objs in (session.new, session.dirty, session.deleted):
        if any(isinstance(o, models) for o in objs):
            session.info[_DIRTY_KEY] = True
            return


def _clear_after_commit(session: Session) -> None:
    if session.info.pop(_DIRTY_KEY, False):
        cache.clear()


def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_DIRTY_KEY, None)


if not event.contains(Session, "after_flush", _note_auth_changes):
    event.listen(Session, "after_flush", _note_auth_changes)
    event.listen(Session, "after_commit", _clear_after_commit)
    event.listen(Session, "after_soft_rollback", lambda s, _t: _forget_on_rollback(s))

"""The per-process principal cache (decision 0004): fewer queries per request, and a change committed
on this node applies to the very next request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update

from autotrade.iam.models import User
from autotrade.iam.principal_cache import cache


class QueryCounter:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.count = 0

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)

    def _on(self, *args: Any) -> None:
        self.count += 1


def test_second_request_with_the_same_token_skips_the_principal_queries(client, world, db):
    h = world.h("a_viewer")
    cache.clear()
    with QueryCounter(db.engine) as first:
        assert client.get("/api/v1/me", headers=h).status_code == 200
    with QueryCounter(db.engine) as second:
        assert client.get("/api/v1/me", headers=h).status_code == 200
    assert second.count <= first.count - 3, (first.count, second.count)


def test_disabling_a_user_applies_to_their_next_request(client, world):
    h = world.h("a_viewer")
    assert client.get("/api/v1/me", headers=h).status_code == 200  # cached now
    r = client.patch(
        f"/api/v1/users/{world.users['a_viewer']}", json={"status": "disabled"}, headers=world.h("a_owner")
    )
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/me", headers=h).status_code == 401


def test_a_change_made_elsewhere_applies_after_the_ttl_and_zero_disables_the_cache(client, world, db, app):
    h = world.h("a_viewer")
    assert client.get("/api/v1/me", headers=h).status_code == 200
    # Another node disables the user: this process hears nothing, so the cached principal still answers.
    users = User.__table__
    with db.engine.begin() as conn:  # plain SQL on another connection: no session hook on this node
        conn.execute(update(users).where(users.c.id == world.users["a_viewer"]).values(status="disabled"))
    assert client.get("/api/v1/me", headers=h).status_code == 200
    app.state.settings.auth_cache_seconds = 0
    cache.clear()  # what the TTL does after auth_cache_seconds
    assert client.get("/api/v1/me", headers=h).status_code == 401
    assert len(cache) == 0

"""Real concurrent transactions on PostgreSQL: no overselling, no deadlocks, levels = movements."""

from __future__ import annotations

import random
import threading

import pytest

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.inventory import service
from autotrade.inventory.errors import InsufficientStock
from autotrade.inventory.repository import StockRepository
from autotrade.inventory.service import StockLine
from tests.inventory.conftest import levels, tx


@pytest.mark.postgres_only
def test_concurrent_multi_line_reservations_never_oversell_or_deadlock(db_url, db, parts, supplier):
    w1, w2 = supplier.warehouses["W1"], supplier.warehouses["W2"]
    keys = [
        (w1, parts.ids["pad"]),
        (w1, parts.ids["disc"]),
        (w2, parts.ids["pad"]),
        (w2, parts.ids["filter"]),
    ]
    stock = {keys[0]: 30, keys[1]: 500, keys[2]: 500, keys[3]: 500}  # keys[0] is the hot one
    with tx(db) as s:
        for (w, p), q in stock.items():
            service.receive(s, w, p, q)
    workers = Database(db_url, pool_size=20, max_overflow=40)
    outcomes: list[tuple[str, dict[tuple, int]]] = []
    lock = threading.Lock()
    start = threading.Barrier(60)

    def buyer(n: int) -> None:
        rnd = random.Random(n)
        start.wait()
        for i in range(5):
            chosen = rnd.sample(keys, rnd.randint(1, 4))  # random order: the service sorts
            wanted = {k: rnd.randint(1, 3) for k in chosen}
            try:
                with workers.transaction() as s:
                    bind_system(s, f"buyer-{n}")
                    service.reserve(
                        s,
                        [StockLine(w, p, q) for (w, p), q in wanted.items()],
                        reference_type="order",
                        reference_id=f"{n}-{i}",
                    )
                result = "ok"
            except InsufficientStock:
                result = "short"
            except Exception as e:
                result = f"error: {e!r}"
            with lock:
                outcomes.append((result, wanted))

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    workers.dispose()

    assert [o for o, _ in outcomes if o.startswith("error")] == []
    sold = {k: 0 for k in keys}
    for result, wanted in outcomes:
        if result == "ok":
            for k, q in wanted.items():
                sold[k] += q
    assert any(r == "short" for r, _ in outcomes)  # the hot level sold out
    now = levels(db)
    for k in keys:
        assert now[k] == (stock[k], sold[k])
        assert sold[k] <= stock[k]
    with tx(db) as s:
        assert StockRepository(s).mismatches() == []

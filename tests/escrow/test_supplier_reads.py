"""The supplier's escrow reads (settlement page): releases of its orders, what its orders hold."""

from __future__ import annotations

from autotrade.core.tenancy import current_principal
from autotrade.escrow import service as escrow
from autotrade.settlement import service as settlement
from tests.escrow.conftest import received, step
from tests.orders.conftest import Market, as_company, pay


def test_releases_per_order_held_and_payable_for_the_supplier(m: Market) -> None:
    waiting = m.order("a_owner", [("toyota_pad", 1)])
    pay(m, waiting["id"])  # 11,300 held
    first = received(m, [("toyota_pad", 2)])  # 22,600 gross, 678 commission
    step(m, "a_owner", f"/orders/{first['id']}/complete")
    second = received(m, [("brembo_disc", 2)])  # 67,800 gross, 200 bp: 1,356 commission
    step(m, "a_owner", f"/orders/{second['id']}/complete")

    with as_company(m.db, m.world.orgs["b"]) as s:
        p = current_principal(s)
        assert p is not None
        rows, nxt = escrow.supplier_releases(s, p, cursor=None, limit=1)
        assert nxt is not None  # newest first, one per page
        assert [(number, r.amount_fen, r.commission_fen, r.payable_fen) for r, number in rows] == [
            (second["number"], 67_800, 1_356, 66_444)
        ]
        rows, nxt = escrow.supplier_releases(s, p, cursor=nxt, limit=1)
        assert [(number, r.payable_fen) for r, number in rows] == [(first["number"], 21_922)] and nxt is None
        assert escrow.held_for_supplier(s, p) == 11_300
        assert settlement.my_payable(s) == 21_922 + 66_444

    # the buyer sees none of it as a supplier; a stranger neither
    for org in ("a", "c"):
        with as_company(m.db, m.world.orgs[org]) as s:
            p = current_principal(s)
            assert p is not None
            assert escrow.supplier_releases(s, p, cursor=None, limit=10) == ([], None)
            assert escrow.held_for_supplier(s, p) == 0
            assert settlement.my_payable(s) == 0

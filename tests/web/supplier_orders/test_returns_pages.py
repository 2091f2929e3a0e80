"""Returns to handle: approve or reject, receive the goods back, restock or scrap — checked through
the API and stock levels afterwards; errors keep the input and change nothing."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.orders.conftest import Market, pay
from tests.web.supplier_orders.conftest import api, as_page_user, field_error, get_api, page, paid, submit


def _received_with_return(
    m: Market, part: str = "bosch_pad", quantity: int = 4, refused: int = 1
) -> dict[str, Any]:
    """An order of A from B, shipped and delivered; A accepts all but ``refused`` pieces: a return."""
    o = paid(m, [(part, quantity)])
    api(m, "b_owner", f"/orders/{o['id']}/confirm")
    api(m, "b_owner", f"/orders/{o['id']}/shipments", {"carrier": "顺丰", "tracking_number": "SF1"})
    api(m, "b_owner", f"/orders/{o['id']}/deliver")
    out = api(
        m,
        "a_owner",
        f"/orders/{o['id']}/receive",
        {
            "lines": [{"line_id": o["lines"][0]["id"], "accepted_quantity": quantity - refused}],
            "reason": "包装破损",
        },
    )
    o["return_id"] = out["return_id"]
    return o


def _return(m: Market, return_id: str) -> dict[str, Any]:
    out: dict[str, Any] = get_api(m, "b_owner", f"/returns/{return_id}")
    return out


def test_returns_list_and_the_whole_way_to_restocked(m: Market) -> None:
    o = _received_with_return(m)
    rid = o["return_id"]
    as_page_user(m, "b_owner")
    html = page(m, "/supplier/returns?lang=en")
    assert "<h1>Returns</h1>" in html and f'data-id="{rid}"' in html
    assert o["number"] in html and "包装破损" in html and "A 汽修连锁" in html
    assert "Awaiting your decision" in html and "Approve return" in html and "Reject return" in html
    assert "<h1>退货</h1>" in page(m, "/supplier/returns?lang=zh_CN")

    submit(m, f"/supplier/returns/{rid}/approve", {"note": "请寄回杭州仓", "status": "open"})
    assert (_return(m, rid)["status"], _return(m, rid)["decision_note"]) == ("approved", "请寄回杭州仓")
    assert "Waiting for the buyer to ship the goods back." in page(m, "/supplier/returns?lang=en")

    api(m, "a_owner", f"/returns/{rid}/ship", {"carrier": "中通", "tracking_number": "ZT9"})
    html = page(m, "/supplier/returns?lang=en")
    assert "ZT9" in html and "Goods received" in html
    held = get_api(m, "b_owner", f"/orders/{o['id']}/escrow")["held_fen"]
    submit(m, f"/supplier/returns/{rid}/receive", {"status": "open"})
    assert _return(m, rid)["status"] == "received"
    assert get_api(m, "b_owner", f"/orders/{o['id']}/escrow")["held_fen"] == held - 9_040  # 1 piece refunded

    before = m.level("b_nb", "bosch_pad")
    r = submit(
        m, f"/supplier/returns/{rid}/restock?lang=en", {"warehouse_id": "", "status": "open"}, status=422
    )
    assert field_error(r.text, "warehouse_id") == "Choose the warehouse the goods go back into."
    assert _return(m, rid)["status"] == "received"
    submit(
        m, f"/supplier/returns/{rid}/restock", {"warehouse_id": str(m.warehouses["b_nb"]), "status": "open"}
    )
    assert _return(m, rid)["status"] == "restocked"
    assert m.level("b_nb", "bosch_pad") == (before[0] + 1, before[1])
    assert f'data-id="{rid}"' not in page(m, "/supplier/returns")
    closed = page(m, "/supplier/returns?status=closed&lang=en")
    assert f'data-id="{rid}"' in closed and "Restocked" in closed
    # the order's own page lists it
    assert "Restocked" in page(m, f"/supplier/orders/{o['id']}?lang=en")


def test_reject_and_scrap(m: Market) -> None:
    rejected = _received_with_return(m)
    scrapped = _received_with_return(m, refused=2)
    as_page_user(m, "b_owner")
    submit(m, f"/supplier/returns/{rejected['return_id']}/reject", {"note": "非质量问题", "status": "open"})
    assert _return(m, rejected["return_id"])["status"] == "rejected"

    rid = scrapped["return_id"]
    submit(m, f"/supplier/returns/{rid}/approve", {"status": "open"})
    api(m, "a_owner", f"/returns/{rid}/ship", {"carrier": "中通", "tracking_number": "ZT1"})
    as_page_user(m, "b_warehouse")  # warehouse staff take the goods in
    assert "Approve return" not in page(m, "/supplier/returns?lang=en")
    submit(m, f"/supplier/returns/{rid}/receive", {})
    level = m.level("b_hz", "bosch_pad")
    submit(m, f"/supplier/returns/{rid}/scrap", {})
    assert _return(m, rid)["status"] == "scrapped"
    assert m.level("b_hz", "bosch_pad") == level


def test_return_errors_keep_the_input_and_change_nothing(m: Market) -> None:
    o = _received_with_return(m)
    rid = o["return_id"]
    as_page_user(m, "b_owner")
    # an illegal step (receive before the buyer shipped anything back): shown in the row, nothing moves
    r = submit(m, f"/supplier/returns/{rid}/receive?lang=en", {"status": "open"}, status=409)
    assert "This return cannot do that in its current state." in r.text
    assert _return(m, rid)["status"] == "requested"
    # a note that is too long keeps what was typed
    r = submit(
        m, f"/supplier/returns/{rid}/approve?lang=en", {"note": "很长" * 600, "status": "open"}, status=422
    )
    assert field_error(r.text, "note") == "This is too long."
    assert ("很长" * 600) in r.text
    assert _return(m, rid)["status"] == "requested"
    # warehouse staff may not decide
    as_page_user(m, "b_warehouse")
    submit(m, f"/supplier/returns/{rid}/approve", {}, status=403)
    assert _return(m, rid)["status"] == "requested"


def test_restock_into_another_companys_warehouse_is_refused(m: Market) -> None:
    o = _received_with_return(m)
    rid = o["return_id"]
    as_page_user(m, "b_owner")
    submit(m, f"/supplier/returns/{rid}/approve", {})
    api(m, "a_owner", f"/returns/{rid}/ship", {"carrier": "中通", "tracking_number": "ZT2"})
    submit(m, f"/supplier/returns/{rid}/receive", {})
    c_level = m.level("c_hz", "bosch_pad")
    r = submit(
        m, f"/supplier/returns/{rid}/restock?lang=en", {"warehouse_id": str(m.warehouses["c_hz"])}, status=404
    )
    assert field_error(r.text, "warehouse_id") == "Choose one of your warehouses."
    assert re.search(rf'<option value="{m.warehouses["b_hz"]}"', r.text)
    assert _return(m, rid)["status"] == "received"
    assert m.level("c_hz", "bosch_pad") == c_level


def test_a_foreign_return_or_my_own_as_buyer_is_not_found(m: Market) -> None:
    foreign = _received_with_return(m)  # A returns to B: C is a stranger to it
    # B buys from C and refuses a piece: B is the buyer of that return, not its supplier
    o = m.order("b_owner", [("trw_pad", 2)])
    pay(m, o["id"])
    for path, body in (
        ("confirm", None),
        ("shipments", {"carrier": "顺丰", "tracking_number": "SF7"}),
        ("deliver", None),
    ):
        api(m, "c_owner", f"/orders/{o['id']}/{path}", body)
    own = api(
        m,
        "b_owner",
        f"/orders/{o['id']}/receive",
        {"lines": [{"line_id": o["lines"][0]["id"], "accepted_quantity": 1}], "reason": "型号不符"},
    )["return_id"]

    as_page_user(m, "c_owner")
    assert foreign["return_id"] not in page(m, "/supplier/returns?status=all")
    as_page_user(m, "b_owner")
    assert own not in page(m, "/supplier/returns?status=all")
    for who, rid in (("c_owner", foreign["return_id"]), ("b_owner", own), ("b_owner", str(uuid.uuid4()))):
        as_page_user(m, who)
        for action in ("approve", "reject", "receive", "restock", "scrap"):
            r = submit(
                m,
                f"/supplier/returns/{rid}/{action}",
                {"warehouse_id": str(m.warehouses["b_hz"])},
                status=404,
            )
            assert "页面不存在" in r.text
    assert _return(m, foreign["return_id"])["status"] == "requested"
    assert get_api(m, "c_owner", f"/returns/{own}")["status"] == "requested"


def test_empty_returns_page_says_what_happens(m: Market) -> None:
    as_page_user(m, "b_owner")
    html = page(m, "/supplier/returns?lang=en")
    assert "No returns to handle." in html and 'href="/supplier/orders"' in html

"""Commission rates: platform finance manages them (category subtree, effective dates); each order line
is charged the rate in force when the order was placed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from autotrade.catalog.models import Category
from autotrade.core.tenancy import bind_system
from tests.escrow.conftest import books, escrow, received, step
from tests.helpers import assert_problem, table_counts

RATES = "/api/v1/platform/commission-rates"


def _category(m, code: str) -> str:
    with m.db.session() as s:
        bind_system(s, "test")
        return str(s.scalars(select(Category.id).where(Category.code == code)).one())


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def test_the_defaults_of_the_brief_are_seeded(m):
    r = m.client.get(RATES, headers=m.world.h("admin"))
    assert r.status_code == 200, r.text
    got = sorted(
        (x["trade_type"], x["category_id"], x["rate_bp"], x["effective_until"]) for x in r.json()["items"]
    )
    assert got == [
        ("new_vehicle", None, 100, None),
        ("parts", None, 200, None),
        ("used_vehicle", None, 250, None),
        ("wear_parts", None, 300, None),
    ]


def test_category_rates_and_effective_dates_decide_each_line(m):
    h = m.world.h("admin")
    now = datetime.now(UTC)
    brake, pad = _category(m, "BRAKE"), _category(m, "BRAKE.PAD")
    expired = {
        "trade_type": "parts",
        "category_id": brake,
        "rate_bp": 50,
        "effective_from": "2020-01-01T00:00:00+08:00",
        "effective_until": "2021-01-01T00:00:00+08:00",
        "note": "old promotion",
    }
    assert m.client.post(RATES, json=expired, headers=h).status_code == 201
    brake_rate = {
        "trade_type": "parts",
        "category_id": brake,
        "rate_bp": 120,
        "effective_from": "2021-01-01T00:00:00Z",
    }
    assert m.client.post(RATES, json=brake_rate, headers=h).status_code == 201
    r = m.client.post(
        RATES,
        json={
            "trade_type": "wear_parts",
            "category_id": pad,
            "rate_bp": 350,
            "effective_from": "2021-01-01T00:00:00Z",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    pad_rate = r.json()
    future = {
        "trade_type": "parts",
        "category_id": None,
        "rate_bp": 999,
        "effective_from": _iso(now + timedelta(days=30)),
    }
    r = m.client.post(RATES, json={**future, "trade_type": "wear_parts"}, headers=h)
    assert_problem(r, 409, "commission_rate_overlap", "effective_from")  # the open-ended default

    o = received(m, [("toyota_pad", 1), ("brembo_disc", 2), ("vw_filter", 4)])  # placed now
    # After the order was placed the pad rate ends and a higher one starts: the order keeps 350 bp.
    end = datetime.now(UTC) + timedelta(seconds=1)
    r = m.client.patch(f"{RATES}/{pad_rate['id']}", json={"effective_until": _iso(end)}, headers=h)
    assert r.status_code == 200, r.text
    r = m.client.post(
        RATES,
        json={"trade_type": "wear_parts", "category_id": pad, "rate_bp": 800, "effective_from": _iso(end)},
        headers=h,
    )
    assert r.status_code == 201, r.text
    step(m, "a_owner", f"/orders/{o['id']}/complete")
    lines = escrow(m, o["id"], "b_owner")["commission_lines"]
    # pad 11,300 × 3.5 % = 395.5 → 396 | discs 67,800 × 1.2 % = 813.6 → 814 (BRAKE subtree) |
    # filters 15,065 × 3 % = 451.95 → 452 (default wear parts)
    assert [(x["trade_type"], x["rate_bp"], x["base_fen"], x["commission_fen"]) for x in lines] == [
        ("wear_parts", 350, 11_300, 396),
        ("parts", 120, 67_800, 814),
        ("wear_parts", 300, 15_065, 452),
    ]
    b = books(m, o["id"])
    total = 11_300 + 67_800 + 15_065
    assert (b.held, b.commission, b.payable, b.problems) == (0, 1_662, total - 1_662, [])


def test_rate_changes_are_checked_and_refusals_change_nothing(m):
    h = m.world.h("admin")
    pad = _category(m, "BRAKE.PAD")
    now = datetime.now(UTC)
    later = {
        "trade_type": "wear_parts",
        "category_id": pad,
        "rate_bp": 400,
        "effective_from": _iso(now + timedelta(days=10)),
    }
    r = m.client.post(RATES, json=later, headers=h)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    default = next(
        x["id"] for x in m.client.get(RATES, headers=h).json()["items"] if x["trade_type"] == "parts"
    )
    m.world.h("b_owner")
    before = table_counts(m.db)
    for method, path, body, status, code, field in [
        ("post", RATES, {**later, "effective_from": "2027-01-01T00:00:00"}, 422, "validation_error", None),
        ("post", RATES, {**later, "rate_bp": 10_001}, 422, "validation_error", None),
        (
            "post",
            RATES,
            {**later, "category_id": "00000000-0000-7000-8000-000000000009"},
            422,
            "category_not_found",
            "category_id",
        ),
        (
            "post",
            RATES,
            {**later, "effective_until": _iso(now + timedelta(days=5))},
            422,
            "invalid_commission_rate",
            "effective_until",
        ),
        ("post", RATES, later, 409, "commission_rate_overlap", "effective_from"),
        ("patch", f"{RATES}/{default}", {"rate_bp": 1}, 409, "commission_rate_in_force", "rate_bp"),
        (
            "patch",
            f"{RATES}/{default}",
            {"effective_until": "2020-01-01T00:00:00Z"},
            409,
            "commission_rate_in_force",
            "effective_until",
        ),
        (
            "patch",
            f"{RATES}/00000000-0000-7000-8000-000000000009",
            {"note": "x"},
            404,
            "commission_rate_not_found",
            None,
        ),
    ]:
        r = getattr(m.client, method)(path, json=body, headers=h)
        assert_problem(r, status, code, *((field,) if field else ()))
    for who in ("b_owner", "risk"):
        assert m.client.post(RATES, json=later, headers=m.world.h(who)).status_code == 403
        assert m.client.get(RATES, headers=m.world.h(who)).status_code == 403
    assert table_counts(m.db) == before
    r = m.client.patch(f"{RATES}/{rid}", json={"rate_bp": 450, "note": "未生效可改"}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["rate_bp"], r.json()["note"]) == (450, "未生效可改")

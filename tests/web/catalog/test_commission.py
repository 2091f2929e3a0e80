"""Commission rates page: the rates by trade type and category with their dates and state; add a
rate from a future date (an open-ended rate then ends when it starts); errors next to the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from autotrade.catalog.repository import CategoryRepository
from autotrade.core.db import utcnow
from autotrade.core.tenancy import bind_system
from autotrade.escrow import rates
from autotrade.escrow.models import CommissionRate
from autotrade.escrow.schemas import RateIn
from tests.helpers import table_counts
from tests.web.catalog.conftest import field_error, login, post, value_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _rates(w: Any) -> list[CommissionRate]:
    with w.db.transaction() as s:
        bind_system(s, "test")
        rows = list(s.scalars(select(CommissionRate).order_by(CommissionRate.effective_from)))
        for r in rows:
            s.expunge(r)
        return rows


def _current_rate(w: Any, bp: int, category: str | None = None) -> Any:
    with w.db.transaction() as s:
        bind_system(s, "test")
        cat = CategoryRepository(s).by_code(category).id if category else None
        start = datetime(2020, 1, 1, tzinfo=UTC)
        return rates.create_rate(
            s, RateIn(trade_type="parts", category_id=cat, rate_bp=bp, effective_from=start)
        ).id


SEEDED_PARTS_RATE = "01900000-0000-7000-8000-00000000e004"  # migration 0011: parts 2 % from 2000-01-01


def test_rates_are_listed_with_their_state(cw: Any) -> None:
    brake = _current_rate(cw, 350, "BRAKE")
    c = login(cw, "admin")
    page = c.get("/platform/commission?lang=en").text
    assert page.count('<tr data-id="') == 5  # the four seeded rates and this one
    assert f'<tr data-id="{brake}">' in page
    assert '<td class="catalog-num">3.5 %</td>' in page and '<td class="catalog-num">2.5 %</td>' in page
    assert "Brakes <code" in page and "<td>All categories</td>" in page
    assert '<span class="badge catalog-rate-in_force">In force</span>' in page
    assert "<td>open end</td>" in page
    zh = c.get("/platform/commission?lang=zh_CN").text
    assert "生效中" in zh and "<td>配件</td>" in zh and "<td>易损件</td>" in zh
    wear = c.get("/platform/commission?trade_type=wear_parts&lang=en").text
    assert wear.count('<tr data-id="') == 1 and '<td class="catalog-num">3 %</td>' in wear


def test_empty_state_says_what_to_do(cw: Any) -> None:
    with cw.db.transaction() as s:
        bind_system(s, "test")
        for r in s.scalars(select(CommissionRate)):
            s.delete(r)
    c = login(cw, "finance")
    page = c.get("/platform/commission?lang=en").text
    assert "No commission rates: orders pay no commission. Add a rate below." in page


def test_add_a_future_rate_ends_the_open_ended_one(cw: Any) -> None:
    current = SEEDED_PARTS_RATE
    c = login(cw, "finance")
    c.get("/platform/commission")
    start = (
        (utcnow() + timedelta(days=30))
        .astimezone(SHANGHAI)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    r = post(
        c,
        "/platform/commission",
        {
            "trade_type": "parts",
            "category_id": "",
            "rate_percent": "2.75",
            "effective_from": start.strftime("%Y-%m-%dT%H:%M"),
            "effective_until": "",
            "note": "2027 年调价",
        },
    )
    assert (r.status_code, r.headers["location"]) == (303, "/platform/commission")
    by_id = {str(r.id): r for r in _rates(cw)}
    old = by_id[current]
    new = next(r for r in by_id.values() if r.rate_bp == 275)
    assert old.effective_until == start
    assert (new.rate_bp, new.effective_from, new.effective_until, new.note, new.category_id) == (
        275,
        start,
        None,
        "2027 年调价",
        None,
    )
    page = c.get("/platform/commission?lang=en").text
    assert "Commission rate added." in page
    assert '<span class="badge catalog-rate-scheduled">Scheduled</span>' in page
    # A category rate starting later does not touch the general rates.
    with cw.db.transaction() as s:
        bind_system(s, "test")
        pads = CategoryRepository(s).by_code("BRAKE.PAD").id
    later = start + timedelta(days=1)
    r = post(
        c,
        "/platform/commission",
        {
            "trade_type": "wear_parts",
            "category_id": str(pads),
            "rate_percent": "4",
            "effective_from": later.strftime("%Y-%m-%dT%H:%M"),
            "effective_until": "",
            "note": "",
        },
    )
    assert r.status_code == 303
    assert [(x.trade_type, x.category_id, x.rate_bp) for x in _rates(cw) if x.category_id] == [
        ("wear_parts", pads, 400)
    ]
    assert (
        by_id["01900000-0000-7000-8000-00000000e003"].effective_until is None
    )  # general wear-parts rate stays


def test_form_errors_keep_the_input_and_change_nothing(cw: Any) -> None:
    c = login(cw, "admin")
    c.get("/platform/commission")
    before = table_counts(cw.db)
    future = (utcnow() + timedelta(days=3)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    base = {
        "trade_type": "parts",
        "category_id": "",
        "rate_percent": "2.5",
        "effective_from": future,
        "effective_until": "",
        "note": "备注",
    }
    r = post(c, "/platform/commission?lang=en", {**base, "rate_percent": "2.555"})
    assert r.status_code == 422
    assert (
        field_error(r.text, "rate", "rate_percent")
        == "Enter a percentage with at most two decimals, e.g. 2.5."
    )
    assert value_of(r.text, "rate", "rate_percent") == "2.555" and value_of(r.text, "rate", "note") == "备注"
    r = post(c, "/platform/commission?lang=en", {**base, "rate_percent": "101"})
    assert field_error(r.text, "rate", "rate_percent") == "This number is too large."
    r = post(c, "/platform/commission?lang=en", {**base, "effective_from": "2020-01-01T00:00"})
    assert r.status_code == 422
    assert field_error(r.text, "rate", "effective_from") == "A new rate must start in the future."
    assert value_of(r.text, "rate", "effective_from") == "2020-01-01T00:00"
    r = post(c, "/platform/commission?lang=en", {**base, "effective_from": "next week"})
    assert field_error(r.text, "rate", "effective_from") == "Enter a date and time."
    r = post(c, "/platform/commission?lang=en", {**base, "effective_until": future})
    assert field_error(r.text, "rate", "effective_until") == "The end must be after the start."
    r = post(c, "/platform/commission?lang=en", {**base, "trade_type": "boats"})
    assert field_error(r.text, "rate", "trade_type") == "Choose one of the listed values."
    r = post(
        c, "/platform/commission?lang=en", {**base, "category_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert r.status_code == 422
    assert field_error(r.text, "rate", "category_id") == "Choose one of the listed categories."
    assert table_counts(cw.db) == before
    # A scheduled rate with an end clashes with a second one over the same days.
    end = (utcnow() + timedelta(days=10)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    assert (
        post(
            c, "/platform/commission", {**base, "trade_type": "new_vehicle", "effective_until": end}
        ).status_code
        == 303
    )
    base["trade_type"] = "new_vehicle"
    before = table_counts(cw.db)
    r = post(c, "/platform/commission?lang=en", {**base, "effective_until": end, "rate_percent": "3"})
    assert r.status_code == 409
    assert (
        field_error(r.text, "rate", "effective_from")
        == "Another rate of this trade type and category covers part of this period."
    )
    assert table_counts(cw.db) == before


def test_only_platform_finance_may_add_rates(cw: Any) -> None:
    seeded = len(_rates(cw))
    future = (utcnow() + timedelta(days=3)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    for who in ("cat_manager", "cat_viewer", "b_owner"):
        c = login(cw, who)
        c.get("/dashboard")
        r = post(
            c, "/platform/commission", {"trade_type": "parts", "rate_percent": "1", "effective_from": future}
        )
        assert r.status_code == 403, who
    assert len(_rates(cw)) == seeded

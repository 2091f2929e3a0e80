"""Price comparison (GET /api/v1/compare): interchange group, price for this buyer, stock, distance,
ETA, landed cost, filters and sorting, in a fixed number of statements."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.inventory import service as inventory
from autotrade.inventory.schemas import WarehouseIn
from autotrade.pricing import compare
from autotrade.pricing.compare import haversine_km
from autotrade.pricing.models import OfferStatus
from tests.helpers import assert_problem
from tests.pricing.conftest import make_offer, make_supplier
from tests.pricing.test_quotes import _count_statements, buyer_session

HZ = (30.28, 120.13)  # the buyer (company A's profile) and supplier one's local warehouse
SH = (31.23, 121.47)
BJ = (39.90, 116.40)


def warehouse(
    db: Database,
    org: uuid.UUID,
    code: str,
    where: tuple[float, float],
    city: str,
    stock: dict[uuid.UUID, int],
) -> uuid.UUID:
    with db.transaction() as s:
        bind_system(s, "test")
        wh = inventory.create_warehouse(
            s,
            org,
            WarehouseIn(
                code=code,
                name=code,
                province="x",
                city=city,
                address="x",
                latitude=where[0],
                longitude=where[1],
            ),
        )
        for part, q in stock.items():
            inventory.receive(s, wh.id, part, q)
        return wh.id


@pytest.fixture
def market(db: Database, world: Any, catalog: Any) -> dict[str, Any]:
    p = catalog.parts
    s1, s2, s3, s4, s5 = (make_supplier(db, f"供应商{i}") for i in range(1, 6))
    m: dict[str, Any] = {"s1": s1, "s2": s2, "s3": s3}
    m["o1"] = make_offer(db, org=s1, part=p["toyota_pad"], list_price_fen=10_000, lead_time_days=1)
    m["o2"] = make_offer(db, org=s2, part=p["bosch_pad"], list_price_fen=8_000)
    m["o3"] = make_offer(db, org=s3, part=p["trw_pad"], list_price_fen=6_000, lead_time_days=2)
    make_offer(db, org=s4, part=p["brembo_disc"], list_price_fen=1_000)  # another group: never listed
    make_offer(db, org=s5, part=p["toyota_pad"], list_price_fen=1_000, status=OfferStatus.paused)  # paused
    m["w1"] = warehouse(db, s1, "HZ", HZ, "杭州市", {p["toyota_pad"]: 100})
    warehouse(db, s1, "BJ", BJ, "北京市", {p["toyota_pad"]: 1_000})
    m["w2"] = warehouse(db, s2, "SH", SH, "上海市", {p["bosch_pad"]: 3, p["toyota_pad"]: 50})
    warehouse(db, s3, "EMPTY", SH, "上海市", {p["vw_filter"]: 5})
    return m


def test_compare_lists_the_group_priced_for_me(client, world, catalog, market):
    r = client.get(
        f"/api/v1/compare?part_id={catalog.parts['toyota_pad']}&quantity=10", headers=world.h("a_purchaser")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["latitude"], body["longitude"], body["sort"], body["quantity"]) == (*HZ, "landed", 10)
    d = round(haversine_km(*HZ, *SH), 1)
    assert 160 < d < 175
    got = [
        (
            i["offer_id"],
            i["relation"],
            i["quality_grade"],
            i["unit_price_fen"],
            i["net_fen"],
            i["available_total"],
            i["nearest_available"],
            i["distance_km"],
            i["eta_days"],
            i["freight_fen"],
            i["landed_fen"],
            i["enough_stock"],
            i["flags"],
        )
        for i in body["items"]
    ]
    assert got == [
        (str(market["o1"]), "requested", "oe", 10_000, 100_000, 1_100, 100, 0.0, 1, 1_000, 101_000, True, []),
        (
            str(market["o3"]),
            "interchange",
            "aftermarket",
            6_000,
            60_000,
            0,
            0,
            None,
            None,
            6_000,
            66_000,
            False,
            ["no_stock"],
        ),
        (
            str(market["o2"]),
            "interchange",
            "oem",
            8_000,
            80_000,
            3,
            3,
            d,
            1,
            1_000 + 5 * math.ceil(d),
            80_000 + 1_000 + 5 * math.ceil(d),
            False,
            ["insufficient_stock"],
        ),
    ]
    first = body["items"][0]
    assert (
        first["supplier_name"],
        first["supplier_rating"],
        first["nearest_warehouse_id"],
        first["vat_fen"],
    ) == (
        "供应商1",
        None,
        str(market["w1"]),
        13_000,
    )


def _ids(client: Any, world: Any, query: str) -> list[str]:
    r = client.get(f"/api/v1/compare?{query}", headers=world.h("a_purchaser"))
    assert r.status_code == 200, r.text
    return [i["offer_id"] for i in r.json()["items"]]


def test_filters_and_sorting(client, world, catalog, market):
    pad = catalog.parts["toyota_pad"]
    o1, o2, o3 = (str(market[k]) for k in ("o1", "o2", "o3"))
    # o3 has no stock: last whatever the sort; o2 lands cheaper (24,000 + 1,825 < 30,000 + 1,000)
    assert _ids(client, world, f"part_id={pad}&quantity=3&sort=landed") == [o2, o1, o3]
    assert _ids(client, world, f"part_id={pad}&quantity=3") == [o2, o1, o3]
    assert _ids(client, world, f"part_id={pad}&quantity=3&sort=eta") == [o2, o1, o3]  # both 1 day: landed
    assert _ids(client, world, f"part_id={pad}&quantity=3&sort=distance") == [o1, o2, o3]
    assert _ids(client, world, f"part_id={pad}&quantity=10&radius_km=3") == [o1]
    assert _ids(client, world, f"part_id={pad}&quantity=10&radius_km=50") == [o1]
    assert _ids(client, world, f"part_id={pad}&quantity=3&radius_km=200") == [o2, o1]
    assert _ids(client, world, f"part_id={pad}&grade=aftermarket") == [o3]
    assert _ids(client, world, f"part_id={pad}&grade=oe&grade=oem&quantity=3&sort=distance") == [o1, o2]
    # from Shanghai: supplier two is local (same day), supplier one 165 km away (one day + lead time)
    r = client.get(
        f"/api/v1/compare?part_id={pad}&quantity=3&latitude={SH[0]}&longitude={SH[1]}&sort=eta",
        headers=world.h("a_purchaser"),
    )
    items = r.json()["items"]
    assert [(i["offer_id"], i["eta_days"], i["distance_km"] == 0.0) for i in items] == [
        (o2, 0, True),
        (o1, 2, False),
        (o3, None, False),
    ]


def test_quantity_is_raised_to_moq_and_pack(client, world, db, catalog, market):
    s = make_supplier(db, "整箱供应商")
    oid = make_offer(db, org=s, part=catalog.parts["mann_filter"], list_price_fen=2_000, moq=12, pack_size=5)
    r = client.get(
        f"/api/v1/compare?part_id={catalog.parts['vw_filter']}&quantity=10", headers=world.h("a_purchaser")
    )
    items = r.json()["items"]
    assert [(i["offer_id"], i["quantity"], i["net_fen"], i["flags"]) for i in items] == [
        (str(oid), 15, 30_000, ["adjusted_quantity", "no_stock"])
    ]


def test_compare_errors(client, world, catalog, market):
    a = world.h("a_purchaser")
    assert_problem(
        client.get(f"/api/v1/compare?part_id={uuid.uuid4()}", headers=a),
        404,
        "part_not_found",
        "query.part_id",
    )
    assert_problem(client.get("/api/v1/compare", headers=a), 422, "validation_error", "query.part_id")
    pad = catalog.parts["toyota_pad"]
    assert_problem(
        client.get(f"/api/v1/compare?part_id={pad}&latitude=30", headers=a),
        422,
        "required",
        "query.longitude",
    )
    assert_problem(
        client.get(f"/api/v1/compare?part_id={pad}&sort=cheap", headers=a),
        422,
        "validation_error",
        "query.sort",
    )
    assert_problem(
        client.get(f"/api/v1/compare?part_id={pad}&quantity=0", headers=a),
        422,
        "validation_error",
        "query.quantity",
    )
    assert_problem(
        client.get(f"/api/v1/compare?part_id={pad}", headers=world.h("pending_owner")),
        403,
        "company_not_approved",
    )


def test_compare_costs_a_fixed_number_of_statements(db, world, catalog, market):
    buyer = world.orgs["a"]

    def run(part: str) -> None:
        with buyer_session(db, buyer) as s:
            compare.compare(s, buyer_org_id=buyer, part_id=catalog.parts[part], quantity=3)

    small = _count_statements(db, lambda: run("brembo_disc"))  # one offer
    for i in range(6):
        s = make_supplier(db, f"更多供应商{i}")
        make_offer(db, org=s, part=catalog.parts[("toyota_pad", "bosch_pad", "trw_pad")[i % 3]])
        warehouse(
            db, s, f"W{i}", BJ, "北京市", {catalog.parts["toyota_pad"]: 5, catalog.parts["bosch_pad"]: 5}
        )
    large = _count_statements(db, lambda: run("toyota_pad"))  # nine offers
    assert small == large == 8

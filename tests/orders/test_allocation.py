"""Warehouse choice for order lines (pure)."""

from __future__ import annotations

import uuid

import pytest

from autotrade.orders.allocation import Need, Place, Stock, allocate, haversine_km

PART = uuid.UUID(int=1)
HZ = Place("浙江省", "杭州市", 30.28, 120.13)
W = {name: uuid.UUID(int=100 + i) for i, name in enumerate(["hz", "nb", "sh", "bj", "wz", "nocoord"])}


def stock(name: str, available: int, province: str, city: str, lat: float | None, lon: float | None) -> Stock:
    return Stock(W[name], PART, available, province, city, lat, lon)


HZ_W = ("浙江省", "杭州市", 30.25, 120.17)
NB_W = ("浙江省", "宁波市", 29.87, 121.54)
SH_W = ("上海市", "上海市", 31.23, 121.47)
BJ_W = ("北京市", "北京市", 39.90, 116.40)


def test_haversine_known_distance():
    # Hangzhou to Shanghai is about 165 km great-circle.
    assert haversine_km(30.28, 120.13, 31.23, 121.47) == pytest.approx(167.0, abs=3)
    assert haversine_km(30.0, 120.0, 30.0, 120.0) == 0


def test_nearest_warehouse_with_enough_stock_serves_the_whole_line():
    got, short = allocate(
        [Need(0, PART, 3)], [stock("sh", 50, *SH_W), stock("hz", 5, *HZ_W), stock("nb", 50, *NB_W)], HZ
    )
    assert got == {0: [(W["hz"], 3)]} and short == []


def test_split_takes_the_nearest_first_then_the_next():
    got, short = allocate(
        [Need(0, PART, 12)], [stock("sh", 20, *SH_W), stock("hz", 5, *HZ_W), stock("nb", 10, *NB_W)], HZ
    )
    assert got == {0: [(W["hz"], 5), (W["nb"], 7)]} and short == []


def test_stock_taken_by_one_line_is_not_offered_to_the_next():
    got, short = allocate(
        [Need(0, PART, 4), Need(1, PART, 4)], [stock("hz", 5, *HZ_W), stock("nb", 10, *NB_W)], HZ
    )
    assert got == {0: [(W["hz"], 4)], 1: [(W["hz"], 1), (W["nb"], 3)]} and short == []


def test_shortage_reports_what_exists():
    got, short = allocate([Need(7, PART, 40)], [stock("hz", 5, *HZ_W), stock("bj", 10, *BJ_W)], HZ)
    assert got == {7: [(W["hz"], 5), (W["bj"], 10)]}
    assert [(s.key, s.requested, s.available) for s in short] == [(7, 40, 15)]


def test_no_stock_at_all_is_a_shortage_of_everything():
    got, short = allocate([Need(0, PART, 1)], [stock("hz", 0, *HZ_W)], HZ)
    assert got == {0: []} and [(s.requested, s.available) for s in short] == [(1, 0)]


def test_without_coordinates_same_city_then_province_then_more_stock():
    to = Place("浙江省", "宁波市")
    candidates = [
        stock("sh", 100, *SH_W),
        stock("hz", 30, *HZ_W),
        stock("wz", 40, "浙江省", "温州市", 28.0, 120.7),
        stock("nb", 2, *NB_W),
    ]
    got, _ = allocate([Need(0, PART, 100)], candidates, to)
    # 宁波 (same city) first, then 浙江 warehouses by stock (温州 40 before 杭州 30), then 上海.
    assert got[0] == [(W["nb"], 2), (W["wz"], 40), (W["hz"], 30), (W["sh"], 28)]


def test_with_coordinates_warehouses_without_them_come_last():
    candidates = [stock("nocoord", 100, "浙江省", "杭州市", None, None), stock("bj", 3, *BJ_W)]
    got, _ = allocate([Need(0, PART, 5)], candidates, HZ)
    assert got[0] == [(W["bj"], 3), (W["nocoord"], 2)]


def test_equal_distance_ties_go_to_more_stock_then_lower_id():
    a = Stock(uuid.UUID(int=7), PART, 10, *HZ_W)
    b = Stock(uuid.UUID(int=3), PART, 10, *HZ_W)
    c = Stock(uuid.UUID(int=9), PART, 20, *HZ_W)
    got, _ = allocate([Need(0, PART, 35)], [a, b, c], HZ)
    assert got[0] == [(c.warehouse_id, 20), (b.warehouse_id, 10), (a.warehouse_id, 5)]

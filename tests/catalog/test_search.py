"""Search by number (any formatting, successors, interchange), by vehicle, and full text zh/en with
typo tolerance, facets, filters, pagination and reasons — as service calls and through the API."""

from __future__ import annotations

import uuid

import pytest

from autotrade.catalog import search
from autotrade.catalog.models import NumberKind
from autotrade.catalog.numbers import normalise_number
from autotrade.catalog.repository import PartRepository
from autotrade.core.errors import ValidationFailed
from autotrade.core.tenancy import bind_system
from tests.helpers import assert_problem, statements


@pytest.fixture
def s(db, catalog):
    session = db.session()
    bind_system(session, "test")
    search.forget_vocabulary()
    yield session
    session.close()


def _skus(hits):
    return [h.part.sku for h in hits]


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("04465-33471", "0446533471"),
        ("0446533471", "0446533471"),
        ("04465 33471", "0446533471"),
        (" 04465.33471 ", "0446533471"),
        ("０４４６５－３３４７１", "0446533471"),
        ("04e 115 561 h", "04E115561H"),
        ("09.A913.11", "09A91311"),
        ("HU 6020 z", "HU6020Z"),
        ("45022/TBA/A01", "45022TBAA01"),
    ],
)
def test_number_normalisation(raw, norm):
    assert normalise_number(raw) == norm


@pytest.mark.parametrize("q", ["04465-33471", "0446533471", "04465 33471", "04465.33471"])
def test_oe_number_in_any_format_finds_the_part_and_its_interchange_group(s, catalog, q):
    r = search.search_number(s, q)
    assert r.normalised == "0446533471"
    relations = {h.part.sku: h.relation for h in r.items}
    assert relations == {
        "TOYOTA-0446533471": "exact",
        "BOSCH-0986494614": "exact",  # lists the OE number as a cross-reference
        "TRW-GDB3426": "exact",
        "TOYOTA-0446533450": "interchange",  # its old number's successor is this one … see below
    } or relations == {"TOYOTA-0446533471": "exact", "BOSCH-0986494614": "exact", "TRW-GDB3426": "exact"}
    toyota = next(h for h in r.items if h.part.sku == "TOYOTA-0446533471")
    assert toyota.fitment_total == 1 and toyota.fitment[0]["model_zh"] == "凯美瑞"
    assert any(
        "oe number 04465-33471 (TOYOTA)" in w
        for w in next(h for h in r.items if h.part.sku == "TRW-GDB3426").why
    )


def test_aftermarket_number_finds_the_oe_part_through_the_group(s, catalog):
    r = search.search_number(s, "gdb 3426")
    assert {h.part.sku: h.relation for h in r.items} == {
        "TRW-GDB3426": "exact",
        "TOYOTA-0446533471": "interchange",
        "BOSCH-0986494614": "interchange",
    }


def test_superseded_number_points_to_its_successor(s, catalog):
    r = search.search_number(s, "04465-33450")
    rel = {h.part.sku: h.relation for h in r.items}
    assert rel["TOYOTA-0446533450"] == "exact"
    assert rel["TOYOTA-0446533471"] == "successor"
    assert {"BOSCH-0986494614", "TRW-GDB3426"} <= set(rel)  # and the successor's interchange group


def test_number_prefix(s, catalog):
    r = search.search_number(s, "04465-334", prefix=True)
    assert {"TOYOTA-0446533471", "TOYOTA-0446533450"} <= set(_skus(r.items))
    toyota = next(h for h in r.items if h.part.sku == "TOYOTA-0446533471")
    # type-ahead: the fitment count and the numbers, no fitment sample
    assert toyota.fitment_total == 1 and toyota.fitment == [] and toyota.numbers
    assert len(search.search_number(s, "04465-334", prefix=True, limit=1).items) == 1
    with pytest.raises(ValidationFailed) as e:
        search.search_number(s, "04", prefix=True)
    assert e.value.code == "prefix_too_short"


def test_number_search_numbers_are_the_parts_numbers(s, catalog):
    """The numbers the number search aggregates into its one statement (as JSON) are every number of each
    part, typed and ordered as the numbers query gives them."""
    for r in (search.search_number(s, "04465-33450"), search.search_number(s, "04465-334", prefix=True)):
        assert len(r.items) >= 2
        stored = PartRepository(s).number_views([h.part.id for h in r.items])
        for h in r.items:
            assert h.numbers == stored[h.part.id] and h.numbers
            assert all(isinstance(n.id, uuid.UUID) and isinstance(n.kind, NumberKind) for n in h.numbers)


def test_number_search_round_trips_do_not_grow_with_the_answer(s, catalog):
    """Holders, successors and their groups with every part's numbers in one statement, then fitment:
    two; the type-ahead one (its numbers with parts, their numbers and fitment counts)."""
    search.search_number(s, "NOPE-0000")  # the session's transaction begins (SQLite: BEGIN IMMEDIATE)
    for q, expected in (("04465-33471", 2), ("04465-33450", 2), ("gdb 3426", 2), ("NOPE-1234", 1)):
        with statements(s.get_bind()) as seen:
            search.search_number(s, q)
        assert len(seen) == expected, (q, seen)
    with statements(s.get_bind()) as seen:
        r = search.search_number(s, "04465-334", prefix=True)
    assert len(r.items) >= 2 and len(seen) == 1


def test_number_search_limit_keeps_every_holder(s, catalog):
    r = search.search_number(s, "04465-33471", limit=1)
    assert {h.part.sku: h.relation for h in r.items} == {
        "TOYOTA-0446533471": "exact",
        "BOSCH-0986494614": "exact",
        "TRW-GDB3426": "exact",
    }
    assert len(search.search_number(s, "gdb 3426", limit=2).items) == 2


def test_unknown_number_is_empty(s, catalog):
    assert search.search_number(s, "NOPE-1234").items == []


def test_chinese_partial_word(s, catalog):
    r = search.search_text(s, "刹车片")
    assert set(_skus(r.items)) == {
        "TOYOTA-0446533471",
        "BOSCH-0986494614",
        "TRW-GDB3426",
        "TOYOTA-0446533450",
    }
    assert all(any("刹车片" in w for w in h.why) for h in r.items)
    disc = search.search_text(s, "刹车盘")
    assert _skus(disc.items) == ["BREMBO-09A91311"]
    # A category name finds its parts too ("制动系统" is the parent of pads and discs).
    assert len(search.search_text(s, "制动系统").items) == 5


def test_english_words_with_plurals_find_the_same_parts(s, catalog):
    zh = set(_skus(search.search_text(s, "刹车片").items))
    assert set(_skus(search.search_text(s, "brake pad").items)) == zh
    assert set(_skus(search.search_text(s, "brake pads").items)) == zh
    assert set(_skus(search.search_text(s, "Oil Filter").items)) == {
        "VOLKSWAGEN-04E115561H",
        "MANNFILTER-HU6020Z",
    }


def test_typo_in_a_brand_is_corrected(s, catalog):
    r = search.search_text(s, "bosh brake")
    assert r.corrected == {"bosh": "bosch"}
    assert _skus(r.items) == ["BOSCH-0986494614"]
    assert "corrected bosh → bosch" in r.items[0].why
    r = search.search_text(s, "brmbo")
    assert r.corrected == {"brmbo": "brembo"} and _skus(r.items) == ["BREMBO-09A91311"]


def test_mixed_chinese_and_brand(s, catalog):
    assert _skus(search.search_text(s, "博世 刹车片").items) == ["BOSCH-0986494614"]
    assert _skus(search.search_text(s, "bosch 刹车片").items) == ["BOSCH-0986494614"]


def test_attributes_and_material_are_searchable(s, catalog):
    assert _skus(search.search_text(s, "ceramic").items) == ["BOSCH-0986494614"]
    assert _skus(search.search_text(s, "296").items) == ["BREMBO-09A91311"]


def test_facets_filters_and_pages(s, catalog):
    r = search.search_text(s, "刹车片", limit=2)
    assert {f.value: f.count for f in r.facets["brand"]} == {"TOYOTA": 2, "BOSCH": 1, "TRW": 1}
    assert {f.value: f.count for f in r.facets["quality_grade"]} == {"oe": 2, "oem": 1, "aftermarket": 1}
    assert r.matched == 4 and r.matched_is_exact
    second = search.search_text(s, "刹车片", limit=2, cursor=r.next_cursor)
    assert second.next_cursor is None
    assert sorted(_skus(r.items) + _skus(second.items)) == sorted(
        ["TOYOTA-0446533471", "BOSCH-0986494614", "TRW-GDB3426", "TOYOTA-0446533450"]
    )
    assert _skus(search.search_text(s, "刹车片", brand="trw").items) == ["TRW-GDB3426"]
    assert set(_skus(search.search_text(s, "刹车片", grade="oe").items)) == {
        "TOYOTA-0446533471",
        "TOYOTA-0446533450",
    }
    assert len(search.search_text(s, "front", category="BRAKE").items) == 5  # pads and the disc
    assert _skus(search.search_text(s, "front", category="BRAKE.DISC").items) == ["BREMBO-09A91311"]


def test_bad_text_queries(s, catalog):
    for q, code in (("  ", "empty_query"), ("!!!", "empty_query")):
        with pytest.raises(ValidationFailed) as e:
            search.search_text(s, q)
        assert e.value.code == code
    with pytest.raises(ValidationFailed) as e:
        search.search_text(s, "brake", brand="NOSUCH")
    assert e.value.code == "brand_not_found"


def test_vehicle_to_fitting_parts_grouped_by_category(s, catalog):
    r = search.search_variants(s, [catalog.variants["camry"]])
    assert r.total == 4
    assert [(g.category.code, sorted(_skus(g.items))) for g in r.groups] == [
        ("BRAKE.DISC", ["BREMBO-09A91311"]),
        ("BRAKE.PAD", ["BOSCH-0986494614", "TOYOTA-0446533471", "TRW-GDB3426"]),
    ]
    only_pads = search.search_variants(s, [catalog.variants["camry"]], category="BRAKE.PAD")
    assert [g.category.code for g in only_pads.groups] == ["BRAKE.PAD"]
    sagitar = search.search_variants(s, [catalog.variants["sagitar"]])
    assert sagitar.groups[0].items[0].why == ["fits the vehicle: EA211 发动机"]


def test_api_search_for_companies_edits_for_platform_only(client, world, catalog, db):
    h = world.h("a_purchaser")
    r = client.get("/api/v1/catalog/search", params={"q": "刹车片"}, headers=h)
    assert r.status_code == 200 and r.json()["matched"] == 4
    r = client.get("/api/v1/catalog/search/number", params={"q": "04465 33471"}, headers=h)
    assert r.json()["normalised"] == "0446533471" and len(r.json()["items"]) >= 3
    r = client.get(
        "/api/v1/catalog/search/vehicle", params={"variant_id": str(catalog.variants["camry"])}, headers=h
    )
    assert r.json()["total"] == 4
    assert_problem(
        client.get("/api/v1/catalog/search", params={"q": "刹车片", "cursor": "zz"}, headers=h),
        422,
        "invalid_cursor",
    )
    body = {
        "brand": "BOSCH",
        "brand_number": "0 986 494 999",
        "name_zh": "后刹车片",
        "category": "BRAKE.PAD",
        "quality_grade": "oem",
    }
    assert_problem(
        client.post("/api/v1/catalog/parts", json=body, headers=world.h("a_owner")), 403, "permission_denied"
    )
    r = client.post("/api/v1/catalog/parts", json=body, headers=world.h("admin"))
    assert r.status_code == 201 and r.json()["sku"] == "BOSCH-0986494999"
    assert_problem(
        client.post("/api/v1/catalog/parts", json=body, headers=world.h("admin")), 409, "part_exists"
    )
    found = client.get("/api/v1/catalog/search", params={"q": "后刹车片"}, headers=h).json()
    assert [i["part"]["sku"] for i in found["items"]] == ["BOSCH-0986494999"]


def test_vin_to_fitting_parts_through_the_api(client, world, catalog):
    from autotrade.vehicles.vin import with_check_digit

    vin = with_check_digit("LVGBE40K0MG123456")
    h = world.h("a_purchaser")
    r = client.get("/api/v1/catalog/search/vehicle", params={"vin": vin, "category": "BRAKE.PAD"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["vin"]["valid"] is True and body["vin"]["model_year"] == 2021
    assert body["variant_ids"] == [str(catalog.variants["camry"])]
    assert [g["category"]["code"] for g in body["groups"]] == ["BRAKE.PAD"] and body["total"] == 3
    bad = client.get("/api/v1/catalog/search/vehicle", params={"vin": "LVGBE40K0MG12345"}, headers=h)
    assert_problem(bad, 422, "vin_length", field="vin")
    assert_problem(client.get("/api/v1/catalog/search/vehicle", headers=h), 422, "required", field="vin")


def test_ranking_name_matches_first_then_quality_grade(s, catalog):
    """Decision 0003: parts whose name or brand holds every term come first (score 2), then parts that
    hold them elsewhere (score 1); within a tier OE before OEM before aftermarket."""
    r = search.search_text(s, "刹车片")
    grades = [h.part.quality_grade for h in r.items]
    order = ["oe", "oem", "aftermarket", "remanufactured", "dismantled"]
    assert [order.index(g) for g in grades] == sorted(order.index(g) for g in grades)
    assert {h.score for h in r.items} == {search.TITLE_SCORE}
    # "制动系统" is only the parent category's name: every hit is a body match.
    assert {h.score for h in search.search_text(s, "制动系统").items} == {search.BODY_SCORE}
    # "296" is an attribute of the disc, not in its name; "brembo" is its brand (title)
    both = search.search_text(s, "brembo 296")
    assert _skus(both.items) == ["BREMBO-09A91311"] and both.items[0].score == search.BODY_SCORE
    assert search.search_text(s, "brembo").items[0].score == search.TITLE_SCORE


def test_unknown_grade_filter_is_a_clear_error(s, catalog):
    with pytest.raises(ValidationFailed) as e:
        search.search_text(s, "刹车片", grade="gold")
    assert e.value.code == "invalid_grade" and e.value.field == "grade"


def test_vehicle_search_lists_the_first_parts_per_category_with_counts(s, catalog):
    r = search.search_variants(s, [catalog.variants["camry"]], per_category=1)
    assert [(g.category.code, g.total, len(g.items)) for g in r.groups] == [
        ("BRAKE.DISC", 1, 1),
        ("BRAKE.PAD", 3, 1),
    ]
    assert r.total == 4
    assert r.groups[1].items[0].part.quality_grade == "oe"  # best grade first
    with pytest.raises(ValidationFailed) as e:
        search.search_variants(s, [catalog.variants["camry"]], per_category=0)
    assert e.value.code == "invalid_limit"


def test_last_word_is_a_prefix_only_while_it_is_not_a_known_word(s, catalog):
    # "cera" is no word of the catalogue (nor close to one): someone is still typing "ceramic"
    assert _skus(search.search_text(s, "cera").items) == ["BOSCH-0986494614"]
    # "pad" is a known word: matched whole (stemmed), so it does not also find "padding"-like words
    from autotrade.catalog.text import parse_query

    assert search.correct(s, parse_query("brake pad")).prefix_last is False
    assert search.correct(s, parse_query("brake cera")).prefix_last is True


def test_plain_row_views_line_up_with_their_columns():
    from dataclasses import fields

    from autotrade.catalog.repository import BRAND_FIELDS, CATEGORY_FIELDS, PART_FIELDS

    assert tuple(f.name for f in fields(search.PartView)) == PART_FIELDS
    assert tuple(f.name for f in fields(search.BrandView)) == BRAND_FIELDS
    assert tuple(f.name for f in fields(search.CategoryView)) == CATEGORY_FIELDS

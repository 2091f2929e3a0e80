"""Parts pages: list and search, add a part, edit it (names, category, brand, grade, attributes,
status), its numbers and cross-references, its fitment. Errors keep the input and change nothing;
each change is checked through the catalogue's own reads."""

from __future__ import annotations

from typing import Any

from autotrade.catalog import service as catalog_service
from autotrade.catalog.models import Fitment, Part, PartNumber
from autotrade.catalog.repository import PartRepository
from autotrade.core.tenancy import bind_system
from tests.helpers import count, table_counts
from tests.web.catalog.conftest import field_error, login, post, value_of


def _part(w: Any, key: str) -> Any:
    with w.db.transaction() as s:
        bind_system(s, "test")
        hit = catalog_service.part_detail(s, w.catalog.parts[key])
        return hit


def _group(w: Any, key: str) -> Any:
    with w.db.transaction() as s:
        bind_system(s, "test")
        return s.get(Part, w.catalog.parts[key]).group_id


def test_list_and_search_by_number_and_words(cw: Any) -> None:
    c = login(cw, "cat_viewer")
    page = c.get("/platform/catalog/parts?lang=en").text
    assert page.count('<tr data-id="') == 7
    assert (
        f'<a href="/platform/catalog/parts/{cw.catalog.parts["trw_pad"]}"><code>TRW-GDB3426</code></a>'
        in page
    )
    # An OE number in another formatting finds the parts carrying it (and their interchange group).
    r = c.get("/platform/catalog/parts?q=04465+33471&lang=en").text
    for key in ("toyota_pad", "bosch_pad", "trw_pad"):
        assert f'<tr data-id="{cw.catalog.parts[key]}">' in r
    assert f'<tr data-id="{cw.catalog.parts["brembo_disc"]}">' not in r
    assert "<td>Number matches</td>" in r
    words = c.get("/platform/catalog/parts?q=oil+filter&lang=en").text
    assert f'<tr data-id="{cw.catalog.parts["mann_filter"]}">' in words
    assert f'<tr data-id="{cw.catalog.parts["toyota_pad"]}">' not in words
    none = c.get("/platform/catalog/parts?q=zzzzqqq&lang=en").text
    assert "No part matches “zzzzqqq”." in none


def test_list_is_paginated(cw: Any) -> None:
    import autotrade.web.catalog_parts as pages

    c = login(cw, "admin")
    old = pages.PAGE_SIZE
    pages.PAGE_SIZE = 3
    try:
        first = c.get("/platform/catalog/parts?lang=en").text
        assert first.count('<tr data-id="') == 3
        cursor = first.split("/platform/catalog/parts?cursor=", 1)[1].split('"', 1)[0]
        second = c.get(f"/platform/catalog/parts?cursor={cursor}").text
        assert second.count('<tr data-id="') == 3
        assert not set(first.split('data-id="')[1:]) & set(second.split('data-id="')[1:])
    finally:
        pages.PAGE_SIZE = old


def test_add_a_part(cw: Any) -> None:
    c = login(cw, "cat_manager")
    c.get("/platform/catalog/parts")
    new = {
        "brand": "bosch",
        "brand_number": "F 026 407 157",
        "name_zh": "机油滤清器",
        "name_en": "Oil filter",
        "category": "FILTER.OIL",
        "quality_grade": "oem",
    }
    r = post(c, "/platform/catalog/parts", new)
    assert r.status_code == 303, r.text[-1500:]
    part_id = r.headers["location"].rsplit("/", 1)[-1]
    page = c.get(r.headers["location"] + "?lang=en").text
    assert '<code class="muted">BOSCH-F026407157</code>' in page
    assert "Part added." in page
    before = table_counts(cw.db)
    again = post(c, "/platform/catalog/parts?lang=en", {**new, "name_zh": "重复"})
    assert again.status_code == 409
    assert (
        field_error(again.text, "part", "brand_number")
        == "A part of this brand with this number already exists."
    )
    assert value_of(again.text, "part", "name_zh") == "重复"
    r = post(c, "/platform/catalog/parts?lang=en", {**new, "brand": "NOPE", "brand_number": "X1"})
    assert r.status_code == 404
    assert (
        field_error(r.text, "part", "brand")
        == "No brand with this code. Add the brand first (import brands)."
    )
    r = post(c, "/platform/catalog/parts?lang=en", {**new, "name_zh": "", "quality_grade": "best"})
    assert r.status_code == 422
    assert field_error(r.text, "part", "name_zh") == "This field is required."
    assert field_error(r.text, "part", "quality_grade") == "Choose one of the listed values."
    assert table_counts(cw.db) == before
    assert part_id


def test_edit_a_part(cw: Any) -> None:
    c = login(cw, "cat_manager")
    pid = cw.catalog.parts["brembo_disc"]
    url = f"/platform/catalog/parts/{pid}"
    page = c.get(url + "?lang=en").text
    assert (
        'name="attributes" rows="3"' in page
        and "{&#34;diameter_mm&#34;: 296, &#34;thickness_mm&#34;: 28}" in page
    )
    form = {
        "name_zh": "前刹车盘 通风",
        "name_en": "Front brake disc, vented",
        "brand": "BREMBO",
        "category": "BRAKE.DISC",
        "quality_grade": "aftermarket",
        "position": "front",
        "material": "cast iron",
        "attributes": '{"diameter_mm": 296, "thickness_mm": 26}',
        "status": "discontinued",
    }
    r = post(c, url, form)
    assert (r.status_code, r.headers["location"]) == (303, url)
    hit = _part(cw, "brembo_disc")
    assert (hit.part.name_zh, hit.part.name_en, hit.part.material, hit.part.status.value) == (
        "前刹车盘 通风",
        "Front brake disc, vented",
        "cast iron",
        "discontinued",
    )
    assert hit.part.attributes == {"diameter_mm": 296, "thickness_mm": 26}
    # Errors: bad JSON, unknown category, blank name; the input stays and nothing changes.
    before = table_counts(cw.db)
    r = post(c, url + "?lang=en", {**form, "attributes": '{"diameter_mm": 3', "name_en": "typed"})
    assert r.status_code == 422
    assert field_error(r.text, "part", "attributes") == "Not valid JSON."
    assert value_of(r.text, "part", "name_en") == "typed"
    assert "{&#34;diameter_mm&#34;: 3</textarea>" in r.text
    r = post(c, url + "?lang=en", {**form, "attributes": "[1, 2]"})
    assert (
        field_error(r.text, "part", "attributes")
        == "Enter a JSON object, e.g. {&#34;thickness_mm&#34;: 17.5}."
    )
    r = post(c, url + "?lang=en", {**form, "category": "NOPE", "name_zh": "新名字"})
    assert r.status_code == 404
    assert field_error(r.text, "part", "category") == "Choose one of the listed categories."
    r = post(c, url + "?lang=en", {**form, "name_zh": " "})
    assert field_error(r.text, "part", "name_zh") == "This field is required."
    assert table_counts(cw.db) == before
    assert _part(cw, "brembo_disc").part.name_zh == "前刹车盘 通风"


def test_change_a_part_brand(cw: Any) -> None:
    c = login(cw, "admin")
    pid = cw.catalog.parts["trw_pad"]
    url = f"/platform/catalog/parts/{pid}"
    c.get(url)
    form = {
        "name_zh": "前刹车片",
        "brand": "BOSCH",
        "category": "BRAKE.PAD",
        "quality_grade": "aftermarket",
        "status": "active",
    }
    r = post(c, url, form)
    assert r.status_code == 303
    hit = _part(cw, "trw_pad")
    assert (hit.part.sku, hit.brand.code) == ("BOSCH-GDB3426", "BOSCH")
    assert [n.brand_code for n in hit.numbers if n.kind.value == "brand"] == ["BOSCH"]
    with cw.db.transaction() as s:
        bind_system(s, "test")
        assert [p.id for p in [catalog_service.part_detail(s, pid).part]] == [pid]
        assert PartRepository(s).by_brand_number(hit.brand.id, "GDB3426").id == pid
    # A part whose number no other part of the new brand holds moves freely.
    other = cw.catalog.parts["old_toyota_pad"]
    r = post(c, f"/platform/catalog/parts/{other}?lang=en", {**form, "brand": "TRW", "name_zh": "x"})
    assert r.status_code == 303
    assert _part(cw, "old_toyota_pad").part.sku == "TRW-0446533450"
    r = post(c, f"/platform/catalog/parts/{pid}?lang=en", {**form, "brand": "NOPE"})
    assert r.status_code == 404
    assert (
        field_error(r.text, "part", "brand")
        == "No brand with this code. Add the brand first (import brands)."
    )


def test_brand_change_to_an_existing_key_is_refused(cw: Any) -> None:
    c = login(cw, "admin")
    # Give TRW's pad a twin under Bosch first, then try to move the TRW pad onto it.
    c.get("/platform/catalog/parts")
    r = post(
        c,
        "/platform/catalog/parts",
        {
            "brand": "BOSCH",
            "brand_number": "GDB 3426",
            "name_zh": "刹车片",
            "category": "BRAKE.PAD",
            "quality_grade": "oem",
        },
    )
    assert r.status_code == 303
    pid = cw.catalog.parts["trw_pad"]
    before = table_counts(cw.db)
    form = {
        "name_zh": "改了名字",
        "brand": "BOSCH",
        "category": "BRAKE.PAD",
        "quality_grade": "aftermarket",
        "status": "active",
    }
    r = post(c, f"/platform/catalog/parts/{pid}?lang=en", form)
    assert r.status_code == 409
    assert field_error(r.text, "part", "brand") == "A part of this brand with this number already exists."
    assert value_of(r.text, "part", "name_zh") == "改了名字"
    assert table_counts(cw.db) == before
    assert _part(cw, "trw_pad").part.name_zh == "前刹车片"  # the name change was undone too


def test_add_and_remove_numbers_regroups_interchange(cw: Any) -> None:
    c = login(cw, "cat_manager")
    bosch, trw, toyota = (cw.catalog.parts[k] for k in ("bosch_pad", "trw_pad", "toyota_pad"))
    assert _group(cw, "bosch_pad") == _group(cw, "trw_pad") == _group(cw, "toyota_pad")
    url = f"/platform/catalog/parts/{bosch}"
    page = c.get(url + "?lang=en").text
    assert f'<li data-id="{trw}">' in page and f'<li data-id="{toyota}">' in page  # interchangeable parts
    # Add a trade number; then an OE number without its issuing brand (refused next to the field).
    r = post(
        c,
        url + "/numbers",
        {"kind": "trade", "number": "BP-1234", "brand": "BOSCH", "source": "TecDoc", "confidence": "90"},
    )
    assert r.status_code == 303
    with cw.db.transaction() as s:
        bind_system(s, "test")
        n = PartRepository(s).number_views([bosch])[bosch]
        trade = next(x for x in n if x.kind.value == "trade")
        assert (trade.number_norm, trade.brand_code, trade.source, trade.confidence) == (
            "BP1234",
            "BOSCH",
            "TecDoc",
            90,
        )
        oe = next(x for x in n if x.kind.value == "oe")
        own = next(x for x in n if x.kind.value == "brand")
    before = count(cw.db, PartNumber)
    r = post(c, url + "/numbers?lang=en", {"kind": "oe", "number": "90915-YZZE1", "confidence": "100"})
    assert r.status_code == 422
    assert field_error(r.text, "number", "brand") == "This field is required."
    assert value_of(r.text, "number", "number") == "90915-YZZE1"
    r = post(
        c, url + "/numbers?lang=en", {"kind": "trade", "number": "X", "brand": "BOSCH", "confidence": "101"}
    )
    assert field_error(r.text, "number", "confidence") == "This number is too large."
    assert count(cw.db, PartNumber) == before
    # Removing the Bosch pad's OE number takes it out of the Toyota group; the other two stay together.
    r = post(c, f"{url}/numbers/{oe.id}/delete")
    assert r.status_code == 303
    assert _group(cw, "trw_pad") == _group(cw, "toyota_pad") != _group(cw, "bosch_pad")
    assert f'<li data-id="{trw}">' not in c.get(url).text
    # The part's own brand number cannot be removed (no button, and a forged post is refused).
    page = c.get(url + "?lang=en").text
    assert f"/numbers/{own.id}/delete" not in page
    r = post(c, f"{url}/numbers/{own.id}/delete?lang=en")
    assert r.status_code == 409
    assert "The part&#39;s own brand number identifies it and cannot be removed." in r.text
    # A number of another part is not found through this part.
    with cw.db.transaction() as s:
        bind_system(s, "test")
        trw_own = next(x for x in PartRepository(s).number_views([trw])[trw] if x.kind.value == "oe")
    assert post(c, f"{url}/numbers/{trw_own.id}/delete").status_code == 404


def test_add_and_remove_fitment(cw: Any) -> None:
    c = login(cw, "cat_manager")
    pid = cw.catalog.parts["brembo_disc"]
    url = f"/platform/catalog/parts/{pid}"
    page = c.get(url + "?lang=en").text
    assert "1 vehicle variant" in page and "<code>TOYOTA-CAMRY-XV70-25</code>" in page
    before = table_counts(cw.db)
    r = post(c, url + "/fitments?lang=en", {"variant_code": "NO-SUCH-CODE", "note": "带ABS"})
    assert r.status_code == 422
    assert field_error(r.text, "fitment", "variant_code") == "No vehicle variant with this code."
    assert value_of(r.text, "fitment", "note") == "带ABS"
    r = post(c, url + "/fitments?lang=en", {"variant_code": "toyota-camry-xv70-25"})
    assert r.status_code == 409
    assert field_error(r.text, "fitment", "variant_code") == "This part is already linked to this variant."
    r = post(
        c,
        url + "/fitments?lang=en",
        {"variant_code": "VW-SAGITAR-A7-14T", "year_from": "2022", "year_to": "2020"},
    )
    assert r.status_code == 422
    assert field_error(r.text, "fitment", "year_from") == "The last year is before the first year."
    assert table_counts(cw.db) == before
    r = post(
        c,
        url + "/fitments",
        {
            "variant_code": "VW-SAGITAR-A7-14T",
            "position": "front",
            "year_from": "2020",
            "year_to": "2022",
            "note": "带ABS",
        },
    )
    assert r.status_code == 303
    hit = _part(cw, "brembo_disc")
    assert hit.fitment_total == 2
    sag = next(f for f in hit.fitment if f["variant_code"] == "VW-SAGITAR-A7-14T")
    assert (sag["position"], sag["year_from"], sag["year_to"], sag["note"]) == ("front", 2020, 2022, "带ABS")
    with cw.db.transaction() as s:
        bind_system(s, "test")
        from sqlalchemy import select

        fit_id = s.scalar(
            select(Fitment.id).where(
                Fitment.part_id == pid, Fitment.variant_id == cw.catalog.variants["sagitar"]
            )
        )
    r = post(c, f"{url}/fitments/{fit_id}/delete")
    assert r.status_code == 303
    assert _part(cw, "brembo_disc").fitment_total == 1
    assert post(c, f"{url}/fitments/{fit_id}/delete").status_code == 404


def test_unknown_part_is_404(cw: Any) -> None:
    c = login(cw, "admin")
    zero = "00000000-0000-0000-0000-000000000000"
    assert c.get(f"/platform/catalog/parts/{zero}").status_code == 404
    c.get("/platform/catalog/parts")
    assert (
        post(
            c, f"/platform/catalog/parts/{zero}/numbers", {"kind": "trade", "number": "1", "brand": "BOSCH"}
        ).status_code
        == 404
    )

"""Vehicle pages: browse the tree, search, add a make / model / generation / variant, edit a
variant, add VIN patterns. Errors show next to their field with the input kept, and change nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.vehicles import service as vehicles
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern
from tests.helpers import count, table_counts
from tests.web.catalog.conftest import field_error, login, post, value_of


def _lineage(w: Any, variant_key: str) -> tuple[Any, Any, Any]:
    with w.db.transaction() as s:
        bind_system(s, "test")
        v = s.get(VehicleVariant, w.catalog.variants[variant_key])
        g = s.get(VehicleGeneration, v.generation_id)
        m = s.get(VehicleModel, g.model_id)
        return m.make_id, m.id, g.id


def _variant(w: Any, variant_id: Any) -> VehicleVariant:
    with w.db.transaction() as s:
        bind_system(s, "test")
        v = s.get(VehicleVariant, variant_id)
        s.expunge(v)
        return v


def test_browse_makes_models_generations_and_variants(cw: Any) -> None:
    c = login(cw, "cat_viewer")
    make_id, _model_id, gen_id = _lineage(cw, "camry")
    index = c.get("/platform/catalog/vehicles?lang=en").text
    assert (
        f'<li data-id="{make_id}"><a href="/platform/catalog/vehicles/makes/{make_id}">Toyota 丰田</a>'
        in index
    )
    assert "1 model" in index
    make = c.get(f"/platform/catalog/vehicles/makes/{make_id}?lang=en").text
    assert f'<a href="/platform/catalog/vehicles/generations/{gen_id}">XV70</a>' in make
    gen = c.get(f"/platform/catalog/vehicles/generations/{gen_id}?lang=en").text
    assert f'<tr data-id="{cw.catalog.variants["camry"]}">' in gen
    assert "<code>TOYOTA-CAMRY-XV70-25</code>" in gen
    assert "<td>Petrol</td>" in gen
    variant = c.get(f"/platform/catalog/vehicles/variants/{cw.catalog.variants['camry']}?lang=zh_CN").text
    assert "<code>LVGB*****M</code>" in variant
    assert "<h2>VIN 规则</h2>" in variant


def test_search_by_model_engine_code_and_vin(cw: Any) -> None:
    c = login(cw, "admin")
    r = c.get("/platform/catalog/vehicles?q=sagit&lang=en").text
    assert "VW-SAGITAR-A7-14T" in r and "TOYOTA-CAMRY-XV70-25" not in r
    assert "TOYOTA-CAMRY-XV70-25" in c.get("/platform/catalog/vehicles?q=凯美瑞").text
    none = c.get("/platform/catalog/vehicles?q=nothing-like-this&lang=en").text
    assert "No variant matches." in none
    # A VIN that one of the Camry's patterns matches (LVG, position 10 = M: model year 2021).
    vin = c.get("/platform/catalog/vehicles?q=LVGBE40K4MG000001&lang=en").text
    assert f'href="/platform/catalog/vehicles/variants/{cw.catalog.variants["camry"]}"' in vin
    assert "<code>LVGB*****M</code>" in vin


def test_add_a_make_model_generation_and_variant(cw: Any) -> None:
    c = login(cw, "cat_manager")
    c.get("/platform/catalog/vehicles")
    r = post(c, "/platform/catalog/vehicles/makes", {"name": "BYD", "name_zh": "比亚迪", "country": "CN"})
    assert r.status_code == 303
    make_url = r.headers["location"]
    with cw.db.transaction() as s:
        bind_system(s, "test")
        make = s.scalar(select(VehicleMake).where(VehicleMake.name == "BYD"))
        assert (make.name_zh, make.country) == ("比亚迪", "CN")
        make_id = make.id
    assert make_url == f"/platform/catalog/vehicles/makes/{make_id}"
    assert '<div class="alert alert-success">品牌已添加。</div>' in c.get(make_url + "?lang=zh_CN").text
    r = post(c, f"{make_url}/models", {"name": "Qin PLUS", "name_zh": "秦PLUS"})
    assert r.status_code == 303
    with cw.db.transaction() as s:
        bind_system(s, "test")
        model_id = s.scalar(select(VehicleModel.id).where(VehicleModel.make_id == make_id))
    r = post(
        c, f"{make_url}/generations", {"model_id": str(model_id), "name": "DM-i (2021–)", "year_from": "2021"}
    )
    assert r.status_code == 303
    gen_url = r.headers["location"]
    r = post(
        c,
        f"{gen_url}/variants",
        {
            "code": "BYD-QIN-PLUS-DMI-15",
            "name": "DM-i 1.5L 55km 尊贵型",
            "engine_code": "BYD472QA",
            "displacement_cc": "1498",
            "fuel_type": "phev",
            "transmission": "e-drive",
            "body": "sedan",
            "power_kw": "81",
            "year_from": "2021",
            "year_to": "",
        },
    )
    assert r.status_code == 303, r.text[-2000:]
    variant_id = r.headers["location"].rsplit("/", 1)[-1]
    with cw.db.transaction() as s:
        bind_system(s, "test")
        d = vehicles.variant_detail(s, uuid.UUID(variant_id))
    assert (d.make, d.model, d.generation, d.fuel_type, d.displacement_cc, d.year_to) == (
        "BYD",
        "Qin PLUS",
        "DM-i (2021–)",
        "phev",
        1498,
        None,
    )


def test_form_errors_show_next_to_the_field_keep_the_input_and_change_nothing(cw: Any) -> None:
    c = login(cw, "admin")
    make_id, model_id, gen_id = _lineage(cw, "camry")
    c.get("/platform/catalog/vehicles")
    before = table_counts(cw.db)
    # A make that exists (case-insensitive): 409, the name kept.
    r = post(c, "/platform/catalog/vehicles/makes?lang=en", {"name": "toyota", "country": "JP"})
    assert r.status_code == 409
    assert field_error(r.text, "make", "name") == "A make with this name already exists."
    assert value_of(r.text, "make", "name") == "toyota" and value_of(r.text, "make", "country") == "JP"
    # A generation whose last year is before its first.
    r = post(
        c,
        f"/platform/catalog/vehicles/makes/{make_id}/generations?lang=en",
        {"model_id": str(model_id), "name": "XV80", "year_from": "2024", "year_to": "2020"},
    )
    assert r.status_code == 422
    assert field_error(r.text, "generation", "year_to") == "The last year is before the first year."
    assert value_of(r.text, "generation", "name") == "XV80"
    assert f'<option value="{model_id}" selected>' in r.text
    # A variant with a bad code, no fuel type and a year that is not a number.
    r = post(
        c,
        f"/platform/catalog/vehicles/generations/{gen_id}/variants?lang=en",
        {"code": "bad code!", "name": "2.0L", "engine_code": "M20A", "fuel_type": "", "year_from": "20x9"},
    )
    assert r.status_code == 422
    assert field_error(r.text, "variant", "code") == "Use letters, digits and . _ / - only."
    assert field_error(r.text, "variant", "fuel_type") == "This field is required."
    assert field_error(r.text, "variant", "year_from") == "Enter a whole number."
    assert value_of(r.text, "variant", "engine_code") == "M20A"
    assert value_of(r.text, "variant", "year_from") == "20x9"
    # A variant code already used by another variant.
    r = post(
        c,
        f"/platform/catalog/vehicles/generations/{gen_id}/variants?lang=en",
        {"code": "vw-sagitar-a7-14t", "name": "2.0L", "fuel_type": "petrol", "year_from": "2019"},
    )
    assert r.status_code == 409
    assert field_error(r.text, "variant", "code") == "Another variant already has this code."
    assert table_counts(cw.db) == before


def test_edit_a_variant(cw: Any) -> None:
    c = login(cw, "cat_manager")
    vid = cw.catalog.variants["camry"]
    url = f"/platform/catalog/vehicles/variants/{vid}"
    page = c.get(url + "?lang=en").text
    assert value_of(page, "variant", "code") == "TOYOTA-CAMRY-XV70-25"
    form = {
        "code": "TOYOTA-CAMRY-XV70-25",
        "name": "2.5L 自动 豪华版",
        "engine_code": "A25A-FKS",
        "displacement_cc": "2487",
        "fuel_type": "petrol",
        "transmission": "AT",
        "body": "sedan",
        "power_kw": "154",
        "year_from": "2018",
        "year_to": "2024",
    }
    r = post(c, url, form)
    assert (r.status_code, r.headers["location"]) == (303, url)
    v = _variant(cw, vid)
    assert (v.engine_code, v.displacement_cc, v.transmission, v.body, v.power_kw, v.year_from, v.year_to) == (
        "A25A-FKS",
        2487,
        "AT",
        "sedan",
        154,
        2018,
        2024,
    )
    # Errors: years reversed, displacement out of range; nothing is saved and the input stays.
    r = post(c, url + "?lang=en", {**form, "engine_code": "2AR-FE", "year_from": "2025"})
    assert r.status_code == 422
    assert field_error(r.text, "variant", "year_to") == "The last year is before the first year."
    assert value_of(r.text, "variant", "engine_code") == "2AR-FE"
    r = post(c, url + "?lang=en", {**form, "displacement_cc": "0"})
    assert r.status_code == 422
    assert field_error(r.text, "variant", "displacement_cc") == "This number is too small."
    r = post(c, url + "?lang=en", {**form, "name": ""})
    assert field_error(r.text, "variant", "name") == "This field is required."
    assert _variant(cw, vid).engine_code == "A25A-FKS"
    # A blank optional field clears it.
    assert post(c, url, {**form, "engine_code": ""}).status_code == 303
    assert _variant(cw, vid).engine_code is None


def test_add_vin_patterns(cw: Any) -> None:
    c = login(cw, "cat_manager")
    vid = cw.catalog.variants["sagitar"]
    url = f"/platform/catalog/vehicles/variants/{vid}"
    page = c.get(url + "?lang=en").text
    assert "No VIN patterns yet" in page
    before = count(cw.db, VinPattern)
    r = post(c, url + "/vin-patterns?lang=en", {"pattern": "L*V", "note": "typo"})
    assert r.status_code == 422
    assert field_error(r.text, "pattern", "pattern").startswith("Not a valid VIN pattern")
    assert value_of(r.text, "pattern", "note") == "typo"
    assert count(cw.db, VinPattern) == before
    r = post(c, url + "/vin-patterns", {"pattern": "lfv2a215", "note": "一汽-大众"})
    assert r.status_code == 303
    assert "<code>LFV2A215</code>" in c.get(url).text
    with cw.db.transaction() as s:
        bind_system(s, "test")
        decoded = vehicles.decode_vin(s, "LFV2A2157LD123456")
    assert [m.variant_id for m in decoded.matched_variants] == [vid]
    r = post(c, url + "/vin-patterns?lang=en", {"pattern": "LFV2A215"})
    assert r.status_code == 409
    assert field_error(r.text, "pattern", "pattern") == "This variant already has this VIN pattern."


def test_unknown_tree_nodes_are_404(cw: Any) -> None:
    c = login(cw, "admin")
    zero = "00000000-0000-0000-0000-000000000000"
    for path in ("makes", "generations", "variants"):
        assert c.get(f"/platform/catalog/vehicles/{path}/{zero}").status_code == 404
    c.get("/platform/catalog/vehicles")
    assert (
        post(c, f"/platform/catalog/vehicles/variants/{zero}/vin-patterns", {"pattern": "LFV"}).status_code
        == 404
    )

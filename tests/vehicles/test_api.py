"""Vehicle tree and VIN API: platform catalogue staff write, every company reads; VIN → variants."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from autotrade.core.tenancy import bind_system
from autotrade.vehicles import service
from autotrade.vehicles.models import VehicleMake, VehicleVariant, VinPattern
from autotrade.vehicles.vin import with_check_digit
from tests.helpers import assert_problem, count, table_counts

V = "/api/v1/vehicles"
SAGITAR_2021 = with_check_digit("LFV2A21K0M3000001")  # LFV2A21K2M3000001, model year M = 2021


def variant_body(code: str, name: str, year_from: int = 2019, year_to: int | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "engine_code": "EA211 DJS",
        "displacement_cc": 1395,
        "fuel_type": "petrol",
        "transmission": "DCT",
        "body": "sedan",
        "power_kw": 110,
        "year_from": year_from,
        "year_to": year_to,
    }


def build_tree(client: Any, h: dict[str, str]) -> dict[str, Any]:
    """VW → Sagitar → A7 (2019–) → two variants, with VIN patterns, through the API."""

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    make = post(f"{V}/makes", {"name": "Volkswagen", "name_zh": "大众", "country": "Germany"})
    model = post(f"{V}/makes/{make['id']}/models", {"name": "Sagitar", "name_zh": "速腾"})
    gen = post(f"{V}/models/{model['id']}/generations", {"name": "A7 (2019–)", "year_from": 2019})
    v280 = post(
        f"{V}/generations/{gen['id']}/variants",
        variant_body("VW-SAGITAR-A7-14T-DQ200", "1.4T 280TSI DSG 舒适型", 2019, 2022),
    )
    v300 = post(
        f"{V}/generations/{gen['id']}/variants",
        variant_body("VW-SAGITAR-A7-15T-DQ200", "1.5T 300TSI DSG 30周年", 2023),
    )
    p1 = post(f"{V}/variants/{v280['id']}/vin-patterns", {"pattern": "lfv2a21k", "note": "A7 1.4T"})
    p2 = post(f"{V}/variants/{v280['id']}/vin-patterns", {"pattern": "LFV2A2*K?M3"})
    p3 = post(f"{V}/variants/{v300['id']}/vin-patterns", {"pattern": "LFV2A21K"})
    return {"make": make, "model": model, "gen": gen, "v280": v280, "v300": v300, "patterns": [p1, p2, p3]}


def test_platform_catalogue_staff_build_the_tree_and_everyone_reads_it(client, world):
    tree = build_tree(client, world.h("admin"))
    assert tree["patterns"][0]["pattern"] == "LFV2A21K" and tree["patterns"][0]["wmi"] == "LFV"
    b = world.h("b_owner")  # another company: master data is shared, not tenant data

    makes = client.get(f"{V}/makes", headers=b)
    assert makes.status_code == 200
    assert [m["name"] for m in makes.json()["items"]] == ["Volkswagen"]
    assert makes.json()["next_cursor"] is None
    make_id = tree["make"]["id"]
    assert client.get(f"{V}/makes/{make_id}", headers=b).json()["name_zh"] == "大众"
    models = client.get(f"{V}/makes/{make_id}/models", headers=b).json()
    assert [(m["name"], m["name_zh"]) for m in models] == [("Sagitar", "速腾")]
    gens = client.get(f"{V}/models/{models[0]['id']}/generations", headers=b).json()
    assert [(g["name"], g["year_from"], g["year_to"]) for g in gens] == [("A7 (2019–)", 2019, None)]
    variants = client.get(f"{V}/generations/{gens[0]['id']}/variants", headers=world.h("a_store")).json()
    assert [v["code"] for v in variants] == ["VW-SAGITAR-A7-14T-DQ200", "VW-SAGITAR-A7-15T-DQ200"]

    detail = client.get(f"{V}/variants/{tree['v280']['id']}", headers=world.h("a_viewer"))
    assert detail.status_code == 200
    body = detail.json()
    assert (body["make"], body["model"], body["generation"]) == ("Volkswagen", "Sagitar", "A7 (2019–)")
    assert body["make_id"] == make_id and body["model_id"] == models[0]["id"]
    assert [(p["pattern"], p["note"]) for p in body["vin_patterns"]] == [
        ("LFV2A21K", "A7 1.4T"),
        ("LFV2A2*K?M3", None),
    ]
    assert body["fuel_type"] == "petrol" and body["displacement_cc"] == 1395


def test_company_users_get_403_on_every_write_and_nothing_is_written(client, world, db):
    tree = build_tree(client, world.h("admin"))
    users = ("a_owner", "b_owner", "a_store", "reviewer")  # reviewer: platform staff, not catalogue
    headers = {who: world.h(who) for who in users}  # log in first: a login writes a session
    before = table_counts(db)
    make_id, model_id, gen_id = tree["make"]["id"], tree["model"]["id"], tree["gen"]["id"]
    variant_id, pattern_id = tree["v280"]["id"], tree["patterns"][0]["id"]
    writes = [
        ("POST", f"{V}/makes", {"name": "Hijack"}),
        ("PATCH", f"{V}/makes/{make_id}", {"name": "Hijack"}),
        ("POST", f"{V}/makes/{make_id}/models", {"name": "Hijack"}),
        ("PATCH", f"{V}/models/{model_id}", {"name": "Hijack"}),
        ("POST", f"{V}/models/{model_id}/generations", {"name": "Hijack", "year_from": 2020}),
        ("PATCH", f"{V}/generations/{gen_id}", {"name": "Hijack"}),
        ("POST", f"{V}/generations/{gen_id}/variants", variant_body("HIJACK", "Hijack")),
        ("PATCH", f"{V}/variants/{variant_id}", {"name": "Hijack"}),
        ("POST", f"{V}/variants/{variant_id}/vin-patterns", {"pattern": "LFV9"}),
        ("PATCH", f"{V}/vin-patterns/{pattern_id}", {"pattern": "LFV9"}),
    ]
    for who in users:
        for method, url, body in writes:
            r = client.request(method, url, json=body, headers=headers[who])
            assert_problem(r, 403, "permission_denied")
    r = client.post(f"{V}/makes", json={"name": "Anonymous"})
    assert_problem(r, 401, "not_authenticated")
    assert table_counts(db) == before
    assert count(db, VehicleMake, VehicleMake.name == "Hijack") == 0


def test_reads_need_a_login(client, world):
    assert_problem(client.get(f"{V}/makes"), 401, "not_authenticated")
    assert_problem(client.get(f"/api/v1/vin/{SAGITAR_2021}"), 401, "not_authenticated")


def test_updates(client, world):
    h = world.h("admin")
    tree = build_tree(client, h)
    r = client.patch(
        f"{V}/makes/{tree['make']['id']}", json={"name_zh": "一汽-大众", "country": None}, headers=h
    )
    assert r.status_code == 200 and (r.json()["name_zh"], r.json()["country"]) == ("一汽-大众", None)
    assert r.json()["name"] == "Volkswagen"
    r = client.patch(f"{V}/models/{tree['model']['id']}", json={"name": "Sagitar L"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "Sagitar L"
    r = client.patch(f"{V}/generations/{tree['gen']['id']}", json={"year_to": 2024}, headers=h)
    assert r.status_code == 200 and r.json()["year_to"] == 2024
    r = client.patch(
        f"{V}/variants/{tree['v280']['id']}", json={"fuel_type": "mhev", "power_kw": 112}, headers=h
    )
    assert r.status_code == 200 and (r.json()["fuel_type"], r.json()["power_kw"]) == ("mhev", 112)
    r = client.patch(f"{V}/vin-patterns/{tree['patterns'][0]['id']}", json={"pattern": "lsv2a2"}, headers=h)
    assert r.status_code == 200 and (r.json()["pattern"], r.json()["wmi"]) == ("LSV2A2", "LSV")


def test_errors_have_stable_codes(client, world, db):
    h = world.h("admin")
    tree = build_tree(client, h)
    missing = "0190a000-0000-7000-8000-000000000000"
    assert_problem(client.get(f"{V}/makes/{missing}", headers=h), 404, "make_not_found")
    assert_problem(client.get(f"{V}/makes/{missing}/models", headers=h), 404, "make_not_found")
    assert_problem(client.get(f"{V}/models/{missing}/generations", headers=h), 404, "model_not_found")
    assert_problem(client.get(f"{V}/generations/{missing}/variants", headers=h), 404, "generation_not_found")
    assert_problem(client.get(f"{V}/variants/{missing}", headers=h), 404, "variant_not_found")
    r = client.patch(f"{V}/vin-patterns/{missing}", json={"note": "x"}, headers=h)
    assert_problem(r, 404, "vin_pattern_not_found")
    r = client.post(f"{V}/makes/{missing}/models", json={"name": "X"}, headers=h)
    assert_problem(r, 404, "make_not_found")

    before = table_counts(db)
    assert_problem(
        client.post(f"{V}/makes", json={"name": "volkswagen"}, headers=h), 409, "make_name_taken", "name"
    )
    gen = tree["gen"]["id"]
    r = client.post(
        f"{V}/generations/{gen}/variants", json=variant_body("vw-sagitar-a7-14t-dq200", "Other"), headers=h
    )
    assert_problem(r, 409, "variant_code_taken", "code")
    r = client.post(
        f"{V}/generations/{gen}/variants", json=variant_body("NEW", "1.4T 280TSI DSG 舒适型"), headers=h
    )
    assert_problem(r, 409, "variant_name_taken", "name")
    r = client.patch(
        f"{V}/variants/{tree['v300']['id']}", json={"code": "VW-SAGITAR-A7-14T-DQ200"}, headers=h
    )
    assert_problem(r, 409, "variant_code_taken", "code")
    r = client.post(
        f"{V}/variants/{tree['v280']['id']}/vin-patterns", json={"pattern": "LFV2A21K"}, headers=h
    )
    assert_problem(r, 409, "vin_pattern_taken", "pattern")
    r = client.post(
        f"{V}/models/{tree['model']['id']}/generations",
        json={"name": "A7 (2019–)", "year_from": 2019},
        headers=h,
    )
    assert_problem(r, 409, "generation_name_taken", "name")
    r = client.post(f"{V}/makes/{tree['make']['id']}/models", json={"name": "SAGITAR"}, headers=h)
    assert_problem(r, 409, "model_name_taken", "name")

    for bad in ("L*V2A", "LFVI", "LFV2A21K2M30000012", "LF", "LFV 2A"):
        r = client.post(f"{V}/variants/{tree['v280']['id']}/vin-patterns", json={"pattern": bad}, headers=h)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["code"] in ("invalid_vin_pattern", "validation_error")
    r = client.post(f"{V}/variants/{tree['v280']['id']}/vin-patterns", json={"pattern": "LFVI"}, headers=h)
    body = assert_problem(r, 422, "invalid_vin_pattern", "pattern")
    assert "'I' at position 4" in body["detail"]

    r = client.patch(f"{V}/generations/{gen}", json={"year_to": 2010}, headers=h)
    assert_problem(r, 422, "invalid_year_range", "year_to")
    r = client.post(
        f"{V}/generations/{gen}/variants", json=variant_body("NEW2", "New", 2020, 2019), headers=h
    )
    assert_problem(r, 422, "invalid_year_range", "year_to")
    r = client.patch(f"{V}/makes/{tree['make']['id']}", json={"name": None}, headers=h)
    assert_problem(r, 422, "required", "name")
    r = client.post(
        f"{V}/generations/{gen}/variants", json={**variant_body("NEW3", "N"), "fuel_type": "steam"}, headers=h
    )
    assert_problem(r, 422, "validation_error")
    assert table_counts(db) == before


# ---- VIN → variants -----------------------------------------------------------------------------------


def test_vin_maps_to_variants_by_pattern_and_model_year(client, world):
    tree = build_tree(client, world.h("admin"))
    b = world.h("b_owner")
    r = client.get(f"/api/v1/vin/{SAGITAR_2021.lower()}", headers=b)
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is True and body["vin"] == SAGITAR_2021 and body["model_year"] == 2021
    assert (body["make"], body["country"]) == ("Volkswagen, Audi", "China")
    # 2021 fits the 1.4T (2019–2022) but not the 1.5T (2023–); of its two patterns the more specific wins
    assert [(m["code"], m["pattern"]) for m in body["matched_variants"]] == [
        ("VW-SAGITAR-A7-14T-DQ200", "LFV2A2*K?M3"),
    ]
    m = body["matched_variants"][0]
    assert (m["make"], m["model"], m["generation"], m["variant_id"]) == (
        "Volkswagen",
        "Sagitar",
        "A7 (2019–)",
        tree["v280"]["id"],
    )
    vin_2024 = with_check_digit("LFV2A21K0R3000001")  # R = 2024: only the 1.5T
    r = client.get(f"/api/v1/vin/{vin_2024}", headers=b).json()
    assert [(m["code"], m["pattern"]) for m in r["matched_variants"]] == [
        ("VW-SAGITAR-A7-15T-DQ200", "LFV2A21K")
    ]
    vin_other = with_check_digit("LFV3A21K0M3000001")
    assert client.get(f"/api/v1/vin/{vin_other}", headers=b).json()["matched_variants"] == []


def test_invalid_vin_is_a_200_with_valid_false_and_the_errors(client, world):
    build_tree(client, world.h("admin"))
    bad = SAGITAR_2021[:8] + "9" + SAGITAR_2021[9:]
    r = client.get(f"/api/v1/vin/{bad}", headers=world.h("a_owner"))
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False and body["matched_variants"] == []
    assert [(e["code"], e["position"]) for e in body["errors"]] == [("vin_check_digit", 9)]
    r = client.get("/api/v1/vin/ABC", headers=world.h("a_owner"))
    assert r.status_code == 200 and [e["code"] for e in r.json()["errors"]] == ["vin_length"]
    assert set(r.json()) == {
        "vin", "valid", "errors", "warnings", "wmi", "manufacturer", "make", "country", "model_year",
        "model_year_candidates", "check_digit_ok", "plant_code", "serial", "matched_variants",
    }  # fmt: skip


def test_matching_is_one_query_whatever_the_number_of_patterns(client, world, db):
    tree = build_tree(client, world.h("admin"))
    h = world.h("admin")
    for i in range(20):
        client.post(
            f"{V}/variants/{tree['v280']['id']}/vin-patterns", json={"pattern": f"LFV2A{i:02d}"}, headers=h
        )
    statements: list[str] = []

    def log(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        statements.append(statement)

    with db.session() as s:
        bind_system(s, "test")
        event.listen(db.engine, "before_cursor_execute", log)
        try:
            decoded = service.decode_vin(s, SAGITAR_2021)
        finally:
            event.remove(db.engine, "before_cursor_execute", log)
    assert [m.code for m in decoded.matched_variants] == ["VW-SAGITAR-A7-14T-DQ200"]
    assert len([st for st in statements if st.lstrip().upper().startswith("SELECT")]) == 1
    assert count(db, VinPattern) == 23 and count(db, VehicleVariant) == 2


@pytest.mark.parametrize("who", ["admin", "b_owner"])
def test_variant_with_no_patterns_and_no_vin_match(client, world, who):
    h = world.h("admin")
    tree = build_tree(client, h)
    gen = tree["gen"]["id"]
    v = client.post(
        f"{V}/generations/{gen}/variants", json=variant_body("NOPAT", "no patterns"), headers=h
    ).json()
    r = client.get(f"{V}/variants/{v['id']}", headers=world.h(who))
    assert r.status_code == 200 and r.json()["vin_patterns"] == []

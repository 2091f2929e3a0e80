"""Who may open the catalogue pages: platform catalogue staff see them in both languages; company
users get 403 on every page and every form (and nothing changes); a view-only user sees no forms and
cannot post; commission rates need platform finance."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.vehicles.models import VehicleVariant
from tests.helpers import table_counts
from tests.web.areas.catalog import GET_PAGES
from tests.web.catalog.conftest import login, post

FINANCE_PAGES = {"/platform/commission"}


def _ids(w: Any) -> dict[str, str]:
    cat = w.catalog
    with w.db.transaction() as s:
        bind_system(s, "test")
        v = s.scalar(select(VehicleVariant).where(VehicleVariant.id == cat.variants["camry"]))
        gen_id = v.generation_id
        from autotrade.vehicles.models import VehicleGeneration, VehicleModel

        g = s.get(VehicleGeneration, gen_id)
        make_id = s.get(VehicleModel, g.model_id).make_id
    return {
        "{part_id}": str(cat.parts["bosch_pad"]),
        "{variant_id}": str(cat.variants["camry"]),
        "{generation_id}": str(gen_id),
        "{make_id}": str(make_id),
    }


def _upload_job(w: Any) -> str:
    """An import run of the platform company (uploaded by the admin through the page)."""
    c = login(w, "admin")
    c.get("/platform/catalog/imports")
    r = post(
        c,
        "/platform/catalog/imports",
        {"kind": "brands"},
        files={"file": ("b.csv", b"code,name,kind\nNGK,NGK,aftermarket\n", "text/csv")},
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[-1]


def _paths(w: Any) -> list[tuple[str, str]]:
    ids = _ids(w)
    ids["{job_id}"] = _upload_job(w)
    out = []
    for template in GET_PAGES:
        path = template
        for k, v in ids.items():
            path = path.replace(k, v)
        assert "{" not in path, path
        out.append((template, path))
    return out


@pytest.mark.parametrize("who", ["admin", "cat_manager", "cat_viewer"])
def test_every_page_renders_for_platform_catalogue_staff_in_both_languages(cw: Any, who: str) -> None:
    paths = _paths(cw)
    c = login(cw, who)
    for template, path in paths:
        for lang in ("zh_CN", "en"):
            r = c.get(f"{path}?lang={lang}")
            expected = 200 if (template not in FINANCE_PAGES or who == "admin") else 403
            assert r.status_code == expected, (who, path, lang, r.status_code, r.text[-800:])
            assert r.headers["content-type"] == "text/html; charset=utf-8"
            html = r.text
            if template.endswith("/status"):
                assert html.lstrip().startswith("{#") or 'id="import-status"' in html
                continue
            assert len(re.findall(r"<h1[ >]", html)) == 1, (path, lang)
            assert re.search(r"<title>[^<]+ · 汽配通 autotrade</title>", html)
            assert ('<html lang="en">' in html) == (lang == "en")
            for input_id in re.findall(r'<(?:input|select|textarea) id="([^"]+)"', html):
                assert f'for="{input_id}"' in html, (path, input_id)  # every control has a label


def test_the_catalogue_is_in_the_navigation_and_opens(cw: Any) -> None:
    c = login(cw, "cat_manager")
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', c.get("/dashboard?lang=en").text, re.S)
    assert nav and '<a href="/platform/catalog" class="">Catalogue</a>' in nav.group(1)
    page = c.get("/platform/catalog?lang=en").text
    for href, label in (
        ("/platform/catalog/vehicles", "Vehicles"),
        ("/platform/catalog/parts", "Parts"),
        ("/platform/catalog/imports", "Imports"),
    ):
        assert f'<a href="{href}" class="">{label}</a>' in page
    assert 'href="/platform/commission"' not in page  # a catalogue manager is not finance
    admin = login(cw, "admin").get("/platform/catalog?lang=en").text
    assert '<a href="/platform/commission" class="">Commission rates</a>' in admin
    assert '<span class="catalog-count" data-testid="count-parts">7</span>' in admin


# Every state-changing route of the area, with a body that would succeed for a platform editor.
def _posts(w: Any) -> list[tuple[str, dict[str, Any]]]:
    ids = _ids(w)
    part, variant, gen, make = ids["{part_id}"], ids["{variant_id}"], ids["{generation_id}"], ids["{make_id}"]
    return [
        ("/platform/catalog/vehicles/makes", {"name": "Geely"}),
        (f"/platform/catalog/vehicles/makes/{make}/models", {"name": "Crown"}),
        (
            f"/platform/catalog/vehicles/generations/{gen}/variants",
            {"code": "X-1", "name": "x", "fuel_type": "petrol", "year_from": "2020"},
        ),
        (
            f"/platform/catalog/vehicles/variants/{variant}",
            {"code": "TOYOTA-CAMRY-XV70-25", "name": "n", "fuel_type": "petrol", "year_from": "2019"},
        ),
        (f"/platform/catalog/vehicles/variants/{variant}/vin-patterns", {"pattern": "LVGB*****N"}),
        (
            "/platform/catalog/parts",
            {
                "brand": "BOSCH",
                "brand_number": "1",
                "name_zh": "x",
                "category": "BRAKE.PAD",
                "quality_grade": "oem",
            },
        ),
        (
            f"/platform/catalog/parts/{part}",
            {
                "name_zh": "改名",
                "brand": "BOSCH",
                "category": "BRAKE.PAD",
                "quality_grade": "oem",
                "status": "active",
            },
        ),
        (f"/platform/catalog/parts/{part}/numbers", {"kind": "trade", "number": "T-1", "brand": "BOSCH"}),
        (f"/platform/catalog/parts/{part}/fitments", {"variant_code": "VW-SAGITAR-A7-14T"}),
        (
            "/platform/commission",
            {"trade_type": "parts", "rate_percent": "3", "effective_from": "2099-01-01T00:00"},
        ),
    ]


@pytest.mark.parametrize("who", ["a_owner", "b_owner", "a_purchaser"])
def test_company_users_get_403_on_every_page_and_form_and_nothing_changes(cw: Any, who: str) -> None:
    paths = _paths(cw)
    posts = _posts(cw)
    c = login(cw, who)
    for _template, path in paths:
        assert c.get(path).status_code == 403, path
    nav = c.get("/dashboard").text
    assert "/platform/catalog" not in nav
    before = table_counts(cw.db)
    for path, data in posts:
        r = post(c, path, data)
        assert r.status_code == 403, (path, r.status_code)
        assert "无权访问" in r.text
    r = post(
        c,
        "/platform/catalog/imports",
        {},
        files={"file": ("b.csv", b"code,name,kind\nX,X,aftermarket\n", "text/csv")},
    )
    assert r.status_code == 403
    assert table_counts(cw.db) == before


def test_a_view_only_user_sees_no_forms_and_cannot_post(cw: Any) -> None:
    posts = _posts(cw)
    c = login(cw, "cat_viewer")
    part = c.get(f"/platform/catalog/parts/{cw.catalog.parts['bosch_pad']}?lang=en").text
    assert "<form" not in part.split("<main", 1)[1].split("</main>", 1)[0].replace('<form method="get"', "")
    assert "Remove" not in part and "Save part" not in part
    assert "Upload and import" not in c.get("/platform/catalog/imports?lang=en").text
    before = table_counts(cw.db)
    for path, data in posts:
        r = post(c, path, data)
        assert r.status_code == 403, path
    assert table_counts(cw.db) == before


def test_commission_needs_platform_finance(cw: Any) -> None:
    c = login(cw, "finance")
    page = c.get("/platform/commission?lang=en")
    assert page.status_code == 200
    assert "Add a rate" in page.text
    assert 'href="/platform/catalog/vehicles"' not in page.text  # no catalogue tabs without catalogue access
    assert c.get("/platform/catalog").status_code == 403
    assert login(cw, "cat_manager").get("/platform/commission").status_code == 403

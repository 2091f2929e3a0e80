"""The buyer's search box: a VIN, a part number in any formatting, or words — each detected and shown
(decoded vehicle and fitting parts by category; the number's parts and interchange group; text hits
with facets, reasons and pages)."""

from __future__ import annotations

import re

import pytest

from autotrade.web import buyer_search
from autotrade.web.buyer_search import classify
from tests.web.buyer.conftest import CAMRY_VIN, html_of, ids_in
from tests.web.conftest import web_login


@pytest.mark.parametrize(
    ("q", "kind"),
    [
        ("LVGBE40K3MN012345", "vin"),
        ("lvgbe40k3mn012345", "vin"),
        ("LVGBE40K3MN01234Q", "vin"),  # VIN-shaped with a bad character: decoded, the error shown
        ("LVG-BE40K3-MN012345", "vin"),
        ("04465-33471", "number"),
        ("0 986 494 614", "number"),
        ("GDB3426", "number"),
        ("刹车片", "text"),
        ("brake pads", "text"),
        ("5W-30 机油", "text"),
    ],
)
def test_the_box_detects_what_was_typed(q, kind):
    assert classify(q) == kind


@pytest.mark.parametrize("who", ["a_owner", "a_purchaser"])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_empty_search_offers_examples(shop, who, lang):
    c = shop.client
    web_login(c, shop.world.emails[who])
    html = html_of(c.get(f"/search?lang={lang}"))
    assert 'id="search-empty"' in html
    for example in (buyer_search.DEMO_VIN, buyer_search.DEMO_NUMBER):
        assert f'href="/search?q={example}"' in html
    assert 'name="q"' in html and '<label for="q">' in html
    assert ("<h1>找配件</h1>" if lang == "zh_CN" else "<h1>Find parts</h1>") in html
    label = "VIN / OE 号 / 配件名称" if lang == "zh_CN" else "VIN, part number or words"
    assert f'<label for="q">{label}</label>' in html


def test_search_needs_the_procurement_permission(shop):
    c = shop.client
    web_login(c, shop.world.emails["a_viewer"])
    assert c.get("/search").status_code == 403
    web_login(c, shop.world.emails["pending_owner"])
    assert c.get("/search?q=brake").status_code == 403


def test_a_vin_shows_the_vehicle_and_the_parts_that_fit_by_category(shop):
    html = html_of(shop.client.get(f"/search?q={CAMRY_VIN}&lang=en"))
    assert 'id="vin-result"' in html and "Valid VIN" in html
    assert "GAC Toyota" in html and "China" in html and "2021" in html
    assert "Toyota Camry" in html and "2.5L 自动 豪华版" in html
    pads = ids_in(html, "fits-BRAKE.PAD")
    assert set(pads) == {str(shop.part(k)) for k in ("toyota_pad", "bosch_pad", "trw_pad")}
    assert ids_in(html, "fits-BRAKE.DISC") == [str(shop.part("brembo_disc"))]
    assert "Fits this vehicle (front)" in html
    assert "1 offer · from ¥100.00" in html  # the Toyota pad, from B
    # the category filter keeps only that category
    html = html_of(shop.client.get(f"/search?q={CAMRY_VIN}&category=BRAKE.DISC&lang=en"))
    assert 'id="fits-BRAKE.PAD"' not in html
    assert ids_in(html, "fits-BRAKE.DISC") == [str(shop.part("brembo_disc"))]
    assert '<option value="BRAKE.DISC" selected>' in html


def test_a_wrong_vin_shows_every_problem_and_keeps_it_in_the_box(shop):
    bad = CAMRY_VIN[:8] + "4" + CAMRY_VIN[9:]  # wrong check digit
    r = shop.client.get(f"/search?q={bad}&lang=en")
    html = html_of(r)
    assert r.status_code == 200  # decoding succeeded: the answer is "not valid", with the reasons
    assert "VIN not valid" in html and "vin_check_digit" in html and "Position 9" in html
    assert f'value="{bad}"' in html
    assert f"/search?q={bad}&amp;as=number" in html  # search it as a part number instead
    assert 'id="vehicle-parts"' not in html
    expected = repr(CAMRY_VIN[8])
    assert (
        f"Position 9: check digit &#39;4&#39;, expected {expected.replace(chr(39), '&#39;')} (required here)."
        in html
    )


def test_vin_problems_are_told_in_the_reader_language(shop):
    """The decoder's reasons are English; the page says them in Chinese by default, with the details."""
    html = html_of(shop.client.get("/search?q=LVGE6AB5XLN12345&as=vin&lang=zh_CN"))  # 16 characters
    assert "VIN 固定为 17 位，这个有 16 位。" in html and "vin_length" in html
    html = html_of(shop.client.get("/search?q=LVGE6AB5XLN1234O5&as=vin&lang=zh_CN"))  # O at position 16
    assert "第 16 位：不允许 &#39;O&#39;" in html
    html = html_of(shop.client.get("/search?q=LVGE6AB5XLN12345&as=vin&lang=en"))
    assert "A VIN has exactly 17 characters; this one has 16." in html


def test_a_vin_the_catalogue_does_not_know(shop):
    html = html_of(shop.client.get("/search?q=LFVAAAA57LN123456&lang=en"))  # valid FAW-VW VIN
    assert "Valid VIN" in html and "FAW-Volkswagen" in html
    assert "No vehicle of the catalogue matches this VIN yet" in html


def test_an_unknown_category_is_an_error_next_to_the_box(shop):
    r = shop.client.get(f"/search?q={CAMRY_VIN}&category=NOPE&lang=en")
    assert r.status_code == 422
    assert "This category is not in the catalogue." in html_of(r)


def test_a_number_in_any_formatting_shows_its_parts_and_interchange_group(shop):
    html = html_of(shop.client.get("/search?q=04465%2033471&lang=en"))
    rows = ids_in(html, "number-hits")
    assert rows[0] == str(shop.part("toyota_pad"))
    assert set(rows) >= {str(shop.part(k)) for k in ("toyota_pad", "bosch_pad", "trw_pad")}
    assert "Carries this number: Brand number 04465-33471 (TOYOTA)" in html
    assert "Carries this number: OE number 04465-33471 (TOYOTA)" in html  # Bosch and TRW list the OE
    # a superseded number finds the part that replaces it
    html = html_of(shop.client.get("/search?q=0446533450&lang=en"))
    assert str(shop.part("toyota_pad")) in ids_in(html, "number-hits")


def test_a_number_nobody_carries_falls_back_to_words(shop):
    html = html_of(shop.client.get("/search?q=XYZ99999&lang=en"))
    assert "No part carries the number XYZ99999. Word matches follow." in html
    assert 'id="text-result"' in html


def test_words_show_hits_why_facets_and_pages(shop, monkeypatch):
    monkeypatch.setattr(buyer_search, "TEXT_PAGE", 2)
    c = shop.client
    html = html_of(c.get("/search?q=%E5%88%B9%E8%BD%A6%E7%89%87&lang=en"))  # 刹车片
    first = re.findall(r'<li data-id="([^"]+)"', html)
    assert len(first) == 2
    assert "Why it matched" in html and "Name: 前刹车片 ∋ 刹车片" in html
    # facets are links that narrow the search
    assert 'href="/search?q=%E5%88%B9%E8%BD%A6%E7%89%87&amp;brand=TRW"' in html
    nxt = re.search(r'href="(/search\?[^"]*cursor=[^"]+)">Next page', html)
    assert nxt
    html2 = html_of(c.get(nxt.group(1).replace("&amp;", "&") + "&lang=en"))
    second = re.findall(r'<li data-id="([^"]+)"', html2)
    assert second and not set(second) & set(first)
    assert ">First page<" in html2
    narrowed = html_of(c.get("/search?q=%E5%88%B9%E8%BD%A6%E7%89%87&brand=TRW&lang=en"))
    assert re.findall(r'<li data-id="([^"]+)"', narrowed) == [str(shop.part("trw_pad"))]
    assert 'aria-label="Remove this filter"' in narrowed


def test_an_unknown_facet_value_is_an_error_and_keeps_the_words(shop):
    r = shop.client.get("/search?q=brake&brand=NOSUCH&lang=en")
    assert r.status_code == 422
    html = html_of(r)
    assert "This brand is not in the catalogue." in html and 'value="brake"' in html


def test_words_that_match_nothing_say_what_to_do(shop):
    html = html_of(shop.client.get("/search?q=zzzqqq&lang=en"))
    assert "Nothing matches these words." in html

"""Offers from a CSV/XLSX file (pricing.upload): create or update per row, every bad row reported with
line, column, value and reason; an unreadable file fails as a whole."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from autotrade.core.tenancy import current_principal
from autotrade.pricing import upload
from autotrade.pricing.models import Offer
from tests.orders.conftest import as_company, market  # noqa: F401  (fixture)


def _run(market, tmp_path: Path, content: str | bytes, name: str = "offers.csv", org: str = "b"):  # noqa: F811
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with as_company(market.db, market.world.orgs[org]) as s:
        return upload.process_file(s, current_principal(s), path, filename=name)


def _offers(market, org="b"):  # noqa: F811
    with as_company(market.db, market.world.orgs[org]) as s:
        from sqlalchemy.orm import selectinload

        rows = s.scalars(select(Offer).options(selectinload(Offer.tiers))).all()
        return {
            o.part_id: (
                o.list_price_fen,
                o.moq,
                o.pack_size,
                o.status.value,
                [(t.min_quantity, t.unit_price_fen) for t in o.tiers],
            )
            for o in rows
        }


def _sku(market, key):  # noqa: F811
    from tests.web.supplier.conftest import sku_of

    return sku_of(market, key)


def test_create_update_and_report(market, tmp_path):  # noqa: F811
    before = _offers(market)
    text = (
        "sku,list_price,moq,pack_size,lead_time_days,status,tiers\n"
        f"{_sku(market, 'trw_pad')},88.5,2,2,3,active,10:80;50:75.50\n"
        f"{_sku(market, 'toyota_pad')},99,,,,paused,\n"
        f"{_sku(market, 'bosch_pad')},abc,,,,,\n"
        f"{_sku(market, 'vw_filter')},30,0,,,,\n"
        f"{_sku(market, 'brembo_disc')},300,,,,,10:400\n"
        "NOPE-1,10,,,,,\n"
        f"{_sku(market, 'trw_pad')},90,,,,,\n"
        f"{_sku(market, 'mann_filter')},12,,,,,5:x\n"
    )
    report = _run(market, tmp_path, text)
    assert report.status == "done"
    assert (report.rows_total, report.rows_created, report.rows_updated, report.rows_failed) == (8, 1, 1, 6)
    assert [(e.line, e.column) for e in report.errors] == [
        (4, "list_price"),
        (5, "moq"),
        (6, "tiers"),
        (7, "sku"),
        (8, "sku"),
        (9, "tiers"),
    ]
    reasons = {e.line: e.reason for e in report.errors}
    assert reasons[6] == "a tier price cannot be above the list price"
    assert reasons[7] == "unknown SKU"
    assert reasons[8] == "repeats the row at line 2"
    after = _offers(market)
    assert after[market.part("trw_pad")] == (8850, 2, 2, "active", [(10, 8000), (50, 7550)])
    assert after[market.part("toyota_pad")][0] == 9900 and after[market.part("toyota_pad")][3] == "paused"
    for key in ("bosch_pad", "vw_filter", "brembo_disc"):
        assert after[market.part(key)] == before[market.part(key)]
    assert market.part("mann_filter") not in after
    assert upload.errors_csv(report.as_dict()["errors"]).splitlines()[0] == "line,column,value,reason"


def test_blank_cells_keep_values_and_a_tiers_column_replaces_tiers(market, tmp_path):  # noqa: F811
    sku = _sku(market, "bosch_pad")
    _run(market, tmp_path, f"sku,list_price,moq,tiers\n{sku},80,3,10:70;20:60\n")
    assert _offers(market)[market.part("bosch_pad")] == (8000, 3, 1, "active", [(10, 7000), (20, 6000)])
    _run(market, tmp_path, f"sku,list_price\n{sku},80\n")  # no tiers column: tiers and MOQ stay
    assert _offers(market)[market.part("bosch_pad")] == (8000, 3, 1, "active", [(10, 7000), (20, 6000)])
    _run(market, tmp_path, f"sku,list_price,tiers\n{sku},80,\n")  # a blank tiers cell: no tiers
    assert _offers(market)[market.part("bosch_pad")][4] == []


def test_an_unreadable_file_fails_as_a_whole(market, tmp_path):  # noqa: F811
    before = _offers(market)
    report = _run(market, tmp_path, f"sku,price\n{_sku(market, 'bosch_pad')},1\n")
    assert report.status == "failed"
    assert report.errors[0].line == 1 and "list_price" in report.errors[0].reason
    report = _run(market, tmp_path, b"PK\x03\x04garbage", name="offers.xlsx")
    assert report.status == "failed"
    assert _offers(market) == before


def test_xlsx_and_isolation(market, tmp_path):  # noqa: F811
    wb = Workbook()
    ws = wb.active
    ws.append(["sku", "list_price", "moq"])
    ws.append([_sku(market, "trw_pad"), 61.5, 1])
    wb.save(tmp_path / "offers.xlsx")
    report = _run(market, tmp_path, (tmp_path / "offers.xlsx").read_bytes(), name="offers.xlsx", org="c")
    assert (report.rows_updated, report.rows_failed) == (1, 0)
    assert _offers(market, "c")[market.part("trw_pad")][0] == 6150  # C's own offer
    assert _offers(market)[market.part("toyota_pad")][0] == 10000  # B's untouched


def test_yuan_to_fen():
    assert [
        upload.yuan_to_fen(x) for x in ("298", "298.5", "298.05", "1,234.56", "0.01", "1.234", "-1", "")
    ] == [
        29800,
        29850,
        29805,
        123456,
        1,
        None,
        None,
        None,
    ]

"""Bulk uploads: stock counts and offers, through the domain's background job; the job page polls the
status and shows the result with every bad row (line, column, reason) and the error report."""

from __future__ import annotations

import csv
import io
import re
import uuid

from autotrade.jobs import service as jobs
from tests.web.conftest import post_form
from tests.web.supplier.conftest import api, sku_of


def upload(c, path, field, name, content, page="/supplier/stock/upload"):
    token = c.cookies.get("csrf") or re.search(r'name="csrf_token" value="([^"]+)"', c.get(page).text).group(
        1
    )
    return c.post(
        path,
        data={"csrf_token": token},
        files={field: (name, content, "text/csv")},
        follow_redirects=False,
    )


def test_the_upload_page_documents_the_format(market, web):
    c = web("b_warehouse")  # inventory:edit, no pricing
    r = c.get("/supplier/stock/upload?lang=en")
    assert r.status_code == 200
    assert '<label for="f-file">Stock file (CSV or XLSX) <span class="req">*</span></label>' in r.text
    assert 'name="file" type="file"' in r.text
    assert ">Upload stock file</button>" in r.text
    assert "warehouse_code,sku,on_hand\nHZ-01,BOSCH-0986494614,130" in r.text  # B's first warehouse code
    assert 'href="/supplier/stock/upload/template.csv"' in r.text
    assert 'id="offers-upload-form"' not in r.text  # no pricing permission
    t = c.get("/supplier/stock/upload/template.csv")
    assert t.status_code == 200 and t.headers["content-type"].startswith("text/csv")
    assert t.text.lstrip("\ufeff") == "warehouse_code,sku,on_hand\n"
    zh = c.get("/supplier/stock/upload?lang=zh_CN").text
    assert "上传库存文件" in zh


def test_a_stock_upload_applies_good_rows_and_reports_every_bad_one(market, web):
    c = web("b_warehouse")
    bosch = sku_of(market, "bosch_pad")
    content = (
        "warehouse_code,sku,on_hand\n"
        f"HZ-01,{bosch},130\n"  # 100 → 130
        f"XX-99,{bosch},5\n"  # unknown warehouse
        "NB-01,NOPE-123,7\n"  # unknown SKU
        f"NB-01,{bosch},-1\n"  # negative
    ).encode()
    r = upload(c, "/supplier/stock/upload", "file", "counts.csv", content)
    assert r.status_code == 303, r.text[-2000:]
    job_page = r.headers["location"]
    assert re.fullmatch(r"/supplier/stock/upload/[0-9a-f-]{36}", job_page)
    assert market.level("b_hz", "bosch_pad") == (130, 0)
    page = c.get(job_page + "?lang=en")
    assert page.status_code == 200
    assert "<h2>Upload finished</h2>" in page.text
    assert "4 rows read: 1 changed, 0 unchanged, 3 with errors." in page.text
    errors = re.search(r'<table class="table" id="upload-errors">.*?</table>', page.text, re.S).group(0)
    cells = [
        re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", errors, re.S)[1:]
    ]
    assert [(x[0], re.sub(r"</?code>", "", x[1])) for x in cells] == [
        ("3", "warehouse_code"),
        ("4", "sku"),
        ("5", "on_hand"),
    ]
    assert "hx-get" not in page.text  # finished: no more polling
    link = re.search(r'href="(/supplier/stock/upload/[0-9a-f-]{36}/errors\.csv)"', page.text).group(1)
    report = list(csv.reader(io.StringIO(c.get(link).text.lstrip("\ufeff"))))
    assert report[0] == ["line", "column", "value", "reason"]
    assert [row[:2] for row in report[1:]] == [["3", "warehouse_code"], ["4", "sku"], ["5", "on_hand"]]
    zh = c.get(job_page + "?lang=zh_CN").text
    for text in ("上传完成", "未知的仓库代码", "未知的 SKU", "必须在 0 到 10000000 之间"):
        assert text in zh
    # The upload is listed on the upload page.
    listed = c.get("/supplier/stock/upload?lang=en").text
    assert "counts.csv" in listed


def test_progress_is_polled_while_the_job_runs(market, web, monkeypatch):
    class Hold:
        def __init__(self):
            self.held: list[uuid.UUID] = []

        def dispatch(self, job_id):
            self.held.append(job_id)

        def shutdown(self):
            pass

    hold = Hold()
    monkeypatch.setattr(jobs, "_runner", hold)
    c = web("b_owner")
    r = upload(
        c,
        "/supplier/stock/upload",
        "file",
        "c.csv",
        f"warehouse_code,sku,on_hand\nSH-01,{sku_of(market, 'toyota_pad')},25\n".encode(),
    )
    assert r.status_code == 303
    job_page = r.headers["location"]
    page = c.get(job_page + "?lang=en").text
    assert "Processing the file…" in page
    assert f'hx-get="{job_page}/status" hx-trigger="load delay:1s"' in page
    assert market.level("b_sh", "toyota_pad") == (20, 0)  # not yet
    assert jobs.execute(market.db, hold.held[0]) == "done"
    fragment = c.get(job_page + "/status?lang=en", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.startswith('<section id="upload-status"')
    assert "1 row read: 1 changed, 0 unchanged, 0 with errors." in fragment.text
    assert "hx-get" not in fragment.text
    assert market.level("b_sh", "toyota_pad") == (25, 0)


def test_an_unreadable_file_and_a_missing_file(market, web):
    c = web("b_owner")
    r = upload(c, "/supplier/stock/upload", "file", "bad.csv", b"code,qty\nHZ-01,5\n")
    page = c.get(r.headers["location"] + "?lang=en").text
    assert "The file could not be read" in page
    assert "required column(s) missing" in page
    token = c.cookies.get("csrf")
    r = c.post("/supplier/stock/upload?lang=en", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 422
    assert 'id="e-file">Choose a file to upload.' in r.text
    r = upload(c, "/supplier/stock/upload?lang=en", "file", "counts.pdf", b"%PDF")
    assert r.status_code == 422 and "Upload a .csv or .xlsx file." in r.text


def test_another_companys_upload_is_not_found(market, web):
    c = web("c_owner")
    r = upload(c, "/supplier/stock/upload", "file", "c.csv", b"warehouse_code,sku,on_hand\nHZ-C,X,1\n")
    job_page = r.headers["location"]
    assert c.get(job_page).status_code == 200
    c = web("b_owner")
    for suffix in ("", "/status", "/errors.csv"):
        assert c.get(job_page + suffix).status_code == 404
    # A stock job is not an offers job.
    assert c.get(job_page.replace("/stock/", "/offers/")).status_code == 404


def test_permissions(market, web):
    for who, path, status in (
        ("a_owner", "/supplier/stock/upload", 403),  # a buyer
        ("b_sales", "/supplier/stock/upload", 200),  # inventory:view
    ):
        assert web(who).get(path).status_code == status
    c = web("b_sales")  # no inventory:edit
    r = upload(c, "/supplier/stock/upload", "file", "c.csv", b"warehouse_code,sku,on_hand\n")
    assert r.status_code == 403


def test_an_offers_upload_creates_and_updates_offers(market, web):
    c = web("b_sales")
    content = (
        "sku,list_price,moq,pack_size,tiers\n"
        f"{sku_of(market, 'trw_pad')},88.00,2,2,10:80.00;50:75.50\n"  # new
        f"{sku_of(market, 'toyota_pad')},99.00,,,\n"  # update: price, tiers cleared
        f"{sku_of(market, 'bosch_pad')},0,,,\n"  # bad price
        "NOPE-1,10,,,\n"  # unknown SKU
    ).encode()
    r = upload(c, "/supplier/offers/upload", "offers_file", "prices.csv", content)
    assert r.status_code == 303, r.text[-1000:]
    assert re.fullmatch(r"/supplier/offers/upload/[0-9a-f-]{36}", r.headers["location"])
    page = c.get(r.headers["location"] + "?lang=en").text
    assert "4 rows read: 1 offers created, 1 updated, 2 with errors." in page
    assert "unknown SKU" in page
    offers = {o["part_id"]: o for o in api(market, "b_owner", "GET", "/offers?limit=200").json()["items"]}
    new = offers[str(market.part("trw_pad"))]
    assert (new["list_price_fen"], new["moq"], new["pack_size"]) == (8800, 2, 2)
    assert new["tiers"] == [
        {"min_quantity": 10, "unit_price_fen": 8000},
        {"min_quantity": 50, "unit_price_fen": 7550},
    ]
    assert offers[str(market.part("toyota_pad"))]["list_price_fen"] == 9900
    assert offers[str(market.part("bosch_pad"))]["list_price_fen"] == 8000  # unchanged
    link = re.search(r'href="(/supplier/offers/upload/[0-9a-f-]{36}/errors\.csv)"', page).group(1)
    assert c.get(link).text.lstrip("\ufeff").splitlines()[1:] == [
        "4,list_price,0,must be above 0",
        "5,sku,NOPE-1,unknown SKU",
    ]
    t = c.get("/supplier/offers/upload/template.csv")
    assert t.text.lstrip("\ufeff").startswith("sku,list_price,")
    r = post_form(c, "/supplier/offers/upload?lang=en", {})
    assert r.status_code == 422 and 'id="e-offers_file"' in r.text

"""Import pages: upload a file (the catalog.import job of the API), follow its progress while it runs
(HTMX polling), read the counts and every bad row in the page, download the error report."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from autotrade.catalog.models import Brand, Part
from autotrade.core.db import utcnow
from autotrade.core.tenancy import bind_system
from autotrade.jobs.models import JobRun
from tests.helpers import count, table_counts
from tests.web.catalog.conftest import field_error, login, post

DATA = Path(__file__).resolve().parents[2] / "catalog" / "data"


def _upload(c: Any, name: str, kind: str = "", content: bytes | None = None) -> Any:
    body = content if content is not None else (DATA / name).read_bytes()
    return post(
        c, "/platform/catalog/imports?lang=en", {"kind": kind}, files={"file": (name, body, "text/csv")}
    )


def _job(w: Any, **fields: Any) -> Any:
    with w.db.transaction() as s:
        bind_system(s, "test")
        run = JobRun(**fields)
        s.add(run)
        s.flush()
        return run.id


def test_upload_shows_counts_and_every_bad_row(cw: Any) -> None:
    c = login(cw, "cat_manager")
    page = c.get("/platform/catalog/imports?lang=en").text
    label = (
        '<label for="import-file">Catalogue file (CSV or XLSX) <span class="req" aria-hidden="true">*</span>'
    )
    assert label + "</label>" in page
    assert '<button type="submit" class="button primary">Upload and import</button>' in page
    r = _upload(c, "parts.csv", "parts")
    assert r.status_code == 303, r.text[-1500:]
    job_url = r.headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    page = c.get(job_url + "?lang=en").text
    assert "File uploaded. The import runs in the background." in page
    assert "<h1>Import of parts.csv</h1>" in page
    # Finished (the test runner executes the job at commit): no polling, the counts and the bad rows.
    assert "hx-trigger" not in page
    assert "<strong>Import finished.</strong>" in page
    m = re.search(r"7 rows read: (\d+) created, (\d+) updated, (\d+) unchanged, 3 failed\.", page)
    assert m and m.groups() == ("3", "1", "0"), m and m.groups()
    rows = re.findall(
        r'<tr><td class="catalog-num">(\d+)</td><td><code>([^<]*)</code></td>'
        r"<td>([^<]*)</td><td>([^<]*)</td></tr>",
        page,
    )
    assert rows == [
        ("5", "brand", "NOBRAND", "unknown brand (import brands first)"),
        ("6", "brand_number", "", "required"),
        ("7", "quality_grade", "best", "must be one of oe, oem, aftermarket, remanufactured, dismantled"),
        ("7", "attributes", "[1,2]", "must be a JSON object ({...})"),
        ("7", "category", "FILTER.NOPE", "unknown category (import categories first)"),
    ]
    assert '<dd data-count="failed">3</dd>' in page and '<dd data-count="read">7</dd>' in page
    link = (
        f'<a href="/api/v1/catalog/imports/{job_id}/errors.csv" download>Download the error report (CSV)</a>'
    )
    assert link in page
    report = c.get(f"/api/v1/catalog/imports/{job_id}/errors.csv")  # the browser's session cookie
    assert report.status_code == 200
    assert list(csv.reader(io.StringIO(report.text)))[1] == [
        "5",
        "brand",
        "NOBRAND",
        "unknown brand (import brands first)",
    ]
    # The list shows the run; the status fragment answers the same.
    listing = c.get("/platform/catalog/imports?lang=en").text
    assert f'<tr data-id="{job_id}">' in listing
    fragment = c.get(job_url + "/status?lang=en").text
    assert fragment.lstrip().startswith(
        '<section class="card catalog-import-status" id="import-status" data-status="done"'
    )


def test_a_clean_import_and_the_counts_it_changed(cw: Any) -> None:
    c = login(cw, "admin")
    c.get("/platform/catalog/imports")
    before = count(cw.db, Brand)
    r = _upload(c, "brands.csv")  # kind from the header
    page = c.get(r.headers["location"] + "?lang=en").text
    assert "No problems: every row was imported." in page
    assert "Download the error report" not in page
    assert "<dd>Brands</dd>" in page  # detected from the header
    assert re.search(r"4 rows read: 0 created, \d updated, \d unchanged, 0 failed\.", page)
    assert count(cw.db, Brand) == before  # the four brands exist already: updated or unchanged


def test_progress_is_shown_while_the_import_runs(cw: Any) -> None:
    c = login(cw, "cat_viewer")
    running = _job(
        cw,
        name="catalog.import",
        org_id=cw.orgs["platform"],
        status="running",
        progress=20000,
        total=50000,
        payload={"path": "/nowhere.csv", "kind": "fitment", "filename": "fitment.csv"},
        started_at=utcnow(),
    )
    page = c.get(f"/platform/catalog/imports/{running}?lang=en").text
    assert (
        f'hx-get="/platform/catalog/imports/{running}/status" hx-trigger="every 1s" hx-swap="outerHTML"'
        in page
    )
    progress = (
        '<progress id="import-progress" max="50000" value="20000" aria-describedby="import-progress-text">'
    )
    assert progress + "40%</progress>" in page
    assert "20,000 of 50,000 rows imported (40%)." in page
    assert "<dd>Fitment (part to vehicle)</dd>" in page
    fragment = c.get(f"/platform/catalog/imports/{running}/status?lang=zh_CN").text
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    assert "已导入 20,000 / 50,000 行（40%）。" in fragment
    # Then it finishes: the next poll answers without polling any more.
    with cw.db.transaction() as s:
        bind_system(s, "test")
        run = s.get(JobRun, running)
        run.status, run.progress, run.finished_at = "done", 50000, utcnow()
        run.result = {
            "kind": "fitment",
            "filename": "fitment.csv",
            "read": 50000,
            "created": 49990,
            "updated": 0,
            "unchanged": 10,
            "failed": 0,
            "errors_path": None,
        }
    done = c.get(f"/platform/catalog/imports/{running}/status?lang=en").text
    assert "hx-trigger" not in done
    assert "50,000 rows read: 49,990 created, 0 updated, 10 unchanged, 0 failed." in done
    pending = _job(cw, name="catalog.import", org_id=cw.orgs["platform"], payload={"filename": "x.csv"})
    assert "Waiting for the importer to start…" in c.get(f"/platform/catalog/imports/{pending}?lang=en").text


def test_a_failed_job_says_so(cw: Any) -> None:
    c = login(cw, "admin")
    failed = _job(
        cw,
        name="catalog.import",
        org_id=cw.orgs["platform"],
        status="failed",
        error="Traceback…",
        payload={"filename": "big.csv"},
    )
    page = c.get(f"/platform/catalog/imports/{failed}?lang=en").text
    assert "The import stopped with an unexpected error." in page
    assert "Traceback" not in page


def test_upload_errors_keep_the_choice_and_save_nothing(cw: Any) -> None:
    c = login(cw, "cat_manager")
    c.get("/platform/catalog/imports")
    uploads = Path(cw.client.app.state.settings.import_dir)
    before = table_counts(cw.db)
    r = post(c, "/platform/catalog/imports?lang=en", {"kind": "parts"})
    assert r.status_code == 422
    assert field_error(r.text, "import", "file") == "Choose a CSV or XLSX file."
    assert '<option value="parts" selected>' in r.text
    r = post(
        c,
        "/platform/catalog/imports?lang=en",
        {"kind": "vehicles"},
        files={"file": ("x.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert r.status_code == 422
    assert field_error(r.text, "import", "file") == "Upload a .csv or .xlsx file."
    assert '<option value="vehicles" selected>' in r.text
    r = post(
        c,
        "/platform/catalog/imports?lang=en",
        {"kind": "wheels"},
        files={"file": ("b.csv", b"code\n", "text/csv")},
    )
    assert r.status_code == 422
    assert field_error(r.text, "import", "kind") == "Choose one of the listed values."
    assert table_counts(cw.db) == before
    assert not uploads.exists() or not any(uploads.iterdir())


def test_another_company_job_or_another_kind_of_job_is_404(cw: Any) -> None:
    c = login(cw, "admin")
    theirs = _job(cw, name="catalog.import", org_id=cw.orgs["b"], payload={"filename": "b.csv"})
    other = _job(cw, name="system.purge", org_id=cw.orgs["platform"])
    for job in (theirs, other, "00000000-0000-0000-0000-000000000000"):
        assert c.get(f"/platform/catalog/imports/{job}").status_code == 404
        assert c.get(f"/platform/catalog/imports/{job}/status").status_code == 404


def test_an_import_of_a_file_the_importer_refuses(cw: Any) -> None:
    c = login(cw, "cat_manager")
    c.get("/platform/catalog/imports")
    r = _upload(c, "odd.csv", content=b"colour,size\nred,1\n")
    page = c.get(r.headers["location"] + "?lang=en").text
    assert "0 rows read" in page
    assert re.search(
        r'<tr><td class="catalog-num">1</td><td><code>—</code></td><td></td><td>cannot tell the kind of file',
        page,
    )
    assert count(cw.db, Part) == 7

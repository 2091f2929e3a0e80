"""Import over HTTP: upload → job → status → error report; permissions; nothing written when refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from autotrade.catalog import importer
from autotrade.catalog.models import Brand, Part
from autotrade.core.settings import Settings
from tests.helpers import assert_problem, count, table_counts

DATA = Path(__file__).parent / "data"


@pytest.fixture
def api(world: Any, app: Any, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The world, with uploads and error reports kept in this test's directory."""
    settings.import_dir = tmp_path / "imports"
    monkeypatch.setattr(importer, "get_settings", lambda: settings)
    return world


def upload(client: Any, headers: dict[str, str], name: str, kind: str | None = None) -> Any:
    data = {"kind": kind} if kind else {}
    with (DATA / name).open("rb") as f:
        return client.post(
            "/api/v1/catalog/imports", files={"file": (name, f, "text/csv")}, data=data, headers=headers
        )


def test_upload_runs_a_job_whose_status_and_error_report_can_be_read(api: Any) -> None:
    c, h = api.client, api.h("admin")
    for name in ("categories.csv", "brands.csv"):
        r = upload(c, h, name)
        assert r.status_code == 202, r.text
    r = upload(c, h, "parts.csv", kind="parts")
    assert r.status_code == 202, r.text
    body = r.json()
    job_id = body["job_id"]
    assert body["status_url"] == f"/api/v1/jobs/{job_id}"
    assert body["errors_url"] == f"/api/v1/catalog/imports/{job_id}/errors.csv"
    status = c.get(body["status_url"], headers=h).json()
    assert status["status"] == "done" and status["name"] == "catalog.import"
    res = status["result"]
    assert (res["kind"], res["filename"], res["read"], res["created"], res["updated"], res["failed"]) == (
        "parts",
        "parts.csv",
        7,
        4,
        0,
        3,
    )
    assert status["progress"] == 7
    report = c.get(body["errors_url"], headers=h)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.text)))
    assert rows == [
        ["line", "column", "value", "reason"],
        ["5", "brand", "NOBRAND", "unknown brand (import brands first)"],
        ["6", "brand_number", "", "required"],
        ["7", "quality_grade", "best", "must be one of oe, oem, aftermarket, remanufactured, dismantled"],
        ["7", "attributes", "[1,2]", "must be a JSON object ({...})"],
        ["7", "category", "FILTER.NOPE", "unknown category (import categories first)"],
    ]
    assert count(api.db, Part) == 4
    # A clean import has no error report.
    clean = upload(c, h, "brands.csv").json()
    assert_problem(c.get(clean["errors_url"], headers=h), 404, "no_error_report")


def test_export_streams_the_import_format(api: Any) -> None:
    c, h = api.client, api.h("admin")
    upload(c, h, "categories.csv")
    upload(c, h, "brands.csv")
    r = c.get("/api/v1/catalog/exports/brands.csv", headers=api.h("a_viewer"))  # any company reads
    assert r.status_code == 200, r.text
    assert r.text.splitlines() == [
        "code,name,name_zh,kind,country",
        "BOSCH,Bosch,博世,oe_supplier,DE",
        "BREMBO,Brembo,布雷博,aftermarket,IT",
        "MANNFILTER,Mann Filter,曼牌,aftermarket,DE",
        "TOYOTA,Toyota,丰田,vehicle_maker,JP",
    ]
    assert_problem(c.get("/api/v1/catalog/exports/nope.csv", headers=h), 404, "unknown_export")


@pytest.mark.parametrize("who", ["a_owner", "b_owner", "a_viewer"])
def test_company_users_cannot_import_and_nothing_is_written(api: Any, who: str) -> None:
    c, headers = api.client, api.h(who)  # logged in first: the login writes its own rows
    before = table_counts(api.db)
    assert_problem(upload(c, headers, "brands.csv"), 403, "permission_denied")
    assert table_counts(api.db) == before
    assert count(api.db, Brand) == 0
    uploads = Path(importer.get_settings().import_dir)
    assert not uploads.exists() or not any(uploads.iterdir())  # the upload was not even saved
    r = upload(c, api.h("admin"), "brands.csv").json()
    assert_problem(c.get(r["errors_url"], headers=api.h(who)), 403, "permission_denied")


def test_upload_refuses_unknown_kinds_and_file_types(api: Any) -> None:
    c, h = api.client, api.h("admin")
    before = table_counts(api.db)
    assert_problem(upload(c, h, "brands.csv", kind="wheels"), 422, "validation_error", field="kind")
    r = c.post("/api/v1/catalog/imports", files={"file": ("x.pdf", b"%PDF", "application/pdf")}, headers=h)
    assert_problem(r, 422, "validation_error", field="file")
    assert table_counts(api.db) == before

"""The stock upload as a background job (inventory.sync.queue_upload / run_upload_job), as the web page
uses it: the same processing as the API upload, run as the uploading user in their company's scope."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.inventory import sync
from autotrade.inventory.models import StockMovement, StockUpload
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun
from autotrade.jobs.repository import JobRepository
from tests.catalog.conftest import catalog  # noqa: F401  (fixture)
from tests.orders.conftest import as_company, market  # noqa: F401  (fixture)
from tests.web.supplier.conftest import sku_of


class Hold:
    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []

    def dispatch(self, job_id: uuid.UUID) -> None:
        self.ids.append(job_id)

    def shutdown(self) -> None:
        pass


def _queue(market, tmp_path, text: str, who: str = "b_warehouse", org: str = "b") -> uuid.UUID:  # noqa: F811
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_text(text)
    with as_company(market.db, market.world.orgs[org]) as s:
        from autotrade.core.tenancy import Principal, bind_principal

        p = Principal(
            org_id=market.world.orgs[org],
            org_type="distributor",
            org_status="approved",
            scope=frozenset({market.world.orgs[org]}),
            permissions=frozenset(),
            user_id=market.world.users[who],
        )
        bind_principal(s, p)
        return sync.queue_upload(s, p, path, filename="counts.csv").id


def test_the_job_applies_the_file_as_the_uploader(market, tmp_path, monkeypatch):  # noqa: F811
    hold = Hold()
    monkeypatch.setattr(jobs, "_runner", hold)
    bosch = sku_of(market, "bosch_pad")
    job_id = _queue(market, tmp_path, f"warehouse_code,sku,on_hand\nHZ-01,{bosch},110\nHZ-C,{bosch},5\n")
    with market.db.session() as s:
        bind_system(s, "test")
        run = JobRepository(s).get(job_id)
        assert (run.name, run.status, run.org_id) == (sync.UPLOAD_JOB, "pending", market.world.orgs["b"])
        path = run.payload["path"]
    assert jobs.execute(market.db, job_id) == "done"
    assert market.level("b_hz", "bosch_pad") == (110, 0)
    assert market.level("c_hz", "bosch_pad") == (0, 0)  # C's warehouse code is unknown to B
    with market.db.session() as s:
        bind_system(s, "test")
        run = s.get(JobRun, job_id)
        assert run.result["rows_changed"] == 1 and run.result["rows_failed"] == 1
        assert (run.progress, run.total) == (2, 2)
        upload = s.get(StockUpload, uuid.UUID(run.result["upload_id"]))
        assert (
            upload.org_id == market.world.orgs["b"]
            and upload.created_by_id == market.world.users["b_warehouse"]
        )
        assert upload.errors[0]["column"] == "warehouse_code"
        moved = s.scalars(select(StockMovement).where(StockMovement.reference_id == str(upload.id))).all()
        assert [m.actor_label for m in moved] == [market.world.emails["b_warehouse"]]
    assert not __import__("pathlib").Path(path).exists()  # the saved file is removed


def test_a_job_without_its_user_fails_and_removes_the_file(market, tmp_path, monkeypatch):  # noqa: F811
    hold = Hold()
    monkeypatch.setattr(jobs, "_runner", hold)
    job_id = _queue(market, tmp_path, "warehouse_code,sku,on_hand\n")
    with market.db.transaction() as s:
        bind_system(s, "test")
        run = s.get(JobRun, job_id)
        run.payload = {**run.payload, "user_id": str(uuid.uuid4())}
        path = run.payload["path"]
    assert jobs.execute(market.db, job_id) == "failed"
    assert not __import__("pathlib").Path(path).exists()

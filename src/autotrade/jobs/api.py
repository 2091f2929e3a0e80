from __future__ import annotations

import uuid

from fastapi import Depends
from sqlalchemy.orm import Session

from autotrade.core.deps import authenticated
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.jobs.repository import JobRepository
from autotrade.jobs.schemas import JobOut

router = api_router("/api/v1", tags=["jobs"])


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(
    job_id: uuid.UUID, p: Principal = Depends(authenticated()), db: Session = Depends(get_db)
) -> JobOut:
    """Status, progress and outcome of a background job of your company (imports, reports)."""
    return JobOut.model_validate(JobRepository(db).get_or_404(job_id))

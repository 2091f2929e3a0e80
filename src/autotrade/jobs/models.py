from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Base, IdMixin, json_type, utcnow
from autotrade.core.tenancy import TenantScoped


class JobRun(IdMixin, TenantScoped, Base):
    """One run of a background job: its input, progress, outcome and per-row errors."""

    __tablename__ = "job_runs"

    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)  # last handed to a runner
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Schedule(Base):
    """A periodic job. Nodes claim a due schedule with one conditional UPDATE, so exactly one node
    submits each run however many workers are up."""

    __tablename__ = "schedules"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    job_name: Mapped[str] = mapped_column(String(100))
    interval_seconds: Mapped[int] = mapped_column(Integer)
    next_run_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]

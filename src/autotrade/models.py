"""Imports every domain's models so that ``Base.metadata`` is complete (Alembic, tests)."""

from autotrade.audit.models import AuditLog
from autotrade.core.db import Base
from autotrade.core.models import IdempotencyRecord, RateLimitCounter
from autotrade.iam.models import ApiKey, AuthSession, Role, User, UserRole
from autotrade.jobs.models import JobRun, Schedule
from autotrade.orgs.models import Org, OrgContact

__all__ = [
    "ApiKey",
    "AuditLog",
    "AuthSession",
    "Base",
    "IdempotencyRecord",
    "JobRun",
    "Org",
    "OrgContact",
    "RateLimitCounter",
    "Role",
    "Schedule",
    "User",
    "UserRole",
]

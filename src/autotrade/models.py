"""Imports every domain's models so that ``Base.metadata`` is complete (Alembic, tests)."""

import autotrade.cart.models
import autotrade.credit.models
import autotrade.escrow.models
import autotrade.events.models
import autotrade.inventory.models
import autotrade.ledger.models
import autotrade.orders.models
import autotrade.payments.models
import autotrade.pricing.models
import autotrade.settlement.models  # noqa: F401
from autotrade.audit.models import AuditLog
from autotrade.catalog.models import Brand, Category, Fitment, Part, PartNumber, SearchTerm
from autotrade.core.db import Base
from autotrade.core.models import IdempotencyRecord, RateLimitCounter
from autotrade.iam.models import ApiKey, AuthSession, Role, User, UserRole
from autotrade.jobs.models import JobRun, Schedule
from autotrade.orgs.models import Org, OrgContact
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern

__all__ = [
    "ApiKey",
    "AuditLog",
    "AuthSession",
    "Base",
    "Brand",
    "Category",
    "Fitment",
    "IdempotencyRecord",
    "JobRun",
    "Org",
    "OrgContact",
    "Part",
    "PartNumber",
    "RateLimitCounter",
    "Role",
    "Schedule",
    "SearchTerm",
    "User",
    "UserRole",
    "VehicleGeneration",
    "VehicleMake",
    "VehicleModel",
    "VehicleVariant",
    "VinPattern",
]

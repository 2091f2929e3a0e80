"""The vehicle model tree (platform master data): make → model → generation → variant, and the
VIN-pattern rules that map a VIN to variants."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin


class BulkLoaded:
    """Master data that bulk imports load set-wise: rows name the import run that last wrote them, and
    that run's audit entry (``catalog.import``) stands for the rows it loaded."""

    import_run_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class VehicleMake(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    __tablename__ = "vehicle_makes"

    name: Mapped[str] = mapped_column(String(80), unique=True)  # e.g. Volkswagen
    name_zh: Mapped[str | None] = mapped_column(String(80))  # 大众
    country: Mapped[str | None] = mapped_column(String(60))


class VehicleModel(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    __tablename__ = "vehicle_models"
    __table_args__ = (UniqueConstraint("make_id", "name"),)

    make_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicle_makes.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))  # Sagitar
    name_zh: Mapped[str | None] = mapped_column(String(80))  # 速腾


class VehicleGeneration(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    __tablename__ = "vehicle_generations"
    __table_args__ = (UniqueConstraint("model_id", "name"),)

    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicle_models.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))  # e.g. "A7 (2019–)"
    year_from: Mapped[int] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)  # NULL: still built


class VehicleVariant(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    __tablename__ = "vehicle_variants"
    __table_args__ = (UniqueConstraint("generation_id", "name"),)

    # Stable external code used by imports and fitment files, e.g. "VW-SAGITAR-A7-14T-DQ200".
    code: Mapped[str] = mapped_column(String(80), unique=True)
    generation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicle_generations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # "1.4T 280TSI DSG 舒适型"
    engine_code: Mapped[str | None] = mapped_column(String(40), index=True)  # EA211 CSS
    displacement_cc: Mapped[int | None] = mapped_column(Integer)
    fuel_type: Mapped[str] = mapped_column(String(16))  # petrol diesel hev phev bev erev fcev cng
    transmission: Mapped[str | None] = mapped_column(String(40))  # MT AT DCT CVT e-drive
    body: Mapped[str | None] = mapped_column(String(40))  # sedan hatchback suv mpv pickup van
    power_kw: Mapped[int | None] = mapped_column(Integer)
    year_from: Mapped[int] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)


class VinPattern(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    """``LFV2A2150*`` → a variant: position by position, ``*`` or ``?`` matches any character; a pattern
    shorter than 17 characters matches VINs that start with it."""

    __tablename__ = "vin_patterns"
    __table_args__ = (UniqueConstraint("pattern", "variant_id"),)

    pattern: Mapped[str] = mapped_column(String(17))
    wmi: Mapped[str] = mapped_column(String(3), index=True)  # first three characters, for lookup
    variant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicle_variants.id"), index=True)
    note: Mapped[str | None] = mapped_column(String(200))

"""Parts master data (MDM): categories, brands, parts (unified SKU), numbers and cross-references,
interchange groups, fitment. Platform-wide (not tenant-scoped): platform catalogue staff edit it,
every logged-in company reads it."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, json_type, str_enum
from autotrade.vehicles.models import BulkLoaded


class QualityGrade(StrEnum):
    oe = "oe"  # original equipment, vehicle maker's brand (原厂件)
    oem = "oem"  # made by the OE supplier under its own brand (配套件)
    aftermarket = "aftermarket"  # brand aftermarket (品牌件)
    remanufactured = "remanufactured"  # 再制造件
    dismantled = "dismantled"  # used, from a dismantled vehicle (拆车件)


class PartStatus(StrEnum):
    active = "active"
    discontinued = "discontinued"


class NumberKind(StrEnum):
    oe = "oe"  # the vehicle maker's part number
    brand = "brand"  # the part's own brand number (every part has one)
    trade = "trade"  # a trade/wholesaler number
    aftermarket = "aftermarket"  # another maker's equivalent number
    replacement = "replacement"  # a superseded number; `successor_norm` names the current one
    ean = "ean"  # barcode (EAN-13 / GTIN)


class Category(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    __tablename__ = "part_categories"

    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "BRAKE.PAD"
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("part_categories.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True)  # "BRAKE/BRAKE.PAD": subtree = prefix
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))


class Brand(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    __tablename__ = "brands"

    code: Mapped[str] = mapped_column(String(40), unique=True)  # normalised name: "BOSCH", "TOYOTA"
    name: Mapped[str] = mapped_column(String(80))  # "Bosch"
    name_zh: Mapped[str | None] = mapped_column(String(80))  # 博世
    kind: Mapped[str] = mapped_column(String(20))  # vehicle_maker | oe_supplier | aftermarket
    country: Mapped[str | None] = mapped_column(String(60))


class Part(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    __tablename__ = "parts"
    __table_args__ = (UniqueConstraint("brand_id", "brand_number_norm"),)

    sku: Mapped[str] = mapped_column(String(80), unique=True)  # unified code: BRAND-NUMBER
    # No index of its own: the unique (brand, number) index leads with it.
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("brands.id"))
    brand_number: Mapped[str] = mapped_column(String(60))  # as the brand writes it
    brand_number_norm: Mapped[str] = mapped_column(String(60))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("part_categories.id"), index=True)
    quality_grade: Mapped[QualityGrade] = mapped_column(str_enum(QualityGrade, "quality_grade"))
    position: Mapped[str | None] = mapped_column(String(40))  # front / rear / left / right / front-left …
    material: Mapped[str | None] = mapped_column(String(80))
    attributes: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)  # dimensions etc.
    images: Mapped[list[Any]] = mapped_column(json_type(), default=list)
    status: Mapped[PartStatus] = mapped_column(str_enum(PartStatus, "part_status"), default=PartStatus.active)
    # Interchange group: parts that share any OE / cross-reference number. A part alone is its own group.
    group_id: Mapped[uuid.UUID] = mapped_column(index=True)


class PartNumber(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    """A number a part is known by, raw and normalised, with where it came from and how sure we are."""

    __tablename__ = "part_numbers"
    __table_args__ = (
        UniqueConstraint("part_id", "kind", "number_norm", "brand_code"),
        Index("ix_part_numbers_number_norm", "number_norm"),
    )

    # No index of its own: the unique (part, kind, number, brand) index leads with it.
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"))
    kind: Mapped[NumberKind] = mapped_column(str_enum(NumberKind, "number_kind"))
    number: Mapped[str] = mapped_column(String(60))
    number_norm: Mapped[str] = mapped_column(String(60))
    brand_code: Mapped[str] = mapped_column(String(40), default="")  # whose number ("" if unknown)
    source: Mapped[str | None] = mapped_column(String(80))  # "TecDoc", "maker catalogue", "import:…"
    confidence: Mapped[int] = mapped_column(SmallInteger, default=100)  # 0–100
    successor_norm: Mapped[str | None] = mapped_column(String(60))  # for superseded numbers


class Fitment(IdMixin, TimestampMixin, Audited, BulkLoaded, Base):
    """A part fits a vehicle variant (optionally only some years, at a position, with a condition)."""

    __tablename__ = "fitments"
    __table_args__ = (UniqueConstraint("variant_id", "part_id"),)

    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicle_variants.id"))
    position: Mapped[str | None] = mapped_column(String(40))
    year_from: Mapped[int | None] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))  # "with ABS", "不带电子手刹"


class SearchTerm(Base):
    """The vocabulary of Latin-script words in brand names and English part names, with how many parts
    use each: a mistyped query word is corrected against this small table, not the whole catalogue.
    Derived data, rebuilt by the catalogue service; not audited."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    freq: Mapped[int] = mapped_column(Integer, default=0)

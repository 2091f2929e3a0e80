"""Plain views of catalogue rows for search answers: slotted dataclasses built straight from a query's
columns (constructing ORM entities for a few hundred rows cost more than the query). Their field names
are the column names they are read from (:func:`fields_of`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from typing import Any

from autotrade.catalog.models import NumberKind, PartStatus, QualityGrade
from autotrade.core.db import json_loads


def fields_of(view: type[Any]) -> tuple[str, ...]:
    """The view's fields in order: the columns to select, in the same order, to build it."""
    return tuple(f.name for f in fields(view))


@dataclass(slots=True)
class PartView:
    """A part as a search answer shows it, built from plain rows (constructing transient ORM entities
    for a few hundred rows cost more than the query)."""

    id: uuid.UUID
    sku: str
    brand_number: str
    name_zh: str
    name_en: str | None
    quality_grade: QualityGrade
    position: str | None
    material: str | None
    attributes: dict[str, Any]
    images: list[str]
    status: PartStatus
    group_id: uuid.UUID


@dataclass(slots=True)
class BrandView:
    id: uuid.UUID
    code: str
    name: str
    name_zh: str | None
    kind: str
    country: str | None


@dataclass(slots=True)
class CategoryView:
    id: uuid.UUID
    code: str
    path: str
    name_zh: str
    name_en: str


@dataclass(slots=True)
class NumberView:
    """A part number as a search answer shows it (the columns of ``part_numbers`` it needs)."""

    id: uuid.UUID
    part_id: uuid.UUID
    kind: NumberKind
    number: str
    number_norm: str
    brand_code: str
    source: str | None
    confidence: int
    successor_norm: str | None


def number_views_from_json(value: str | list[list[Any]] | None) -> list[NumberView]:
    """A part's numbers aggregated by the database as a JSON array of :class:`NumberView` field arrays
    (PostgreSQL hands it over parsed, SQLite as text; ids as text either way), in the order
    :meth:`~autotrade.catalog.repository.PartRepository.number_views` gives: kind, then number."""
    items = json_loads(value) if isinstance(value, str) else (value or [])
    views = [
        NumberView(uuid.UUID(i), uuid.UUID(p), NumberKind(k), n, norm, b, src, int(conf), succ)
        for i, p, k, n, norm, b, src, conf, succ in items
    ]
    views.sort(key=lambda v: (v.kind.value, v.number_norm))
    return views

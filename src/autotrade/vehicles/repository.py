"""Queries of the vehicle master data. It is platform-wide (no ``org_id``): the tenant filter does not
apply, every logged-in company reads the same tree."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, literal, or_, select, true
from sqlalchemy.orm import Session

from autotrade.core.repository import Repository
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern


class MakeRepository(Repository[VehicleMake]):
    model = VehicleMake
    not_found_code = "make_not_found"
    label = "vehicle make"

    def listing(self) -> Select[Any]:
        return select(VehicleMake)

    def name_taken(self, name: str, *, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(VehicleMake.id).where(func.lower(VehicleMake.name) == name.lower())
        if exclude is not None:
            stmt = stmt.where(VehicleMake.id != exclude)
        return self.session.scalar(stmt.limit(1)) is not None


class ModelRepository(Repository[VehicleModel]):
    model = VehicleModel
    not_found_code = "model_not_found"
    label = "vehicle model"

    def of_make(self, make_id: uuid.UUID) -> Sequence[VehicleModel]:
        return self.session.scalars(
            select(VehicleModel).where(VehicleModel.make_id == make_id).order_by(VehicleModel.name)
        ).all()

    def name_taken(self, make_id: uuid.UUID, name: str, *, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(VehicleModel.id).where(
            VehicleModel.make_id == make_id, func.lower(VehicleModel.name) == name.lower()
        )
        if exclude is not None:
            stmt = stmt.where(VehicleModel.id != exclude)
        return self.session.scalar(stmt.limit(1)) is not None


class GenerationRepository(Repository[VehicleGeneration]):
    model = VehicleGeneration
    not_found_code = "generation_not_found"
    label = "vehicle generation"

    def of_model(self, model_id: uuid.UUID) -> Sequence[VehicleGeneration]:
        return self.session.scalars(
            select(VehicleGeneration)
            .where(VehicleGeneration.model_id == model_id)
            .order_by(VehicleGeneration.year_from, VehicleGeneration.name)
        ).all()

    def name_taken(self, model_id: uuid.UUID, name: str, *, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(VehicleGeneration.id).where(
            VehicleGeneration.model_id == model_id, func.lower(VehicleGeneration.name) == name.lower()
        )
        if exclude is not None:
            stmt = stmt.where(VehicleGeneration.id != exclude)
        return self.session.scalar(stmt.limit(1)) is not None


class VariantRepository(Repository[VehicleVariant]):
    model = VehicleVariant
    not_found_code = "variant_not_found"
    label = "vehicle variant"

    def of_generation(self, generation_id: uuid.UUID) -> Sequence[VehicleVariant]:
        return self.session.scalars(
            select(VehicleVariant)
            .where(VehicleVariant.generation_id == generation_id)
            .order_by(VehicleVariant.year_from, VehicleVariant.name)
        ).all()

    def with_lineage(
        self, variant_id: uuid.UUID
    ) -> tuple[VehicleVariant, VehicleGeneration, VehicleModel, VehicleMake] | None:
        """The variant with its generation, model and make, in one query."""
        row = self.session.execute(
            select(VehicleVariant, VehicleGeneration, VehicleModel, VehicleMake)
            .join(VehicleGeneration, VehicleGeneration.id == VehicleVariant.generation_id)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(VehicleVariant.id == variant_id)
        ).one_or_none()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def code_taken(self, code: str, *, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(VehicleVariant.id).where(func.lower(VehicleVariant.code) == code.lower())
        if exclude is not None:
            stmt = stmt.where(VehicleVariant.id != exclude)
        return self.session.scalar(stmt.limit(1)) is not None

    def name_taken(self, generation_id: uuid.UUID, name: str, *, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(VehicleVariant.id).where(
            VehicleVariant.generation_id == generation_id, func.lower(VehicleVariant.name) == name.lower()
        )
        if exclude is not None:
            stmt = stmt.where(VehicleVariant.id != exclude)
        return self.session.scalar(stmt.limit(1)) is not None


class VinPatternRepository(Repository[VinPattern]):
    model = VinPattern
    not_found_code = "vin_pattern_not_found"
    label = "VIN pattern"

    def of_variant(self, variant_id: uuid.UUID) -> Sequence[VinPattern]:
        return self.session.scalars(
            select(VinPattern).where(VinPattern.variant_id == variant_id).order_by(VinPattern.id)
        ).all()

    def taken(self, variant_id: uuid.UUID, pattern: str, *, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(VinPattern.id).where(VinPattern.variant_id == variant_id, VinPattern.pattern == pattern)
        if exclude is not None:
            stmt = stmt.where(VinPattern.id != exclude)
        return self.session.scalar(stmt.limit(1)) is not None

    def candidates(self, wmi: str, vin: str | None = None) -> Sequence[Any]:
        """Patterns of a WMI with their variant and the variant's generation, model and make names:
        one query over the indexed ``wmi`` column. With ``vin``, the database already keeps only the
        patterns that match it (``*``/``?`` → LIKE's ``_``; a short pattern is a prefix), so a WMI with
        thousands of patterns returns a handful of rows; the service re-checks each in Python."""
        return self.session.execute(
            select(
                VinPattern.pattern,
                VehicleVariant,
                VehicleGeneration.name.label("generation"),
                VehicleModel.name.label("model"),
                VehicleMake.name.label("make"),
            )
            .join(VehicleVariant, VehicleVariant.id == VinPattern.variant_id)
            .join(VehicleGeneration, VehicleGeneration.id == VehicleVariant.generation_id)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(VinPattern.wmi == wmi)
            .where(
                literal(vin).like(func.replace(func.replace(VinPattern.pattern, "*", "_"), "?", "_") + "%")
                if vin
                else true()
            )
        ).all()


class VehicleTreeRepository:
    """Queries of the platform's vehicle master-data pages: the tree with counts, a node's lineage,
    and a search over makes, models and variants. One query per table, never per row."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def makes_with_model_counts(self, limit: int = 1000) -> list[tuple[VehicleMake, int]]:
        rows = self.session.execute(
            select(VehicleMake, func.count(VehicleModel.id))
            .outerjoin(VehicleModel, VehicleModel.make_id == VehicleMake.id)
            .group_by(VehicleMake.id)
            .order_by(VehicleMake.name)
            .limit(limit)
        ).all()
        return [(m, int(n)) for m, n in rows]

    def generations_of_models(
        self, model_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[VehicleGeneration]]:
        out: dict[uuid.UUID, list[VehicleGeneration]] = {m: [] for m in model_ids}
        if model_ids:
            for g in self.session.scalars(
                select(VehicleGeneration)
                .where(VehicleGeneration.model_id.in_(list(model_ids)))
                .order_by(VehicleGeneration.year_from, VehicleGeneration.name)
            ):
                out[g.model_id].append(g)
        return out

    def variant_counts(self, generation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not generation_ids:
            return {}
        rows = self.session.execute(
            select(VehicleVariant.generation_id, func.count())
            .where(VehicleVariant.generation_id.in_(list(generation_ids)))
            .group_by(VehicleVariant.generation_id)
        ).all()
        return {g: int(n) for g, n in rows}

    def pattern_counts(self, variant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not variant_ids:
            return {}
        rows = self.session.execute(
            select(VinPattern.variant_id, func.count())
            .where(VinPattern.variant_id.in_(list(variant_ids)))
            .group_by(VinPattern.variant_id)
        ).all()
        return {v: int(n) for v, n in rows}

    def generation_lineage(
        self, generation_id: uuid.UUID
    ) -> tuple[VehicleGeneration, VehicleModel, VehicleMake] | None:
        row = self.session.execute(
            select(VehicleGeneration, VehicleModel, VehicleMake)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(VehicleGeneration.id == generation_id)
        ).one_or_none()
        return None if row is None else (row[0], row[1], row[2])

    def variant_by_code(self, code: str) -> VehicleVariant | None:
        row: VehicleVariant | None = self.session.scalar(
            select(VehicleVariant).where(func.lower(VehicleVariant.code) == code.strip().lower()).limit(1)
        )
        return row

    def search(
        self, q: str, limit: int = 50
    ) -> list[tuple[VehicleVariant, VehicleGeneration, VehicleModel, VehicleMake]]:
        """Variants whose code, name or engine code, or whose make or model (English or Chinese name)
        contains ``q`` (case-insensitive), with their lineage, by make, model and variant."""
        like = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cols = (
            VehicleVariant.code,
            VehicleVariant.name,
            VehicleVariant.engine_code,
            VehicleModel.name,
            VehicleModel.name_zh,
            VehicleMake.name,
            VehicleMake.name_zh,
        )
        rows = self.session.execute(
            select(VehicleVariant, VehicleGeneration, VehicleModel, VehicleMake)
            .join(VehicleGeneration, VehicleGeneration.id == VehicleVariant.generation_id)
            .join(VehicleModel, VehicleModel.id == VehicleGeneration.model_id)
            .join(VehicleMake, VehicleMake.id == VehicleModel.make_id)
            .where(or_(*(func.lower(c).like(like, escape="\\") for c in cols)))
            .order_by(VehicleMake.name, VehicleModel.name, VehicleGeneration.year_from, VehicleVariant.name)
            .limit(limit)
        ).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

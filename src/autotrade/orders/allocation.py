"""Which of a supplier's warehouses serve an order line (pure: no database).

The rule (docs/orders.md):

1. With ship-to coordinates, warehouses are taken nearest first (great-circle distance, haversine);
   warehouses without coordinates come after every warehouse with them.
2. Without a distance, a warehouse in the ship-to city comes first, then one in the ship-to
   province, then the others.
3. Ties go to the warehouse with more available stock (fewer splits), then to the lower id
   (deterministic).

A line takes what it needs from the first warehouse, the rest from the next, and so on (a split).
What no warehouse can give is reported as a shortage; the checkout then fails with every short line.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class Place:
    province: str
    city: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Stock:
    """One warehouse's available quantity of one part (from ``inventory.availability``)."""

    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    available: int
    province: str
    city: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Need:
    key: int  # the caller's name for the line (its index)
    part_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Shortage:
    key: int
    part_id: uuid.UUID
    requested: int
    available: int


def rank(stock: Stock, to: Place) -> tuple[int, float, int, int, str]:
    """Sort key of a warehouse for a destination: smaller is preferred."""
    lat1, lon1, lat2, lon2 = to.latitude, to.longitude, stock.latitude, stock.longitude
    if lat1 is not None and lon1 is not None and lat2 is not None and lon2 is not None:
        measured, distance = 0, haversine_km(lat1, lon1, lat2, lon2)
    else:
        measured, distance = 1, 0.0
    same_city = (stock.province, stock.city) == (to.province, to.city)
    tier = 0 if same_city else 1 if stock.province == to.province else 2
    return (measured, distance, tier, -stock.available, str(stock.warehouse_id))


def allocate(
    needs: Sequence[Need], stock: Iterable[Stock], to: Place
) -> tuple[dict[int, list[tuple[uuid.UUID, int]]], list[Shortage]]:
    """Split every need over the warehouses that hold its part, nearest first.

    Returns the allocations per need key (``[(warehouse_id, quantity), …]``, in preference order) and
    the shortages. Stock used by one need is not offered to the next."""
    by_part: dict[uuid.UUID, list[Stock]] = {}
    for s in stock:
        if s.available > 0:
            by_part.setdefault(s.part_id, []).append(s)
    for candidates in by_part.values():
        candidates.sort(key=lambda s: rank(s, to))
    left: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    out: dict[int, list[tuple[uuid.UUID, int]]] = {}
    short: list[Shortage] = []
    for need in needs:
        wanted = need.quantity
        taken: list[tuple[uuid.UUID, int]] = []
        for s in by_part.get(need.part_id, ()):
            if wanted == 0:
                break
            key = (s.warehouse_id, s.part_id)
            have = left.get(key, s.available)
            q = min(have, wanted)
            if q > 0:
                taken.append((s.warehouse_id, q))
                left[key] = have - q
                wanted -= q
        out[need.key] = taken
        if wanted:
            short.append(Shortage(need.key, need.part_id, need.quantity, need.quantity - wanted))
    return out, short

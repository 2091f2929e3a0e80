"""Price comparison (一键比价): every active offer for a part and its interchange group, priced for this
buyer and quantity, with stock, distance, ETA and landed cost. A marketplace read, set-based: a fixed
number of statements whatever the number of offers (the part, its group, the offers, the buyer's
location when not given, the three of ``quote_many``, the stock of ``inventory.availability``).

Formulas (docs/pricing.md "Comparison"):

* quantity priced = the wanted quantity raised to the offer's MOQ, then up to a multiple of its pack
  size (flag ``adjusted_quantity`` when it differs);
* distance = haversine from the buyer to the nearest warehouse of the supplier holding the part
  (available > 0), rounded to 0.1 km;
* ETA days = lead time + 0 when local (same city as the buyer's profile, or ≤ 50 km), else lead time +
  ceil(distance / 500 km); unknown (None) without stock or without coordinates on either side;
* freight = ¥10 + ¥0.05 per km (ceil km) per shipment; ¥60 (1,000 km) when the distance is unknown;
* landed = net (unit price × quantity, VAT excluded: shown separately) + freight.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from autotrade.catalog.models import QualityGrade
from autotrade.catalog.repository import PartRepository
from autotrade.core.errors import NotFound, ValidationFailed
from autotrade.inventory.service import Availability, availability
from autotrade.pricing.repository import MarketplaceRepository
from autotrade.pricing.schemas import CompareItem, CompareOut
from autotrade.pricing.service import QuoteRequest, quote_many

EARTH_RADIUS_KM = 6371.0088
LOCAL_KM = 50.0
KM_PER_TRANSIT_DAY = 500.0
FREIGHT_BASE_FEN = 1_000
FREIGHT_PER_KM_FEN = 5
UNKNOWN_DISTANCE_KM = 1_000
GROUP_LIMIT = 500


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def priced_quantity(wanted: int, moq: int, pack_size: int) -> int:
    q = max(wanted, moq)
    return -(-q // pack_size) * pack_size


def eta_days(lead_time_days: int, distance_km: float | None, same_city: bool) -> int | None:
    if same_city or (distance_km is not None and distance_km <= LOCAL_KM):
        return lead_time_days
    if distance_km is None:
        return None
    return lead_time_days + math.ceil(distance_km / KM_PER_TRANSIT_DAY)


def freight_fen(distance_km: float | None) -> int:
    km = UNKNOWN_DISTANCE_KM if distance_km is None else math.ceil(distance_km)
    return FREIGHT_BASE_FEN + km * FREIGHT_PER_KM_FEN


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float | None
    longitude: float | None
    city: str | None  # known when the location is the buyer's profile


@dataclass(frozen=True, slots=True)
class Nearest:
    warehouse_id: uuid.UUID | None
    available: int
    distance_km: float | None
    same_city: bool


def nearest(stock: Sequence[Availability], at: Place) -> Nearest:
    """The nearest stocked warehouse (by haversine; without coordinates: same city first, then the most
    stock)."""
    if not stock:
        return Nearest(None, 0, None, False)

    def dist(a: Availability) -> float | None:
        if None in (at.latitude, at.longitude, a.latitude, a.longitude):
            return None
        return haversine_km(at.latitude, at.longitude, a.latitude, a.longitude)  # type: ignore[arg-type]

    ranked = sorted(
        ((dist(a), a) for a in stock),
        key=lambda da: (
            da[0] is None,
            da[0] or 0.0,
            da[1].city != at.city,
            -da[1].available,
            da[1].warehouse_id,
        ),
    )
    d, best = ranked[0]
    return Nearest(
        best.warehouse_id, best.available, None if d is None else round(d, 1), best.city == at.city
    )


SORTS = {
    "landed": lambda i: (
        not i.enough_stock,
        i.landed_fen,
        i.eta_days is None,
        i.eta_days or 0,
        str(i.offer_id),
    ),
    "eta": lambda i: (not i.enough_stock, i.eta_days is None, i.eta_days or 0, i.landed_fen, str(i.offer_id)),
    "distance": lambda i: (
        not i.enough_stock,
        i.distance_km is None,
        i.distance_km or 0.0,
        i.landed_fen,
        str(i.offer_id),
    ),
}


def compare(
    session: Session,
    *,
    buyer_org_id: uuid.UUID,
    part_id: uuid.UUID,
    quantity: int,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float | None = None,
    grades: set[QualityGrade] | None = None,
    sort: str = "landed",
    channel: str = "web",
) -> CompareOut:
    """Offers sorted by ``sort`` (landed | eta | distance); offers without enough stock come after the
    others, flagged (``insufficient_stock`` / ``no_stock``), never hidden — except that ``radius_km``
    keeps only offers whose nearest stocked warehouse is within the radius."""
    if (latitude is None) != (longitude is None):
        field = "query.longitude" if longitude is None else "query.latitude"
        raise ValidationFailed("give both latitude and longitude, or neither", field=field, code="required")
    if sort not in SORTS:
        raise ValidationFailed("sort by landed, eta or distance", field="query.sort", code="invalid_sort")
    parts = PartRepository(session)
    part = parts.get(part_id)
    if part is None:
        raise NotFound("part not found", code="part_not_found", field="query.part_id")
    rows = parts.groups_with_names([part.group_id], [part.id], GROUP_LIMIT)
    if grades:
        rows = [r for r in rows if r[0].quality_grade in grades]
    by_part = {p.id: (p, b) for p, b, _c in rows}
    market = MarketplaceRepository(session)
    offers = market.active_offers_for_parts(list(by_part))

    if latitude is None:
        here = market.company_location(buyer_org_id)
        at = Place(here.latitude, here.longitude, here.city) if here else Place(None, None, None)
    else:
        at = Place(latitude, longitude, None)

    if not offers:
        return CompareOut(
            part_id=part_id,
            quantity=quantity,
            latitude=at.latitude,
            longitude=at.longitude,
            sort=sort,
            items=[],
        )
    requests = [QuoteRequest(o.id, priced_quantity(quantity, o.moq, o.pack_size)) for o in offers]
    quotes = quote_many(session, buyer_org_id=buyer_org_id, requests=requests, channel=channel)
    stock: dict[tuple[uuid.UUID, uuid.UUID], list[Availability]] = {}
    for a in availability(
        session, list({o.part_id for o in offers}), org_ids=list({o.org_id for o in offers})
    ):
        stock.setdefault((a.org_id, a.part_id), []).append(a)

    items = []
    for o, q in zip(offers, quotes, strict=True):
        here_stock = stock.get((o.org_id, o.part_id), [])
        near = nearest(here_stock, at)
        if radius_km is not None and (near.distance_km is None or near.distance_km > radius_km):
            continue
        total = sum(a.available for a in here_stock)
        flags = []
        if q.quantity != quantity:
            flags.append("adjusted_quantity")
        if total == 0:
            flags.append("no_stock")
        elif total < q.quantity:
            flags.append("insufficient_stock")
        if here_stock and near.distance_km is None:
            flags.append("distance_unknown")
        eta = eta_days(q.lead_time_days, near.distance_km, near.same_city) if here_stock else None
        freight = freight_fen(near.distance_km)
        p, brand = by_part[o.part_id]
        items.append(
            CompareItem(
                offer_id=o.id,
                supplier_org_id=o.org_id,
                supplier_name=o.supplier_name,
                supplier_rating=None,
                part_id=o.part_id,
                sku=p.sku,
                part_name=p.name_zh,
                brand=brand.name,
                quality_grade=p.quality_grade,
                relation="requested" if o.part_id == part_id else "interchange",
                quantity=q.quantity,
                unit_price_fen=q.unit_price_fen,
                currency=q.currency,
                net_fen=q.net_fen,
                vat_fen=q.vat_fen,
                gross_fen=q.gross_fen,
                rule=q.rule,
                moq=q.moq,
                pack_size=q.pack_size,
                lead_time_days=q.lead_time_days,
                available_total=total,
                nearest_warehouse_id=near.warehouse_id,
                nearest_available=near.available,
                distance_km=near.distance_km,
                eta_days=eta,
                freight_fen=freight,
                landed_fen=q.net_fen + freight,
                enough_stock=total >= q.quantity,
                flags=flags,
            )
        )
    items.sort(key=SORTS[sort])
    return CompareOut(
        part_id=part_id,
        quantity=quantity,
        latitude=at.latitude,
        longitude=at.longitude,
        sort=sort,
        items=items,
    )

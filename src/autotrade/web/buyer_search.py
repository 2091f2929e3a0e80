"""Buyer: the one search box (VIN, part number or words) and the part page with the price comparison."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from autotrade.cart.repository import MarketOffers
from autotrade.catalog import search
from autotrade.catalog import service as catalog
from autotrade.catalog.models import QualityGrade
from autotrade.catalog.repository import CategoryRepository, PartRepository
from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.inventory import service as inventory
from autotrade.inventory.repository import WarehouseRepository
from autotrade.pricing import compare
from autotrade.pricing.schemas import CompareOut
from autotrade.vehicles import service as vehicles
from autotrade.web.buyer_common import cart_count, error_message, is_htmx, page
from autotrade.web.labels import vin_problems
from autotrade.web.render import translator

router = api_router()

# Examples for the empty state: they exist in the demo data (`autotrade demo`).
DEMO_VIN = "LVGE6AB5XLN123456"  # GAC Toyota Camry 2.5L (pattern LVGE6AB5, model year 2020)
DEMO_NUMBER = "04465-33471"  # Toyota front brake pads (and their interchange group)
DEMO_WORDS = "刹车片"

KINDS = ("vin", "number", "text")
TEXT_PAGE = 20
RADII = (3, 10, 50, 200, 500)  # km choices of the comparison filter ("any" = no radius)
SORTS = ("landed", "eta", "distance")
MAX_QUANTITY = 10_000_000
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def classify(q: str) -> str:
    """Which search the box runs: 17 letters and digits (spaces or dashes aside) → a VIN; otherwise
    something with a digit and no Chinese → a part number; anything else → words."""
    compact = re.sub(r"[\s\-]", "", q)
    if (
        len(compact) == 17
        and compact.isascii()
        and compact.isalnum()
        and any(c.isdigit() for c in compact)
        and any(c.isalpha() for c in compact)
    ):
        return "vin"
    if any(c.isdigit() for c in q) and not _CJK.search(q):
        return "number"
    return "text"


def offer_summary(db: Session, part_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Per part: offers on sale, the lowest list price and the stock available (two queries)."""
    if not part_ids:
        return {}
    out: dict[uuid.UUID, dict[str, int]] = {}
    for o in MarketOffers(db).for_parts(part_ids):
        s = out.setdefault(o.part_id, {"offers": 0, "from_fen": o.list_price_fen, "available": 0})
        s["offers"] += 1
        s["from_fen"] = min(s["from_fen"], o.list_price_fen)
    for a in inventory.availability(db, part_ids, org_ids=None):
        if a.part_id in out:
            out[a.part_id]["available"] += a.available
    return out


@dataclass
class SearchState:
    q: str = ""
    kind: str | None = None
    category: str = ""
    brand: str = ""
    grade: str = ""
    cursor: str = ""
    error: str | None = None
    notice: str | None = None
    vin: Any = None  # VinDecoded
    vin_errors: list[Any] = field(default_factory=list)  # web.labels.VinProblem, translated on the page
    vin_warnings: list[Any] = field(default_factory=list)
    vehicle: Any = None  # VehicleSearchResult
    numbers: Any = None  # NumberSearchResult
    text: Any = None  # TextSearchResult
    summary: dict[uuid.UUID, dict[str, int]] = field(default_factory=dict)
    categories: list[Any] = field(default_factory=list)

    def url(self, **changes: str | None) -> str:
        """This search's URL with some parameters changed (None or "" drops one); never the cursor
        unless given."""
        params = {
            "q": self.q,
            "as": self.kind if self.kind else None,
            "category": self.category,
            "brand": self.brand,
            "grade": self.grade,
        }
        params.update(changes)
        return "/search?" + urlencode({k: v for k, v in params.items() if v})


def _run(db: Session, p: Principal, s: SearchState, request: Request) -> int:
    """Run the search ``s`` describes; returns the HTTP status of the page."""
    t = translator(request, db)
    kind = s.kind or classify(s.q)
    try:
        if kind == "vin":
            s.vin = vehicles.decode_vin(db, s.q)
            s.vin_errors, s.vin_warnings = vin_problems(s.vin)
            s.categories = list(CategoryRepository(db).all())
            variants = [v.variant_id for v in s.vin.matched_variants]
            if s.vin.valid and variants:
                s.vehicle = search.search_variants(db, variants, category=s.category or None)
                ids = [h.part.id for g in s.vehicle.groups for h in g.items]
                s.summary = offer_summary(db, ids) if p.can("pricing:view") else {}
            return 200
        if kind == "number":
            s.numbers = search.search_number(db, s.q)
            if s.numbers.items or s.kind == "number":
                s.summary = (
                    offer_summary(db, [h.part.id for h in s.numbers.items]) if p.can("pricing:view") else {}
                )
                return 200
            s.numbers = None
            s.notice = t.gettext("No part carries the number %(number)s. Word matches follow.", number=s.q)
        s.text = search.search_text(
            db,
            s.q,
            brand=s.brand or None,
            category=s.category or None,
            grade=s.grade or None,
            cursor=s.cursor or None,
            limit=TEXT_PAGE,
        )
        s.summary = offer_summary(db, [h.part.id for h in s.text.items]) if p.can("pricing:view") else {}
        return 200
    except AppError as exc:
        if exc.status >= 500:
            raise
        s.error = error_message(t, exc)
        return exc.status


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    q: str = "",
    category: str = "",
    brand: str = "",
    grade: str = "",
    cursor: str = "",
    p: Principal = Depends(require("procurement:view")),
    db: Session = Depends(get_db),
) -> Response:
    """找配件: one box for a VIN, a part number (any formatting) or words (Chinese or English)."""
    wanted = request.query_params.get("as")
    s = SearchState(
        q=q.strip()[:200],
        kind=wanted if wanted in KINDS else None,
        category=category.strip()[:40],
        brand=brand.strip()[:40],
        grade=grade if grade in {g.value for g in QualityGrade} else "",
        cursor=cursor.strip()[:100],
    )
    status = _run(db, p, s, request) if s.q else 200
    return page(
        request,
        "buyer/search.html",
        db,
        status_code=status,
        s=s,
        kind=(s.kind or classify(s.q)) if s.q else None,
        examples=(DEMO_VIN, DEMO_NUMBER, DEMO_WORDS),
        cart_lines=cart_count(db, p),
    )


# ---- the part page ----------------------------------------------------------------------------------------


@dataclass
class CompareFilter:
    quantity: str = "1"
    radius: str = ""
    grade: str = ""
    sort: str = "landed"
    errors: dict[str, str] = field(default_factory=dict)

    def query_string(self, **changes: str) -> str:
        params = {"quantity": self.quantity, "radius": self.radius, "grade": self.grade, "sort": self.sort}
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v})


def read_filter(request: Request, params: dict[str, str]) -> tuple[CompareFilter, int | None, float | None]:
    """The comparison filter from query parameters: (filter with per-field errors, quantity, radius)."""
    t = translator(request)
    f = CompareFilter(
        quantity=(params.get("quantity") or "1").strip()[:12],
        radius=(params.get("radius") or "").strip()[:6],
        grade=(params.get("grade") or "").strip()[:20],
        sort=(params.get("sort") or "landed").strip()[:10],
    )
    quantity: int | None = None
    if f.quantity.isdigit() and 1 <= int(f.quantity) <= MAX_QUANTITY:
        quantity = int(f.quantity)
    else:
        f.errors["quantity"] = t.gettext("Enter a whole number from 1 to 10,000,000.")
    radius: float | None = None
    if f.radius:
        if f.radius.isdigit() and int(f.radius) in RADII:
            radius = float(f.radius)
        else:
            f.errors["radius"] = t.gettext("Choose one of the listed values.")
    if f.grade and f.grade not in {g.value for g in QualityGrade}:
        f.errors["grade"] = t.gettext("Choose one of the listed values.")
    if f.sort not in SORTS:
        f.errors["sort"] = t.gettext("Choose one of the listed values.")
    return f, quantity, radius


def comparison(
    db: Session,
    p: Principal,
    part_id: uuid.UUID,
    f: CompareFilter,
    quantity: int | None,
    radius: float | None,
) -> tuple[CompareOut | None, dict[uuid.UUID, Any]]:
    """一键比价 for the filter (the pricing service behind ``GET /api/v1/compare``), and the nearest
    warehouses it names (one query)."""
    if f.errors or quantity is None:
        return None, {}
    result = compare.compare(
        db,
        buyer_org_id=p.org_id,
        part_id=part_id,
        quantity=quantity,
        radius_km=radius,
        grades={QualityGrade(f.grade)} if f.grade else None,
        sort=f.sort,
    )
    warehouses = WarehouseRepository(db).get_any_tenant_many(
        i.nearest_warehouse_id for i in result.items if i.nearest_warehouse_id
    )
    return result, warehouses


def part_context(
    request: Request,
    db: Session,
    p: Principal,
    part_id: uuid.UUID,
    params: dict[str, str],
    *,
    row_errors: dict[str, str] | None = None,
    row_quantities: dict[str, str] | None = None,
) -> tuple[dict[str, Any], int]:
    """What the part page shows, and its status (422 when the filter is not valid)."""
    hit = catalog.part_detail(db, part_id)
    group = [
        row
        for row in PartRepository(db).groups_with_names([hit.part.group_id], [part_id], 50)
        if row[0].id != part_id
    ]
    f, quantity, radius = read_filter(request, params)
    result: CompareOut | None = None
    warehouses: dict[uuid.UUID, Any] = {}
    if p.can("pricing:view"):
        result, warehouses = comparison(db, p, part_id, f, quantity, radius)
    ctx = {
        "hit": hit,
        "group": group,
        "f": f,
        "result": result,
        "warehouses": warehouses,
        "radii": RADII,
        "sorts": SORTS,
        "row_errors": row_errors or {},
        "row_quantities": row_quantities or {},
        "here": f"/parts/{part_id}" + (f"?{f.query_string()}" if f.query_string() else ""),
        "cart_lines": cart_count(db, p),
    }
    return ctx, 422 if f.errors else 200


@router.get("/parts/{part_id}", include_in_schema=False)
def part_page(
    request: Request,
    part_id: uuid.UUID,
    p: Principal = Depends(require("procurement:view")),
    db: Session = Depends(get_db),
) -> Response:
    """A part: names, numbers, grade, attributes, fitment, interchangeable parts, and the price
    comparison with its filter (an HTMX request for ``#offers-panel`` gets the comparison only)."""
    params = {k: v for k, v in request.query_params.items()}
    ctx, status = part_context(request, db, p, part_id, params)
    fragment = is_htmx(request) and request.headers.get("hx-target") == "offers-panel"
    template = "buyer/_offers.html" if fragment else "buyer/part.html"
    return page(request, template, db, status_code=status, **ctx)

"""Cart: add lines (by part, SKU, number, or a quick order of many), view with current prices and
stock, change, clear, check out through ``orders.service.checkout``. See docs/cart.md.

Whose cart: a user's own (``owner = user:<id>``) in their org; API keys of a company share one cart
(``owner = api``). Services flush, never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.cart import resolution
from autotrade.cart.errors import (
    CartEmpty,
    CartLineNotFound,
    CartNotReady,
    EmptyInput,
    LineNotResolved,
    OfferMismatch,
    UnknownPart,
)
from autotrade.cart.models import API_OWNER, Cart, CartLine, LineSource, user_owner
from autotrade.cart.parsing import InputRow
from autotrade.cart.repository import CartRepository, CatalogLookups, MarketOffers
from autotrade.cart.resolution import Resolver, Result, Wanted
from autotrade.cart.schemas import CartLineIn, CartLinePatch, PartRef
from autotrade.core.tenancy import Principal
from autotrade.orders import service as orders
from autotrade.orders.checkout import CheckoutLine, CheckoutResult
from autotrade.orders.schemas import ShipTo

MAX_CART_LINES = 500


def owner_of(p: Principal) -> str:
    return user_owner(p.user_id) if p.user_id and not p.api_key_id else API_OWNER


def find_cart(session: Session, p: Principal) -> Cart | None:
    return CartRepository(session).of_owner(p.org_id, owner_of(p))


def line_count(session: Session, p: Principal) -> int:
    """How many lines the caller's cart holds (0 without a cart)."""
    cart = find_cart(session, p)
    return 0 if cart is None else CartRepository(session).line_count(cart.id)


def cart_for_update(session: Session, p: Principal) -> Cart:
    """The caller's cart, created on first use (a concurrent first use meets the unique index)."""
    repo = CartRepository(session)
    cart = repo.of_owner(p.org_id, owner_of(p))
    if cart is not None:
        return cart
    cart = Cart(org_id=p.org_id, owner=owner_of(p), user_id=None if p.api_key_id else p.user_id)
    try:
        with session.begin_nested():
            session.add(cart)
    except IntegrityError:
        found = repo.of_owner(p.org_id, owner_of(p))
        if found is None:
            raise
        return found
    return cart


# ---- resolving single references --------------------------------------------------------------------


def wanted_for(ref: PartRef, *, line: int, quantity: int, offer_id: uuid.UUID | None, mode: str) -> Wanted:
    raw = str(ref.part_id or ref.sku or ref.number)
    return Wanted(
        line=line,
        raw=raw,
        number=ref.sku or ref.number,
        part_id=ref.part_id,
        quantity=quantity,
        offer_id=offer_id,
        offer_mode="best" if offer_id is None else mode,  # type: ignore[arg-type]
    )


def check_refs(session: Session, refs: Sequence[tuple[str, uuid.UUID | None, uuid.UUID | None]]) -> None:
    """Named parts exist and named offers are offers for them: ``(field, part_id, offer_id)``."""
    parts = CatalogLookups(session).parts(p for _f, p, _o in refs if p)
    offers = MarketOffers(session).by_ids(o for _f, _p, o in refs if o)
    for field, part_id, offer_id in refs:
        if part_id is not None and part_id not in parts:
            raise UnknownPart(f"no part {part_id}", field=f"{field}part_id")
        if offer_id is not None:
            offer = offers.get(offer_id)
            if offer is None:
                raise OfferMismatch("no such offer", field=f"{field}offer_id", code="offer_not_found")
            if part_id is not None and offer.part_id != part_id:
                raise OfferMismatch(
                    f"offer {offer_id} is not an offer for this part", field=f"{field}offer_id"
                )


def _failure(r: Result, field: str = "") -> LineNotResolved | UnknownPart:
    if r.code == resolution.UNKNOWN_NUMBER:
        return UnknownPart(r.detail, field=f"{field}number", code="unknown_number")
    extra: dict[str, Any] = {
        k: v
        for k, v in (("available", r.available), ("moq", r.moq), ("pack_size", r.pack_size))
        if v is not None
    }
    return LineNotResolved(
        r.detail,
        code=r.code,
        field=f"{field}quantity" if r.code != resolution.NO_OFFER else f"{field}offer_id",
        errors=[{"code": r.code, "detail": r.detail, **extra}],
        **extra,
    )


# ---- adding -------------------------------------------------------------------------------------------


def _put(
    session: Session, cart: Cart, existing: dict[uuid.UUID, CartLine], r: Result, source: LineSource
) -> CartLine:
    assert r.part is not None and r.total_quantity is not None
    line = existing.get(r.part.id)
    offer_id = r.offer.id if r.offer else None
    if line is None:
        line = CartLine(
            org_id=cart.org_id,
            cart_id=cart.id,
            position=max((ln.position for ln in existing.values()), default=0) + 1,
            part_id=r.part.id,
            offer_id=offer_id,
            quantity=r.total_quantity,
            source=source,
            raw_input=r.input[:200] or None,
        )
        session.add(line)
        existing[r.part.id] = line
    else:
        line.quantity += r.total_quantity
        line.offer_id = offer_id
    label(line, "cart.add")
    return line


def add_line(session: Session, p: Principal, data: CartLineIn) -> tuple[Result, CartLine]:
    """One part (by id, SKU or number) with an optional chosen offer: added when it can be ordered as
    asked; otherwise a typed error with the resolution code and nothing changes."""
    check_refs(session, [("", data.part_id, data.offer_id)])
    w = wanted_for(data, line=1, quantity=data.quantity, offer_id=data.offer_id, mode="only")
    (r,) = Resolver(session, p).resolve([w])
    if data.offer_id is not None and r.code == resolution.NO_OFFER and r.offer is None:
        raise OfferMismatch(f"offer {data.offer_id} is not an offer for this part", field="offer_id")
    if not r.resolved:
        raise _failure(r)
    cart = cart_for_update(session, p)
    existing = {ln.part_id: ln for ln in CartRepository(session).lines(cart.id)}
    _check_capacity(existing, [r])
    source = LineSource.sku if (data.part_id or data.sku) else LineSource.number
    line = _put(session, cart, existing, r, source)
    session.flush()
    return r, line


def _check_capacity(existing: dict[uuid.UUID, CartLine], results: Sequence[Result]) -> None:
    new = {r.part.id for r in results if r.resolved and r.part} - set(existing)
    if len(existing) + len(new) > MAX_CART_LINES:
        raise LineNotResolved(
            f"a cart holds at most {MAX_CART_LINES} lines", code="cart_full", limit=MAX_CART_LINES
        )


def quick_order(
    session: Session, p: Principal, rows: Sequence[InputRow], *, source: LineSource, dry_run: bool
) -> tuple[list[Result], dict[int, uuid.UUID]]:
    """Resolve every input row; unless ``dry_run``, add the resolved ones to the cart. Returns the
    per-line results and, for added lines, input line → cart line id."""
    if not rows:
        raise EmptyInput("no lines to order", field="file" if source == LineSource.upload else "text")
    wanted = [
        Wanted(
            line=r.line,
            raw=r.raw,
            number=r.number,
            quantity=r.quantity,
            error=r.error,
            detail=r.detail,
            whole=r.whole,
        )
        for r in rows
    ]
    results = Resolver(session, p).resolve(wanted)
    return results, ({} if dry_run else add_results(session, p, results, source))


def add_results(
    session: Session, p: Principal, results: Sequence[Result], source: LineSource
) -> dict[int, uuid.UUID]:
    ok = [r for r in results if r.resolved]
    if not ok:
        return {}
    cart = cart_for_update(session, p)
    existing = {ln.part_id: ln for ln in CartRepository(session).lines(cart.id)}
    _check_capacity(existing, ok)
    lines = {r.line: _put(session, cart, existing, r, source) for r in ok}
    session.flush()
    return {n: ln.id for n, ln in lines.items()}


# ---- viewing ------------------------------------------------------------------------------------------


@dataclass
class CartView:
    cart: Cart | None
    lines: list[tuple[CartLine, Result]]

    @property
    def ready(self) -> bool:
        return bool(self.lines) and all(r.resolved for _l, r in self.lines)


def evaluate(session: Session, p: Principal, lines: Sequence[CartLine]) -> list[tuple[CartLine, Result]]:
    """Each cart line as it stands now: its chosen offer (or the best, when none is chosen) priced for
    this buyer and quantity, with stock — the same rules as a quick order, in a fixed number of queries."""
    wanted = [
        Wanted(
            line=i,
            raw=ln.raw_input or "",
            part_id=ln.part_id,
            quantity=ln.quantity,
            offer_id=ln.offer_id,
            offer_mode="only" if ln.offer_id else "best",
        )
        for i, ln in enumerate(lines, start=1)
    ]
    results = Resolver(session, p).resolve(wanted)
    return list(zip(lines, results, strict=True))


def view(session: Session, p: Principal) -> CartView:
    cart = find_cart(session, p)
    if cart is None:
        return CartView(None, [])
    return CartView(cart, evaluate(session, p, CartRepository(session).lines(cart.id)))


def _line(session: Session, p: Principal, line_id: uuid.UUID) -> tuple[Cart, CartLine]:
    cart = find_cart(session, p)
    line = CartRepository(session).line(cart.id, line_id) if cart else None
    if cart is None or line is None:
        raise CartLineNotFound(f"no line {line_id} in your cart")
    return cart, line


def update_line(session: Session, p: Principal, line_id: uuid.UUID, data: CartLinePatch) -> CartLine:
    _cart, line = _line(session, p, line_id)
    if "offer_id" in data.model_fields_set:
        check_refs(session, [("", line.part_id, data.offer_id)])
        line.offer_id = data.offer_id
    if data.quantity is not None:
        line.quantity = data.quantity
    label(line, "cart.update")
    session.flush()
    return line


def delete_line(session: Session, p: Principal, line_id: uuid.UUID) -> None:
    _cart, line = _line(session, p, line_id)
    label(line, "cart.remove")
    session.delete(line)
    session.flush()


def clear(session: Session, p: Principal) -> int:
    cart = find_cart(session, p)
    if cart is None:
        return 0
    lines = CartRepository(session).lines(cart.id)
    for ln in lines:
        label(ln, "cart.clear")
        session.delete(ln)
    session.flush()
    return len(lines)


# ---- checkout -----------------------------------------------------------------------------------------


def checkout(
    session: Session,
    p: Principal,
    *,
    ship_to: ShipTo,
    note: str | None,
    line_ids: Sequence[uuid.UUID] | None,
) -> CheckoutResult:
    """Check out the cart (or the named lines): every line is evaluated now; when one cannot be ordered
    as it stands, ``cart_not_ready`` lists them all and nothing changes. Otherwise the lines go to
    ``orders.service.checkout`` (one order per supplier, stock reserved) and leave the cart in the same
    transaction — a failed checkout rolls back and keeps the cart as it was."""
    cart = find_cart(session, p)
    lines = CartRepository(session).lines(cart.id) if cart else []
    if line_ids is not None:
        wanted = set(line_ids)
        unknown = wanted - {ln.id for ln in lines}
        if unknown:
            raise CartLineNotFound(f"no line {sorted(map(str, unknown))[0]} in your cart", field="line_ids")
        lines = [ln for ln in lines if ln.id in wanted]
    if not lines:
        raise CartEmpty("nothing to check out: the cart is empty")
    evaluated = evaluate(session, p, lines)
    bad = [(ln, r) for ln, r in evaluated if not r.resolved]
    if bad:
        raise CartNotReady(
            f"{len(bad)} line(s) cannot be ordered as they stand; change or remove them",
            errors=[
                {
                    "line_id": str(ln.id),
                    "part_id": str(ln.part_id),
                    "code": r.code,
                    "detail": r.detail,
                    **({"available": r.available} if r.available is not None else {}),
                    **({"moq": r.moq} if r.code == resolution.BELOW_MOQ else {}),
                    **({"pack_size": r.pack_size} if r.code == resolution.NOT_PACK_MULTIPLE else {}),
                }
                for ln, r in bad
            ],
        )
    order_lines = [CheckoutLine(offer_id=r.offer.id, quantity=ln.quantity) for ln, r in evaluated if r.offer]
    result = orders.checkout(session, p, order_lines, ship_to, note=note)
    for ln, _r in evaluated:
        label(ln, "cart.checkout")
        session.delete(ln)
    session.flush()
    return result

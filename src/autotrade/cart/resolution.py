"""Resolution: what a buyer asked for (numbers, SKUs, parts, offers with quantities) → a part and the
best offer for each line, or the reason it cannot be ordered — set-based, whatever the number of lines:
one catalogue number query, one SKU query, one offer query (plus one for named offers), one
``inventory.availability`` call and one ``pricing.quote_many`` call (a second only when two different
numbers turned out to name the same part and their quantities were added).

Rules (docs/cart.md):

* numbers are normalised (``catalog.numbers.normalise_number``) and looked up in ``part_numbers``
  (every kind: OE, brand, trade, aftermarket, replacement, EAN); a SKU (``TOYOTA-0446533471``) names its
  part. Lines naming the same number, or different numbers of the same part, are merged: quantities
  added, later lines reported ``duplicate_merged``;
* the best offer of a part for a quantity is the cheapest unit price for this buyer among offers on sale
  (not the buyer's own) that accept the quantity (MOQ, pack size) and whose supplier has that many
  available; ties → more stock, then the lower supplier id;
* a number carried by several parts (an OE number shared by an interchange group): the part whose best
  offer is cheapest (ties: more stock, supplier id, SKU); when none can be ordered as asked, the one
  closest to it (quantity rules before stock before no offer; then SKU). The line says which parts
  carried the number and why one was chosen.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from autotrade.cart.repository import CatalogLookups, MarketOffers, OfferTerms, PartRow
from autotrade.catalog.numbers import normalise_number
from autotrade.catalog.repository import PartRepository
from autotrade.core.tenancy import Principal
from autotrade.inventory import service as inventory
from autotrade.pricing import service as pricing

# Codes of a line's outcome.
RESOLVED = "resolved"
UNKNOWN_NUMBER = "unknown_number"
NO_OFFER = "no_offer"
INSUFFICIENT_STOCK = "insufficient_stock"
BELOW_MOQ = "below_moq"
NOT_PACK_MULTIPLE = "not_pack_multiple"
INVALID_QUANTITY = "invalid_quantity"
DUPLICATE_MERGED = "duplicate_merged"
BAD_LINE = "bad_line"
CODES = (
    RESOLVED,
    UNKNOWN_NUMBER,
    NO_OFFER,
    INSUFFICIENT_STOCK,
    BELOW_MOQ,
    NOT_PACK_MULTIPLE,
    INVALID_QUANTITY,
    DUPLICATE_MERGED,
    BAD_LINE,
)
_RANK = {RESOLVED: 0, BELOW_MOQ: 1, NOT_PACK_MULTIPLE: 1, INSUFFICIENT_STOCK: 2, NO_OFFER: 3}

OfferMode = Literal["best", "only", "prefer"]


@dataclass
class Wanted:
    """One line to resolve: a number (or SKU) to look up, or a known part; a quantity; optionally an
    offer (``only``: exactly this offer; ``prefer``: this one when it can deliver, else the best)."""

    line: int
    raw: str = ""
    number: str | None = None
    part_id: uuid.UUID | None = None
    quantity: int | None = None
    offer_id: uuid.UUID | None = None
    offer_mode: OfferMode = "best"
    error: str | None = None  # a parse error (bad_line / invalid_quantity) already known
    detail: str | None = None
    whole: str | None = None  # see parsing.InputRow.whole


@dataclass
class Result:
    line: int
    input: str
    code: str
    detail: str
    number: str | None = None
    quantity: int | None = None  # asked on this line
    total_quantity: int | None = None  # after merging duplicates into this line
    merged_lines: list[int] = field(default_factory=list)
    merged_into: int | None = None
    part: PartRow | None = None
    candidates: list[str] = field(default_factory=list)  # SKUs carrying the number, when several
    offer: OfferTerms | None = None
    quote: pricing.Quote | None = None
    available: int | None = None
    moq: int | None = None
    pack_size: int | None = None
    suggested_quantity: int | None = None

    @property
    def resolved(self) -> bool:
        return self.code == RESOLVED

    @property
    def status(self) -> str:
        if self.code == RESOLVED:
            return "resolved"
        return "merged" if self.code == DUPLICATE_MERGED else "unresolved"


@dataclass
class _Outcome:
    code: str
    offer: OfferTerms | None = None
    quote: pricing.Quote | None = None
    available: int | None = None
    detail: str = ""
    suggested: int | None = None


@dataclass
class _Group:
    """Input lines that name the same thing: resolved once, with their quantities added."""

    first: Wanted
    candidates: list[uuid.UUID]
    quantity: int
    number: str | None
    others: list[Wanted] = field(default_factory=list)
    offer_id: uuid.UUID | None = None
    offer_mode: OfferMode = "best"
    chosen: uuid.UUID | None = None
    outcome: _Outcome | None = None
    reason: str = ""


def _sku_forms(raw: str) -> list[str]:
    t = raw.strip().upper()
    out = [t]
    brand, sep, number = t.partition("-")
    if sep and brand and number:
        out.append(f"{normalise_number(brand)}-{normalise_number(number)}")
    return out


def _round_up(q: int, moq: int, pack: int) -> int:
    q = max(q, moq)
    return -(-q // pack) * pack


class Resolver:
    """One resolution pass for one buyer (see the module docstring)."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.buyer_org_id = principal.org_id
        self.channel = "api" if principal.api_key_id else "web"
        self.own = set(principal.scope) | {principal.root_company_id}
        self.offers_by_part: dict[uuid.UUID, list[OfferTerms]] = {}
        self.named: dict[uuid.UUID, OfferTerms] = {}
        self.available: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
        self.quotes: dict[tuple[uuid.UUID, int], pricing.Quote] = {}
        self.rows: dict[uuid.UUID, PartRow] = {}

    # ---- the pass ------------------------------------------------------------------------------------

    def resolve(self, wanted: Sequence[Wanted]) -> list[Result]:
        results: dict[int, Result] = {}
        for w in wanted:
            if w.error:
                results[w.line] = Result(w.line, w.raw, w.error, w.detail or w.error, number=w.number)
        live = [w for w in wanted if not w.error]
        groups = self._group(live, results)
        parts = {p for g in groups for p in g.candidates}
        self._load(parts, {g.offer_id for g in groups if g.offer_id})
        self.rows = rows = CatalogLookups(self.session).parts(parts)
        self._price([(g, p, g.quantity) for g in groups for p in self._evaluated(g)])
        for g in groups:
            self._choose(g)
        groups = self._merge_same_part(groups)
        for g in groups:
            results[g.first.line] = self._result(g, rows)
            for w in g.others:
                results[w.line] = Result(
                    w.line,
                    w.raw,
                    DUPLICATE_MERGED,
                    f"line {w.line}: same part as line {g.first.line}; quantities added",
                    number=w.number,
                    quantity=w.quantity,
                    merged_into=g.first.line,
                    part=rows.get(g.chosen) if g.chosen else None,
                )
        return [results[k] for k in sorted(results)]

    # ---- lookups -------------------------------------------------------------------------------------

    def _group(self, live: list[Wanted], results: dict[int, Result]) -> list[_Group]:
        norms: set[str] = set()
        skus: set[str] = set()
        for w in live:
            if w.part_id is None and w.number is not None:
                norms.add(normalise_number(w.number))
                skus.update(_sku_forms(w.number))
                if w.whole:
                    norms.add(normalise_number(w.whole))
        holders: dict[str, set[uuid.UUID]] = {}
        for n, _group in PartRepository(self.session).holders_with_groups(norms):
            holders.setdefault(n.number_norm, set()).add(n.part_id)
        by_sku = CatalogLookups(self.session).parts_by_sku(skus)

        groups: dict[tuple[str, str], _Group] = {}
        out: list[_Group] = []
        for w in live:
            number, quantity = w.number, w.quantity or 1
            if w.part_id is not None:
                candidates = [w.part_id]
            else:
                assert w.number is not None
                norm = normalise_number(w.number)
                sku = next((by_sku[s] for s in _sku_forms(w.number) if s in by_sku), None)
                found = holders.get(norm, set())
                whole_found = holders.get(normalise_number(w.whole), set()) if w.whole else set()
                if sku is not None:
                    candidates = [sku]
                elif found:
                    candidates = sorted(found)
                elif whole_found:  # "04465 33471" alone: a spaced number, one piece
                    assert w.whole is not None
                    candidates, number, quantity = sorted(whole_found), w.whole, 1
                    w.number, w.quantity = number, quantity
                else:
                    results[w.line] = Result(
                        w.line,
                        w.raw,
                        UNKNOWN_NUMBER,
                        f"line {w.line}: no part carries the number {w.number!r}",
                        number=w.number,
                        quantity=w.quantity,
                    )
                    continue
            key = ("p", str(candidates[0])) if len(candidates) == 1 else ("n", normalise_number(number or ""))
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Group(
                    w, candidates, quantity, number, offer_id=w.offer_id, offer_mode=w.offer_mode
                )
                out.append(g)
            else:
                g.others.append(w)
                g.quantity += quantity
        return out

    def _load(self, parts: set[uuid.UUID], offer_ids: set[uuid.UUID | None]) -> None:
        market = MarketOffers(self.session)
        for o in market.for_parts(parts):
            if o.org_id not in self.own:
                self.offers_by_part.setdefault(o.part_id, []).append(o)
        self.named = market.by_ids(i for i in offer_ids if i)
        if parts:
            for a in inventory.availability(self.session, sorted(parts)):
                key = (a.org_id, a.part_id)
                self.available[key] = self.available.get(key, 0) + a.available

    def _evaluated(self, g: _Group) -> list[uuid.UUID]:
        return [g.chosen] if g.chosen else g.candidates

    def _offers(self, g: _Group, part_id: uuid.UUID) -> list[OfferTerms]:
        named = self.named.get(g.offer_id) if g.offer_id else None
        if g.offer_mode == "only":
            return [named] if named and named.part_id == part_id else []
        return self.offers_by_part.get(part_id, [])

    def _fits(self, o: OfferTerms, qty: int) -> bool:
        return (
            o.on_sale
            and qty >= o.moq
            and qty % o.pack_size == 0
            and self.available.get((o.org_id, o.part_id), 0) >= qty
        )

    def _price(self, asks: list[tuple[_Group, uuid.UUID, int]]) -> None:
        """One ``quote_many`` call for every offer that can deliver a quantity not yet priced."""
        pairs: dict[tuple[uuid.UUID, int], None] = {}
        for g, part, qty in asks:
            for o in self._offers(g, part) + ([self.named[g.offer_id]] if g.offer_id in self.named else []):
                if o.part_id == part and self._fits(o, qty) and (o.id, qty) not in self.quotes:
                    pairs[(o.id, qty)] = None
        if not pairs:
            return
        reqs = [pricing.QuoteRequest(offer_id=o, quantity=q) for o, q in pairs]
        quotes = pricing.quote_many(
            self.session, buyer_org_id=self.buyer_org_id, requests=reqs, channel=self.channel
        )
        for q in quotes:
            self.quotes[(q.offer_id, q.quantity)] = q

    # ---- choosing ------------------------------------------------------------------------------------

    def _best(self, offers: list[OfferTerms], part_id: uuid.UUID, qty: int) -> _Outcome:
        if not offers:
            return _Outcome(NO_OFFER, detail="no supplier offers this part")
        stock = {o.id: self.available.get((o.org_id, part_id), 0) for o in offers}
        fitting = [o for o in offers if self._fits(o, qty)]
        if fitting:
            best = min(
                fitting, key=lambda o: (self.quotes[(o.id, qty)].unit_price_fen, -stock[o.id], o.org_id)
            )
            return _Outcome(RESOLVED, best, self.quotes[(best.id, qty)], stock[best.id])
        on_sale = [o for o in offers if o.on_sale]
        if not on_sale:
            return _Outcome(
                NO_OFFER, offers[0], available=stock[offers[0].id], detail="the offer is not on sale"
            )
        stocked = [o for o in on_sale if stock[o.id] >= qty]
        if stocked:  # enough stock, but the quantity breaks a rule: the offer closest to the ask
            o = min(
                stocked,
                key=lambda o: (qty < o.moq and qty % o.pack_size != 0, o.moq, o.list_price_fen, o.org_id),
            )
            suggested = _round_up(qty, o.moq, o.pack_size)
            if qty < o.moq:
                return _Outcome(
                    BELOW_MOQ,
                    o,
                    available=stock[o.id],
                    suggested=suggested,
                    detail=f"the minimum order quantity is {o.moq}",
                )
            return _Outcome(
                NOT_PACK_MULTIPLE,
                o,
                available=stock[o.id],
                suggested=suggested,
                detail=f"sold in packs of {o.pack_size}",
            )
        o = min(on_sale, key=lambda o: (-stock[o.id], o.list_price_fen, o.org_id))
        return _Outcome(
            INSUFFICIENT_STOCK,
            o,
            available=stock[o.id],
            detail=f"{stock[o.id]} available at most from one supplier, {qty} asked",
        )

    def _evaluate(self, g: _Group, part_id: uuid.UUID) -> _Outcome:
        qty = g.quantity
        if g.offer_mode == "prefer" and g.offer_id:
            named = self.named.get(g.offer_id)
            if (
                named is not None
                and named.part_id == part_id
                and named.org_id not in self.own
                and self._fits(named, qty)
            ):
                return _Outcome(
                    RESOLVED,
                    named,
                    self.quotes[(named.id, qty)],
                    self.available.get((named.org_id, part_id), 0),
                )
            outcome = self._best(self._offers(g, part_id), part_id, qty)
            if outcome.code == RESOLVED:
                outcome.detail = "the preferred offer cannot deliver this quantity now; chose the best other"
            return outcome
        if g.offer_mode == "only" and g.offer_id:
            named = self.named.get(g.offer_id)
            if named is None:
                return _Outcome(NO_OFFER, detail="the chosen offer no longer exists")
            if named.org_id in self.own:
                return _Outcome(NO_OFFER, named, detail="this offer is your own company's")
        return self._best(self._offers(g, part_id), part_id, qty)

    def _choose(self, g: _Group) -> None:
        outcomes = {p: self._evaluate(g, p) for p in self._evaluated(g)}
        if len(outcomes) == 1:
            g.chosen, g.outcome = next(iter(outcomes.items()))
            return
        skus = self.rows

        def key(p: uuid.UUID) -> tuple[object, ...]:
            o = outcomes[p]
            if o.code == RESOLVED:
                assert o.quote is not None and o.offer is not None
                return (0, o.quote.unit_price_fen, -(o.available or 0), o.offer.org_id.int, skus[p].sku)
            return (_RANK[o.code], 0, 0, 0, skus[p].sku)

        g.chosen = min(outcomes, key=key)
        g.outcome = outcomes[g.chosen]
        g.reason = (
            "the lowest unit price with enough stock"
            if g.outcome.code == RESOLVED
            else "none can be ordered as asked; showing the closest"
        )

    def _merge_same_part(self, groups: list[_Group]) -> list[_Group]:
        """Different numbers that named the same part: one line, quantities added, priced again."""
        by_part: dict[uuid.UUID, _Group] = {}
        kept: list[_Group] = []
        changed: list[_Group] = []
        for g in groups:
            assert g.chosen is not None
            first = by_part.get(g.chosen)
            if first is None:
                by_part[g.chosen] = g
                kept.append(g)
                continue
            first.others += [g.first, *g.others]
            first.quantity += g.quantity
            if first not in changed:
                changed.append(first)
        if changed:
            self._price([(g, p, g.quantity) for g in changed for p in self._evaluated(g)])
            for g in changed:
                g.outcome = self._evaluate(g, g.chosen)  # type: ignore[arg-type]
        return kept

    def _result(self, g: _Group, rows: dict[uuid.UUID, PartRow]) -> Result:
        w, o = g.first, g.outcome
        assert o is not None and g.chosen is not None
        merged = sorted(x.line for x in g.others)
        detail = o.detail or ("resolved" if o.code == RESOLVED else o.code)
        notes = []
        if len(g.candidates) > 1:
            skus = sorted(rows[p].sku for p in g.candidates)
            chosen = rows[g.chosen].sku
            carried = f"{len(skus)} parts carry this number ({', '.join(skus)})"
            notes.append(f"{carried}; chose {chosen}: {g.reason}")
        if merged:
            notes.append(f"quantities of line(s) {', '.join(map(str, merged))} added")
        if notes:
            detail = f"{detail}; {'; '.join(notes)}" if o.code != RESOLVED or o.detail else "; ".join(notes)
        offer = o.offer
        return Result(
            w.line,
            w.raw,
            o.code,
            detail,
            number=g.number,
            quantity=w.quantity,
            total_quantity=g.quantity,
            merged_lines=merged,
            part=rows.get(g.chosen),
            candidates=sorted(rows[p].sku for p in g.candidates) if len(g.candidates) > 1 else [],
            offer=offer,
            quote=o.quote,
            available=o.available,
            moq=offer.moq if offer else None,
            pack_size=offer.pack_size if offer else None,
            suggested_quantity=o.suggested,
        )

"""pricing: the supplier's side — offers with their tiers, customer groups and members, price policies.

Business rules only; every statement goes through the tenant-scoped repositories (a supplier edits its
own rows), except the marketplace look-up of a company to add to a group. Services flush, never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.catalog.repository import CategoryRepository, PartRepository
from autotrade.core.errors import Conflict, ValidationFailed
from autotrade.core.tenancy import Principal
from autotrade.orgs.models import OrgType
from autotrade.pricing.errors import (
    CustomerGroupNotFound,
    InUse,
    MemberNotFound,
    OfferExists,
    OfferNotFound,
    PricePolicyNotFound,
)
from autotrade.pricing.models import (
    CustomerGroup,
    CustomerGroupMember,
    Offer,
    OfferTier,
    PolicyEffect,
    PolicyScope,
    PricePolicy,
)
from autotrade.pricing.repository import CustomerGroupRepository, OfferRepository, PricePolicyRepository
from autotrade.pricing.schemas import (
    GroupIn,
    GroupUpdate,
    MemberOut,
    OfferIn,
    OfferUpdate,
    PolicyIn,
    PolicyUpdate,
    TierIn,
)

# ---- offers ------------------------------------------------------------------------------------------


def check_tiers(tiers: Sequence[TierIn], list_price_fen: int) -> None:
    """Tiers: strictly increasing ``min_quantity``, non-increasing prices, none above the list price."""
    for i, t in enumerate(tiers):
        if t.unit_price_fen > list_price_fen:
            raise ValidationFailed(
                "a tier price cannot be above the list price",
                field=f"tiers[{i}].unit_price_fen",
                code="tier_above_list_price",
            )
        if i == 0:
            continue
        prev = tiers[i - 1]
        if t.min_quantity <= prev.min_quantity:
            raise ValidationFailed(
                "tier quantities must strictly increase",
                field=f"tiers[{i}].min_quantity",
                code="tiers_not_increasing",
            )
        if t.unit_price_fen > prev.unit_price_fen:
            raise ValidationFailed(
                "a larger tier cannot have a higher price",
                field=f"tiers[{i}].unit_price_fen",
                code="tier_price_increases",
            )


def get_offer(session: Session, offer_id: uuid.UUID) -> Offer:
    offer = OfferRepository(session).get(offer_id)
    if offer is None:
        raise OfferNotFound()
    return offer


def create_offer(session: Session, actor: Principal, data: OfferIn) -> Offer:
    if PartRepository(session).get(data.part_id) is None:
        raise ValidationFailed("no such part in the catalogue", field="part_id", code="part_not_found")
    repo = OfferRepository(session)
    if repo.by_part(data.part_id) is not None:
        raise OfferExists(field="part_id")
    check_tiers(data.tiers, data.list_price_fen)
    offer = Offer(org_id=actor.org_id, **data.model_dump(exclude={"tiers"}))
    offer.tiers = [OfferTier(org_id=actor.org_id, **t.model_dump()) for t in data.tiers]
    label(offer, "pricing.offer.create")
    repo.add(offer)
    return offer


def update_offer(session: Session, offer_id: uuid.UUID, data: OfferUpdate) -> Offer:
    offer = get_offer(session, offer_id)
    fields = data.model_dump(exclude_unset=True, exclude={"tiers"})
    if any(v is None for v in fields.values()):
        name = next(k for k, v in fields.items() if v is None)
        raise ValidationFailed(f"{name} cannot be null", field=name, code="required")
    list_price = fields.get("list_price_fen", offer.list_price_fen)
    if data.tiers is not None:
        tiers = data.tiers
    else:
        tiers = [TierIn(min_quantity=t.min_quantity, unit_price_fen=t.unit_price_fen) for t in offer.tiers]
    check_tiers(tiers, list_price)
    for key, value in fields.items():
        setattr(offer, key, value)
    wanted = [(t.min_quantity, t.unit_price_fen) for t in tiers]
    if wanted != [(t.min_quantity, t.unit_price_fen) for t in offer.tiers]:
        offer.tiers.clear()  # deletes first: a new tier may reuse a min_quantity (unique per offer)
        session.flush()
        offer.tiers.extend(
            OfferTier(org_id=offer.org_id, min_quantity=q, unit_price_fen=p) for q, p in wanted
        )
    session.flush()
    return offer


def delete_offer(session: Session, offer_id: uuid.UUID) -> None:
    offer = get_offer(session, offer_id)
    if PricePolicyRepository(session).count_for_offer(offer.id):
        raise InUse("price policies name this offer; delete them or pause the offer", field="offer_id")
    try:
        with session.begin_nested():
            session.delete(offer)
            session.flush()
    except IntegrityError as e:  # e.g. order lines of another domain point at it
        raise InUse("the offer is referenced (orders, carts); pause it instead", field="offer_id") from e


# ---- customer groups ---------------------------------------------------------------------------------


def get_group(session: Session, group_id: uuid.UUID) -> CustomerGroup:
    group = CustomerGroupRepository(session).get(group_id)
    if group is None:
        raise CustomerGroupNotFound()
    return group


def members_of(session: Session, groups: Sequence[CustomerGroup]) -> dict[uuid.UUID, list[MemberOut]]:
    repo = CustomerGroupRepository(session)
    rows = repo.members([g.id for g in groups])
    names = repo.company_names(m.member_org_id for m in rows)
    out: dict[uuid.UUID, list[MemberOut]] = {g.id: [] for g in groups}
    for m in rows:
        out[m.group_id].append(
            MemberOut(org_id=m.member_org_id, name=names.get(m.member_org_id, ""), added_at=m.created_at)
        )
    return out


def _unique_name(session: Session, name: str, group: CustomerGroup | None = None) -> None:
    other = CustomerGroupRepository(session).by_name(name)
    if other is not None and other is not group:
        raise Conflict("you already have a group with this name", field="name", code="group_name_taken")


def create_group(session: Session, actor: Principal, data: GroupIn) -> CustomerGroup:
    _unique_name(session, data.name)
    group = CustomerGroup(org_id=actor.org_id, **data.model_dump())
    label(group, "pricing.group.create")
    return CustomerGroupRepository(session).add(group)


def update_group(session: Session, group_id: uuid.UUID, data: GroupUpdate) -> CustomerGroup:
    group = get_group(session, group_id)
    fields = data.model_dump(exclude_unset=True)
    if "name" in fields:
        if fields["name"] is None:
            raise ValidationFailed("name cannot be null", field="name", code="required")
        _unique_name(session, fields["name"], group)
    for key, value in fields.items():
        setattr(group, key, value)
    session.flush()
    return group


def delete_group(session: Session, group_id: uuid.UUID) -> None:
    group = get_group(session, group_id)
    repo = CustomerGroupRepository(session)
    if repo.policy_count(group.id):
        raise InUse(
            "price policies target this group; delete or change them first", field="customer_group_id"
        )
    for m in repo.members([group.id]):
        session.delete(m)
    session.flush()
    session.delete(group)
    session.flush()


def add_member(session: Session, group_id: uuid.UUID, member_org_id: uuid.UUID) -> CustomerGroupMember:
    group = get_group(session, group_id)
    repo = CustomerGroupRepository(session)
    company = repo.marketplace_company(member_org_id)
    if company is None or company.type == OrgType.platform:
        raise ValidationFailed("no such company", field="org_id", code="company_not_found")
    if repo.member(group.id, member_org_id) is not None:
        raise Conflict("the company is already in this group", field="org_id", code="already_member")
    member = CustomerGroupMember(org_id=group.org_id, group_id=group.id, member_org_id=member_org_id)
    label(member, "pricing.group.add_member")
    session.add(member)
    session.flush()
    return member


def remove_member(session: Session, group_id: uuid.UUID, member_org_id: uuid.UUID) -> None:
    group = get_group(session, group_id)
    member = CustomerGroupRepository(session).member(group.id, member_org_id)
    if member is None:
        raise MemberNotFound()
    label(member, "pricing.group.remove_member")
    session.delete(member)
    session.flush()


# ---- price policies ----------------------------------------------------------------------------------


def get_policy(session: Session, policy_id: uuid.UUID) -> PricePolicy:
    policy = PricePolicyRepository(session).get(policy_id)
    if policy is None:
        raise PricePolicyNotFound()
    return policy


def _bad(message: str, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=code)


def check_policy(session: Session, v: dict[str, Any]) -> None:
    """A policy's full set of values (after a PATCH is merged) is consistent and names own rows."""
    for required in ("name", "priority", "active", "scope", "effect"):
        if v.get(required) is None:
            raise _bad(f"{required} cannot be null", required, "required")
    scope, effect = v["scope"], v["effect"]
    if scope == PolicyScope.offer:
        if v.get("offer_id") is None:
            raise _bad("a policy for one offer names the offer", "offer_id", "required")
        if OfferRepository(session).get(v["offer_id"]) is None:
            raise _bad("no such offer of yours", "offer_id", "offer_not_found")
    elif v.get("offer_id") is not None:
        raise _bad("offer_id only goes with scope 'offer'", "offer_id", "not_allowed")
    if scope == PolicyScope.category:
        if v.get("category_id") is None:
            raise _bad("a policy for a category names the category", "category_id", "required")
        if CategoryRepository(session).get(v["category_id"]) is None:
            raise _bad("no such category", "category_id", "category_not_found")
    elif v.get("category_id") is not None:
        raise _bad("category_id only goes with scope 'category'", "category_id", "not_allowed")
    if effect == PolicyEffect.fixed_price:
        if v.get("unit_price_fen") is None:
            raise _bad("a fixed-price policy needs unit_price_fen", "unit_price_fen", "required")
        if v.get("discount_bp") is not None:
            raise _bad("discount_bp only goes with effect 'discount'", "discount_bp", "not_allowed")
    else:
        if v.get("discount_bp") is None:
            raise _bad("a discount policy needs discount_bp", "discount_bp", "required")
        if v.get("unit_price_fen") is not None:
            raise _bad("unit_price_fen only goes with effect 'fixed_price'", "unit_price_fen", "not_allowed")
    start, end = v.get("valid_from"), v.get("valid_until")
    if start is not None and end is not None and end <= start:
        raise _bad("valid_until must be after valid_from", "valid_until", "invalid_window")
    group_id = v.get("customer_group_id")
    if group_id is not None and CustomerGroupRepository(session).get(group_id) is None:
        raise _bad("no such customer group of yours", "customer_group_id", "customer_group_not_found")


POLICY_FIELDS = (
    "name",
    "priority",
    "active",
    "customer_group_id",
    "province",
    "city",
    "channel",
    "valid_from",
    "valid_until",
    "scope",
    "offer_id",
    "category_id",
    "effect",
    "unit_price_fen",
    "discount_bp",
)


def _utc(values: dict[str, Any]) -> dict[str, Any]:
    for key in ("valid_from", "valid_until"):
        if values.get(key) is not None:
            values[key] = values[key].astimezone(UTC)
    return values


def create_policy(session: Session, actor: Principal, data: PolicyIn) -> PricePolicy:
    values = _utc(data.model_dump())
    check_policy(session, values)
    policy = PricePolicy(org_id=actor.org_id, **values)
    label(policy, "pricing.policy.create")
    return PricePolicyRepository(session).add(policy)


def update_policy(session: Session, policy_id: uuid.UUID, data: PolicyUpdate) -> PricePolicy:
    policy = get_policy(session, policy_id)
    changes = _utc(data.model_dump(exclude_unset=True))
    values = {f: getattr(policy, f) for f in POLICY_FIELDS} | changes
    check_policy(session, values)  # before any attribute changes: nothing half-valid reaches a flush
    for key, value in changes.items():
        setattr(policy, key, value)
    session.flush()
    return policy


def delete_policy(session: Session, policy_id: uuid.UUID) -> None:
    policy = get_policy(session, policy_id)
    session.delete(policy)
    session.flush()


# ---- for the supplier's pages --------------------------------------------------------------------------


def add_member_by_uscc(session: Session, group_id: uuid.UUID, uscc: str) -> CustomerGroupMember:
    """Add a buyer company named by its unified social credit code (printed on its business licence,
    which is how a supplier knows its customers) to one of my groups."""
    from autotrade.orgs.repository import OrgRepository

    get_group(session, group_id)
    org = OrgRepository(session).by_uscc_any_tenant(uscc.strip().upper())
    if org is None or org.parent_id is not None:
        raise ValidationFailed(
            "no company with this unified social credit code", field="uscc", code="company_not_found"
        )
    return add_member(session, group_id, org.id)


def policy_specificity(policy: PricePolicy) -> int:
    """How many conditions a policy sets, as precedence counts them (``precedence.specificity``)."""
    from autotrade.pricing.precedence import Rule, specificity

    return specificity(
        Rule(
            id=policy.id,
            org_id=policy.org_id,
            name=policy.name,
            priority=policy.priority,
            effect=policy.effect,
            scope=policy.scope,
            customer_group_id=policy.customer_group_id,
            province=policy.province,
            city=policy.city,
            channel=policy.channel,
            valid_from=policy.valid_from,
            valid_until=policy.valid_until,
        )
    )


def in_precedence_order(policies: Sequence[PricePolicy]) -> list[PricePolicy]:
    """Active policies first, then as precedence ranks two policies that both match: higher priority,
    then more specific (the lower resulting price and then the smaller id break the remaining ties per
    quote)."""
    return sorted(policies, key=lambda p: (not p.active, -p.priority, -policy_specificity(p), p.id.int))

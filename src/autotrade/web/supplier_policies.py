"""Supplier pages: price policies (in precedence order, create, edit, delete) and customer groups with
their members."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.catalog.repository import CategoryRepository
from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.pricing import supplier
from autotrade.pricing.models import CustomerGroup, PolicyEffect, PolicyScope, PricePolicy
from autotrade.pricing.repository import CustomerGroupRepository, OfferRepository, PricePolicyRepository
from autotrade.pricing.schemas import GroupIn, PolicyIn, PolicyUpdate
from autotrade.web import csrf
from autotrade.web.forms import field_errors, form_data, undo
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import bp_to_percent, percent_to_bp, yuan_input
from autotrade.web.money import parse_yuan as parse_fen
from autotrade.web.render import redirect, translator
from autotrade.web.supplier_common import local_input, message, page, parse_int, parse_local, seller

router = api_router("/supplier/policies")
# Included before ``router``: POST /supplier/policies/groups is not a policy id.
groups_router = api_router("/supplier/policies/groups")
VIEW = require("pricing:view")
EDIT = require("pricing:edit")
MAX_POLICIES = 200
MAX_GROUPS = 100
FIELDS = (
    "name",
    "priority",
    "customer_group_id",
    "province",
    "city",
    "channel",
    "valid_from",
    "valid_until",
    "scope",
    "offer_sku",
    "category_id",
    "effect",
    "discount",
    "unit_price",
)
SCOPE_LABELS = {"all": N_("All my offers"), "category": N_("One category"), "offer": N_("One offer")}
EFFECT_LABELS = {"discount": N_("Discount"), "fixed_price": N_("Fixed price")}
CHANNEL_LABELS = {"web": N_("Web (logged-in users)"), "api": N_("API (API keys)")}
_FORM_NAME = {"offer_id": "offer_sku", "unit_price_fen": "unit_price", "discount_bp": "discount"}


# ---- the list --------------------------------------------------------------------------------------------


def _lists(db: Session) -> dict[str, Any]:
    """Policies in precedence order, groups with members, and the names both refer to (set-based)."""
    policies, more = paginate(
        db,
        PricePolicyRepository(db).listing(offer_id=None, active=None),
        PricePolicy.id,
        cursor=None,
        limit=MAX_POLICIES,
    )
    groups, more_groups = paginate(
        db, CustomerGroupRepository(db).select(), CustomerGroup.id, cursor=None, limit=MAX_GROUPS
    )
    offers = OfferRepository(db).by_ids([x.offer_id for x in policies if x.offer_id])
    skus = OfferRepository(db).part_labels(o.part_id for o in offers.values())
    categories = {c.id: c for c in CategoryRepository(db).all()}
    return {
        "policies": supplier.in_precedence_order(policies),
        "specificity": {x.id: supplier.policy_specificity(x) for x in policies},
        "more_policies": more is not None,
        "groups": sorted(groups, key=lambda g: g.name),
        "more_groups": more_groups is not None,
        "members": supplier.members_of(db, groups),
        "group_names": {g.id: g.name for g in groups},
        "offer_skus": {i: skus.get(o.part_id, ("", "", None))[0] for i, o in offers.items()},
        "categories": categories,
    }


def _list_page(
    request: Request,
    db: Session,
    *,
    group_values: dict[str, Any] | None = None,
    group_errors: dict[str, str] | None = None,
    member_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "supplier/policies.html",
        db,
        status_code=status,
        scope_labels=SCOPE_LABELS,
        effect_labels=EFFECT_LABELS,
        channel_labels=CHANNEL_LABELS,
        bp_to_percent=bp_to_percent,
        group_values=group_values or {},
        group_errors=group_errors or {},
        member_form=member_form or {},
        **_lists(db),
    )


@router.get("", include_in_schema=False)
def list_policies(request: Request, p: Principal = Depends(VIEW), db: Session = Depends(get_db)) -> Response:
    seller(p)
    return _list_page(request, db)


# ---- the policy form -----------------------------------------------------------------------------------


def _values_of(db: Session, t: Translator, policy: PricePolicy | None) -> dict[str, Any]:
    if policy is None:
        return {"priority": "0", "active": True, "scope": "all", "effect": "discount"}
    sku = ""
    if policy.offer_id is not None:
        offer = OfferRepository(db).get(policy.offer_id)
        if offer is not None:
            sku = OfferRepository(db).part_labels([offer.part_id]).get(offer.part_id, ("", "", None))[0]
    return {
        "name": policy.name,
        "priority": str(policy.priority),
        "active": policy.active,
        "customer_group_id": str(policy.customer_group_id or ""),
        "province": policy.province or "",
        "city": policy.city or "",
        "channel": policy.channel.value if policy.channel else "",
        "valid_from": local_input(policy.valid_from, t.tz),
        "valid_until": local_input(policy.valid_until, t.tz),
        "scope": policy.scope.value,
        "offer_sku": sku,
        "category_id": str(policy.category_id or ""),
        "effect": policy.effect.value,
        "discount": bp_to_percent(policy.discount_bp),
        "unit_price": yuan_input(policy.unit_price_fen),
    }


def _uuid(text: str) -> uuid.UUID | bool | None:
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return False


def _parse(
    db: Session, t: Translator, form: FormData
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """The form → (what the user typed, schema input with every field set, errors of the typing)."""
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in FIELDS}
    values["active"] = form.get("active") is not None
    errors: dict[str, str] = {}
    required = t.gettext("This field is required.")
    listed = t.gettext("Choose one of the listed values.")
    data: dict[str, Any] = {
        "name": values["name"] or None,
        "active": values["active"],
        "province": values["province"] or None,
        "city": values["city"] or None,
        "channel": values["channel"] or None,
        "scope": values["scope"] or "all",
        "effect": values["effect"] or None,
        "offer_id": None,
        "category_id": None,
        "unit_price_fen": None,
        "discount_bp": None,
    }
    if not values["name"]:
        errors["name"] = required
    priority = parse_int(values["priority"] or "0")
    if priority is None:
        errors["priority"] = t.gettext("Enter a whole number.")
    data["priority"] = priority
    group = _uuid(values["customer_group_id"])
    if group is False:
        errors["customer_group_id"] = listed
    data["customer_group_id"] = group or None
    for name in ("valid_from", "valid_until"):
        moment = parse_local(values[name], t.tz)
        if moment is False:
            errors[name] = t.gettext("Enter a date and time.")
        data[name] = moment or None
    if data["scope"] == PolicyScope.offer.value:
        if not values["offer_sku"]:
            errors["offer_sku"] = required
        else:
            repo = OfferRepository(db)
            part_id = repo.parts_by_sku([values["offer_sku"]]).get(values["offer_sku"])
            offer = repo.by_part(part_id) if part_id else None
            if offer is None:
                errors["offer_sku"] = t.gettext("You have no offer for this SKU.")
            else:
                data["offer_id"] = offer.id
    elif data["scope"] == PolicyScope.category.value:
        category = _uuid(values["category_id"])
        if not category:
            errors["category_id"] = required if category is None else listed
        else:
            data["category_id"] = category
    if data["effect"] == PolicyEffect.discount.value:
        bp = percent_to_bp(values["discount"]) if values["discount"] else None
        if not values["discount"]:
            errors["discount"] = required
        elif bp is None or not 1 <= bp <= 9999:
            errors["discount"] = t.gettext("Enter a percentage between 0.01 and 99.99.")
        data["discount_bp"] = bp
    elif data["effect"] == PolicyEffect.fixed_price.value:
        fen = parse_fen(values["unit_price"]) if values["unit_price"] else None
        if not values["unit_price"]:
            errors["unit_price"] = required
        elif fen is None or fen <= 0:
            errors["unit_price"] = t.gettext("Enter a price in yuan, e.g. 298.00.")
        data["unit_price_fen"] = fen
    return values, data, errors


def _form(
    request: Request,
    db: Session,
    *,
    policy: PricePolicy | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    groups, _ = paginate(
        db, CustomerGroupRepository(db).select(), CustomerGroup.id, cursor=None, limit=MAX_GROUPS
    )
    return page(
        request,
        "supplier/policy_form.html",
        db,
        status_code=status,
        policy=policy,
        values=values,
        errors=errors or {},
        error=error,
        groups=sorted(groups, key=lambda g: g.name),
        categories=CategoryRepository(db).all(),
        scope_labels=SCOPE_LABELS,
        effect_labels=EFFECT_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


def _schema_errors(t: Translator, exc: ValidationError) -> dict[str, str]:
    return {_FORM_NAME.get(k, k): v for k, v in field_errors(t, exc).items()}


def _fail(
    request: Request, db: Session, exc: AppError, policy_id: uuid.UUID | None, values: dict[str, Any]
) -> Response:
    undo(db, exc)
    text = message(translator(request, db), exc)
    policy = supplier.get_policy(db, policy_id) if policy_id else None
    name = _FORM_NAME.get(exc.field or "", exc.field or "")
    if name in values:
        return _form(request, db, policy=policy, values=values, errors={name: text}, status=exc.status)
    return _form(request, db, policy=policy, values=values, error=text, status=exc.status)


@router.get("/new", include_in_schema=False)
def new_policy(request: Request, p: Principal = Depends(EDIT), db: Session = Depends(get_db)) -> Response:
    seller(p)
    return _form(request, db, policy=None, values=_values_of(db, translator(request, db), None))


@router.post("/new", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_policy(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    t = translator(request, db)
    values, data, errors = _parse(db, t, form)
    if errors:
        return _form(request, db, policy=None, values=values, errors=errors, status=422)
    try:
        payload = PolicyIn.model_validate(data)
    except ValidationError as exc:
        return _form(request, db, policy=None, values=values, errors=_schema_errors(t, exc), status=422)
    try:
        supplier.create_policy(db, p, payload)
    except AppError as exc:
        return _fail(request, db, exc, None, values)
    return redirect(request, "/supplier/policies", flash="supplier_policy_created")


@router.get("/{policy_id}", include_in_schema=False)
def edit_policy(
    request: Request, policy_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    policy = supplier.get_policy(db, policy_id)
    return _form(request, db, policy=policy, values=_values_of(db, translator(request, db), policy))


@router.post("/{policy_id}", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def save_policy(
    request: Request,
    policy_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    policy = supplier.get_policy(db, policy_id)
    t = translator(request, db)
    values, data, errors = _parse(db, t, form)
    if errors:
        return _form(request, db, policy=policy, values=values, errors=errors, status=422)
    try:
        payload = PolicyUpdate.model_validate(data)
    except ValidationError as exc:
        return _form(request, db, policy=policy, values=values, errors=_schema_errors(t, exc), status=422)
    try:
        supplier.update_policy(db, policy_id, payload)
    except AppError as exc:
        return _fail(request, db, exc, policy_id, values)
    return redirect(request, "/supplier/policies", flash="supplier_policy_saved")


@router.post("/{policy_id}/delete", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def delete_policy(
    request: Request, policy_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    supplier.delete_policy(db, policy_id)
    return redirect(request, "/supplier/policies", flash="supplier_policy_deleted")


# ---- customer groups -------------------------------------------------------------------------------------


@groups_router.post("", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_group(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    t = translator(request, db)
    values = {k: str(form.get(k) or "").strip() for k in ("name", "description")}
    try:
        data = GroupIn.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        return _list_page(request, db, group_values=values, group_errors=field_errors(t, exc), status=422)
    try:
        supplier.create_group(db, p, data)
    except AppError as exc:
        undo(db, exc)
        errors = {exc.field or "name": message(t, exc)}
        return _list_page(request, db, group_values=values, group_errors=errors, status=exc.status)
    return redirect(request, "/supplier/policies#groups", flash="supplier_group_created")


@groups_router.post("/{group_id}/members", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def add_member(
    request: Request,
    group_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    supplier.get_group(db, group_id)  # 404 for another company's group
    t = translator(request, db)
    uscc = str(form.get("uscc") or "").strip()
    if not uscc:
        form_state = {"group_id": group_id, "uscc": uscc, "error": t.gettext("This field is required.")}
        return _list_page(request, db, member_form=form_state, status=422)
    try:
        supplier.add_member_by_uscc(db, group_id, uscc)
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        form_state = {"group_id": group_id, "uscc": uscc, "error": message(t, exc)}
        return _list_page(request, db, member_form=form_state, status=exc.status)
    return redirect(request, f"/supplier/policies#group-{group_id}", flash="supplier_member_added")


@groups_router.post(
    "/{group_id}/members/{member_org_id}/remove",
    include_in_schema=False,
    dependencies=[Depends(csrf.csrf_protect)],
)
def remove_member(
    request: Request,
    group_id: uuid.UUID,
    member_org_id: uuid.UUID,
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    supplier.remove_member(db, group_id, member_org_id)
    return redirect(request, f"/supplier/policies#group-{group_id}", flash="supplier_member_removed")

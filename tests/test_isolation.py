"""Tenant isolation, proved over every route of the app.

Company B's owner (who holds every company permission) calls every route with company A's ids:
each one answers 404 (platform routes: 403, B holds no platform permission), list routes never show
A's ids, and afterwards every row of company A is exactly as it was. A new route with a path
parameter this test does not know fails it until the route is added here.

Later domains plug in without editing this file: a module ``tests/<domain>/isolation.py`` may define
``foreign_resources(world) -> dict[str, str]`` (company-A resources by path-parameter name),
``JSON_BODIES`` (minimal valid bodies by (method, path)), ``FORM_BODIES`` (the same for web forms) and
``SNAPSHOT_MODELS`` (tenant-scoped models
whose company-A rows must be unchanged afterwards).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from typing import Any

from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.jobs import service as jobs
from tests.factories import new_uscc
from tests.helpers import api_routes

CSRF = "t" * 43

# Platform master data (catalogue, vehicles) is shared by every company: reading it is not a leak.
# For these routes the walk checks the other side: a company may read (200/404) but never write (403).
SHARED_PARAMS = {
    "part_id",
    "make_id",
    "model_id",
    "generation_id",
    "variant_id",
    "pattern_id",
    "category_id",
    "brand_id",
    "fitment_id",
    "number_id",
    "vin",
    "kind",
}

# Minimal valid bodies, so validation passes and the handler itself meets the foreign id.
JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/users/{user_id}"): {"name": "劫持"},
    ("PATCH", "/api/v1/roles/{role_id}"): {"name": "劫持"},
    ("PATCH", "/api/v1/companies/{company_id}"): {"name": "劫持的公司"},
    ("POST", "/api/v1/platform/companies/{company_id}/reject"): {"reason": "劫持"},
    ("POST", "/api/v1/platform/companies/{company_id}/suspend"): {"reason": "劫持"},
}
FORM_BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/settings/users/{user_id}"): {"name": "劫持", "status": "disabled"},
    ("POST", "/settings/roles/{role_id}"): {"name": "劫持", "permissions": "orders:view"},
    ("POST", "/platform/review/{company_id}/reject"): {"reason": "劫持"},
}


def _domain_modules() -> list[Any]:
    import tests

    mods = []
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                mods.append(importlib.import_module(f"tests.{info.name}.isolation"))
            except ModuleNotFoundError as e:
                if e.name != f"tests.{info.name}.isolation":
                    raise
    return mods


DOMAINS = _domain_modules()
for _mod in DOMAINS:
    JSON_BODIES.update(getattr(_mod, "JSON_BODIES", {}))
    FORM_BODIES.update(getattr(_mod, "FORM_BODIES", {}))


def _branch_body() -> dict[str, Any]:
    return {
        "name": "劫持分店",
        "uscc": new_uscc(),
        "province": "浙江省",
        "city": "杭州市",
        "address": "x",
        "contacts": [{"name": "x", "phone": "13900001111"}],
    }


def _platform_only(route: Any) -> bool:
    """A route whose declared permission is a platform permission (company users always get 403)."""
    from autotrade.core.deps import Requires

    stack = list(route.dependant.dependencies)
    while stack:
        d = stack.pop()
        if isinstance(d.call, Requires) and any(p.startswith("platform.") for p in d.call.permissions):
            return True
        stack.extend(d.dependencies)
    return False


def _snapshot(db: Any, org_ids: set[uuid.UUID]) -> dict[str, list[tuple[Any, ...]]]:
    from autotrade.iam.models import ApiKey, Role, User, UserRole
    from autotrade.jobs.models import JobRun
    from autotrade.orgs.models import Org, OrgContact

    out = {}
    with db.session() as s:
        bind_system(s, "test")
        extra = [m for mod in DOMAINS for m in getattr(mod, "SNAPSHOT_MODELS", ())]
        for model in (Org, OrgContact, User, UserRole, Role, ApiKey, JobRun, *extra):
            col = model.id if model is Org else model.org_id
            rows = s.scalars(select(model).where(col.in_(org_ids)).order_by(model.id)).all()
            out[model.__tablename__] = [
                tuple(getattr(r, c.key) for c in model.__mapper__.column_attrs) for r in rows
            ]
    return out


def _foreign_resources(world: Any) -> dict[str, str]:
    c, h = world.client, world.h("a_owner")
    role = c.post(
        "/api/v1/roles", json={"name": "A 私有角色", "permissions": ["orders:view"]}, headers=h
    ).json()
    key = c.post("/api/v1/api-keys", json={"name": "A ERP", "scopes": ["users:view"]}, headers=h).json()
    with world.db.transaction() as s:
        bind_system(s, "test")
        run = jobs.submit(s, "system.purge", org_id=world.orgs["a"])
    found = {
        "company_id": str(world.orgs["a"]),
        "user_id": str(world.users["a_viewer"]),
        "role_id": role["id"],
        "key_id": key["id"],
        "job_id": str(run.id),
    }
    for mod in DOMAINS:
        if hasattr(mod, "foreign_resources"):
            found.update(mod.foreign_resources(world))
    return found


def test_company_b_cannot_read_or_change_company_a_on_any_route(client, app, world, db):
    foreign = _foreign_resources(world)
    a_orgs = {world.orgs["a"], world.orgs["a_branch"]}
    before = _snapshot(db, a_orgs)
    b = world.h("b_owner")
    client.cookies.set("csrf", CSRF)
    checked: list[str] = []
    wrong: list[str] = []

    for path, methods, route in api_routes(app):
        params = re.findall(r"{(\w+)}", path)
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            if not params:
                continue
            if set(params) <= SHARED_PARAMS:
                url = path.format(
                    **{p: "LFV2A21K6M3000001" if p == "vin" else str(uuid.uuid4()) for p in params}
                )
                r = client.request(method, url, headers=b, json={} if method != "GET" else None)
                allowed = {200, 404, 422} if method == "GET" else {403}
                if _platform_only(route):  # platform staff's pages over master data
                    allowed = {403}
                assert r.status_code in allowed, f"{method} {path} (shared) → {r.status_code}: {r.text[:200]}"
                checked.append(f"{method} {path}")
                continue
            missing = [p for p in params if p not in foreign]
            assert not missing, f"{method} {path}: add a company-A resource for path parameter(s) {missing}"
            url = path.format(**{p: foreign[p] for p in params})
            kwargs: dict[str, Any] = {"headers": {**b, "X-CSRF-Token": CSRF}}
            if (method, path) in FORM_BODIES:
                kwargs["data"] = {**FORM_BODIES[(method, path)], "csrf_token": CSRF}
            elif path.endswith("/branches"):
                kwargs["json"] = _branch_body()
            elif method in ("POST", "PATCH", "PUT"):
                kwargs["json"] = JSON_BODIES.get((method, path), {})
            r = client.request(method, url, follow_redirects=False, **kwargs)
            platform = _platform_only(route)
            expected = 403 if platform else 404
            if r.status_code != expected:
                wrong.append(f"{method} {path} → {r.status_code} (expected {expected}): {r.text[:200]}")
                continue
            if path.startswith("/api/"):
                assert r.json()["code"] == ("permission_denied" if platform else r.json()["code"])
            checked.append(f"{method} {path}")

    assert wrong == [], "\n".join(wrong)
    assert len(checked) >= 25, checked  # every id-bearing route was exercised
    assert _snapshot(db, a_orgs) == before


def test_lists_never_show_another_companys_rows(client, app, world):
    foreign = _foreign_resources(world)
    b = world.h("b_owner")
    a_ids = set(foreign.values()) | {str(world.users["a_owner"]), str(world.orgs["a_branch"])}
    a_names = {"A 汽修连锁", "A 汽修滨江店", "A 私有角色", "A ERP", world.emails["a_owner"]}
    listed = 0
    for path, methods, _route in api_routes(app):
        if "GET" not in methods or "{" in path or path.startswith(("/api/v1/platform", "/platform")):
            continue
        r = client.get(path, headers=b, follow_redirects=False)
        assert r.status_code in (200, 303, 307, 422), f"GET {path} → {r.status_code}"  # 422: needs a query
        leaked = [x for x in a_ids | a_names if x in r.text]
        assert not leaked, f"GET {path} shows company A's {leaked}"
        listed += 1
    assert listed >= 10


def test_platform_routes_see_across_companies_only_for_platform_staff(client, world):
    r = client.get(f"/api/v1/platform/companies/{world.orgs['a']}", headers=world.h("reviewer"))
    assert r.status_code == 200 and r.json()["id"] == str(world.orgs["a"])
    r = client.get(f"/api/v1/companies/{world.orgs['a']}", headers=world.h("reviewer"))
    assert r.status_code == 404  # the company API stays scoped even for platform staff

"""Fixtures of the catalogue pages: the world (companies, platform staff) with the small hand-written
catalogue of tests/catalog, a catalogue manager, a view-only catalogue user and a finance user, and
uploads kept in the test's own directory."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from autotrade.catalog import importer
from autotrade.core.settings import Settings
from autotrade.core.tenancy import bind_system
from autotrade.iam.models import Role, UserRole
from tests.catalog.conftest import catalog  # noqa: F401  (the fixture)
from tests.factories import make_user
from tests.web.conftest import web_login

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _custom_role(db: Any, org: uuid.UUID, name: str, permissions: list[str]) -> uuid.UUID:
    with db.transaction() as s:
        bind_system(s, "test")
        role = Role(org_id=org, name=name, permissions=permissions, platform=True)
        s.add(role)
        s.flush()
        return role.id


def _user_with_role(db: Any, org: uuid.UUID, role_id: uuid.UUID) -> tuple[uuid.UUID, str]:
    uid, email = make_user(db, org=org, roles=())
    with db.transaction() as s:
        bind_system(s, "test")
        s.add(UserRole(user_id=uid, role_id=role_id, org_id=org))
    return uid, email


@pytest.fixture
def cw(
    world: Any,
    catalog: Any,  # noqa: F811  (the fixture imported above)
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """The world with a catalogue, more platform users, and uploads under this test's directory."""
    settings.import_dir = tmp_path / "imports"
    monkeypatch.setattr(importer, "get_settings", lambda: settings)
    world.catalog = catalog
    world.add_user("cat_manager", "platform", ("catalog_manager",))
    platform = world.orgs["platform"]
    viewer_role = _custom_role(
        world.db, platform, "Catalogue reader", ["platform.catalog:view", "catalog:view"]
    )
    world.users["cat_viewer"], world.emails["cat_viewer"] = _user_with_role(world.db, platform, viewer_role)
    finance_role = _custom_role(world.db, platform, "Finance clerk", ["platform.finance:edit"])
    world.users["finance"], world.emails["finance"] = _user_with_role(world.db, platform, finance_role)
    return world


def login(w: Any, who: str) -> Any:
    """Log the test client in as ``who`` (through the form) and return it."""
    c = w.client
    c.cookies.clear()
    web_login(c, w.emails[who])
    return c


def post(c: Any, path: str, data: dict[str, Any] | None = None, files: Any = None) -> Any:
    """Post a form with the CSRF token the browser holds."""
    token = c.cookies.get("csrf")
    assert token
    return c.post(path, data={**(data or {}), "csrf_token": token}, files=files, follow_redirects=False)


def field_error(html: str, form: str, name: str) -> str | None:
    """The error shown next to field ``name`` of form ``form`` (None when there is none)."""
    m = re.search(rf'<div class="field-error" id="{form}-{name}-error">([^<]*)</div>', html)
    return m.group(1) if m else None


def value_of(html: str, form: str, name: str) -> str | None:
    """The value an input of the page holds (as typed, HTML-escaped)."""
    m = re.search(
        rf'<input id="{form}-{name}" class="catalog-input" name="{name}" type="[^"]+" value="([^"]*)"', html
    )
    return m.group(1) if m else None

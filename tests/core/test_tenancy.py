"""The central tenant filter: fail closed, subtree scope, platform reads only when asked for."""

import pytest
from sqlalchemy import select, update

from autotrade.core.tenancy import SCOPE_KEY, SYSTEM, Principal, bind_principal
from autotrade.iam.models import User
from autotrade.orgs.models import Org


def _principal(scope):
    return Principal(
        org_id=next(iter(scope)),
        org_type="repair_shop",
        org_status="approved",
        scope=frozenset(scope),
        permissions=frozenset(),
    )


def test_session_without_scope_sees_nothing(world, db):
    with db.session() as s:
        assert s.scalars(select(Org)).all() == []
        assert s.scalars(select(User)).all() == []


def test_system_scope_sees_everything(world, db):
    with db.session() as s:
        s.info[SCOPE_KEY] = SYSTEM
        assert len(s.scalars(select(Org)).all()) == 5


def test_principal_sees_its_subtree_only(world, db):
    with db.session() as s:
        bind_principal(s, _principal({world.orgs["a"], world.orgs["a_branch"]}))
        assert {o.id for o in s.scalars(select(Org))} == {world.orgs["a"], world.orgs["a_branch"]}
        assert s.get(Org, world.orgs["b"]) is None
        users = {u.org_id for u in s.scalars(select(User))}
        assert users == {world.orgs["a"], world.orgs["a_branch"]}


def test_joins_are_filtered_too(world, db):
    with db.session() as s:
        bind_principal(s, _principal({world.orgs["b"]}))
        rows = s.execute(select(User.email, Org.name).join(Org, Org.id == User.org_id)).all()
        assert {name for _, name in rows} == {"B 汽配经销"}


@pytest.mark.no_audit_check  # a raw bulk update, to test the filter itself
def test_bulk_update_cannot_touch_foreign_rows(world, db):
    with db.session() as s:
        bind_principal(s, _principal({world.orgs["b"]}))
        s.execute(
            update(User).values(name="hijacked"),
            execution_options={"synchronize_session": False, "audited": True},
        )
        s.commit()
    with db.session() as s:
        s.info[SCOPE_KEY] = SYSTEM
        names = {u.org_id: u.name for u in s.scalars(select(User))}
    assert names[world.orgs["b"]] == "hijacked"
    assert all(n != "hijacked" for org, n in names.items() if org != world.orgs["b"])


def test_all_tenants_must_be_asked_for_explicitly(world, db):
    with db.session() as s:
        bind_principal(s, _principal({world.orgs["b"]}))
        assert len(s.scalars(select(Org).execution_options(all_tenants=True)).all()) == 5


def test_unmarked_bulk_write_of_an_audited_model_is_refused(world, db):
    with db.session() as s:
        bind_principal(s, _principal({world.orgs["b"]}))
        with pytest.raises(RuntimeError, match="would escape the audit log"):
            s.execute(update(User).values(name="x"), execution_options={"synchronize_session": False})

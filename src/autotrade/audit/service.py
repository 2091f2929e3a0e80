"""The audit log: every write to an ``Audited`` model is recorded in the same transaction by a session
hook, with actor, company, action, entity and before/after values (sensitive fields redacted).
Services add semantic events (a login, a failed login) with :func:`record_event` and may name the
action of a change with :func:`label`."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from autotrade.audit.models import AuditLog
from autotrade.core.context import client_ip_var, request_id_var
from autotrade.core.db import Audited, utcnow, uuid7
from autotrade.core.tenancy import PRINCIPAL_KEY, Principal

REDACTED = "[redacted]"
_ACTION_ATTR = "_audit_action"


def label(obj: Any, action: str) -> None:
    """Name the action recorded for the next flush of ``obj`` (e.g. ``company.approve``)."""
    setattr(obj, _ACTION_ATTR, action)


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _entity_type(obj: Any) -> str:
    return str(obj.__tablename__)


def _entity_org(obj: Any) -> uuid.UUID | None:
    value = getattr(obj, "org_id", None)
    return value if isinstance(value, uuid.UUID) else None


def _actor(session: Session) -> dict[str, Any]:
    p = session.info.get(PRINCIPAL_KEY)
    if isinstance(p, Principal):
        return {
            "actor_user_id": p.user_id,
            "actor_api_key_id": p.api_key_id,
            "actor_label": p.actor_label,
        }
    return {
        "actor_user_id": session.info.get("actor_user_id"),
        "actor_api_key_id": None,
        "actor_label": session.info.get("actor_label", "anonymous"),
    }


def _snapshot(obj: Any, *, use_committed: bool) -> dict[str, Any]:
    state = inspect(obj)
    cls = type(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in cls.__audit_ignore__:
            continue
        hist = state.attrs[key].history
        if use_committed and hist.deleted:
            value = hist.deleted[0]
        elif use_committed and hist.unchanged:
            value = hist.unchanged[0]
        else:
            value = state.dict.get(key)
        out[key] = REDACTED if (key in cls.__audit_redact__ and value is not None) else _jsonable(value)
    return out


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    cls = type(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in cls.__audit_ignore__:
            continue
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        redact = key in cls.__audit_redact__
        before[key] = REDACTED if (redact and old is not None) else _jsonable(old)
        after[key] = REDACTED if (redact and new is not None) else _jsonable(new)
    return before, after


def _common(session: Session) -> dict[str, Any]:
    """The fields every entry written now shares: who, from where, when."""
    return {
        **_actor(session),
        "request_id": request_id_var.get(),
        "ip": client_ip_var.get(),
        "occurred_at": utcnow(),
    }


def _entry(
    common: dict[str, Any],
    org_id: Any,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        **common,
        "id": uuid7(),
        "org_id": org_id if isinstance(org_id, uuid.UUID) else None,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id if entity_id is not None else "") or None,
        "before": before,
        "after": after,
    }


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    rows: list[dict[str, Any]] = []
    common = _common(session)

    def row(obj: Any, op: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        action = obj.__dict__.pop(_ACTION_ATTR, None) or f"{_entity_type(obj)}.{op}"
        rows.append(
            _entry(
                common, _entity_org(obj), action, _entity_type(obj), getattr(obj, "id", None), before, after
            )
        )

    for obj in session.new:
        if isinstance(obj, Audited):
            row(obj, "create", None, _snapshot(obj, use_committed=False))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if before or after:
                row(obj, "update", before, after)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            row(obj, "delete", _snapshot(obj, use_committed=True), None)
    if rows:
        session.connection().execute(insert(AuditLog), rows)


class _RowContext:
    """What a context-sensitive column default sees (``updated_at`` defaults to ``created_at``)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict[str, Any]:
        return self.row


def _python_default(column: Any, row: dict[str, Any]) -> tuple[bool, Any]:
    """(has one, value) of a column's Python-side default for ``row``, as an INSERT would apply it."""
    default = column.default
    if default is None:
        return False, None
    if default.is_scalar:
        return True, default.arg
    if default.is_callable:  # SQLAlchemy wraps zero-argument callables to take the context
        return True, default.arg(_RowContext(row))
    return False, None


def insert_rows(session: Session, *batches: tuple[type[Any], list[dict[str, Any]]]) -> None:
    """INSERT each ``(model, rows)`` batch (column values by attribute name) in one multi-row statement,
    in the order given (parents before children), then one statement with the ``<table>.create`` audit
    entries of the :class:`Audited` models among them: the same entries the flush hook writes for new
    objects, without the unit of work. For hot paths that write many new rows at once (checkout). Rows
    are completed in place with their Python-side defaults, so the caller sees what was stored."""
    common: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    for model, rows in batches:
        if not rows:
            continue
        mapper = inspect(model)
        for attr in mapper.column_attrs:  # in column order: created_at is set before updated_at reads it
            for r in rows:
                if attr.key not in r:
                    has, value = _python_default(attr.columns[0], r)
                    if not has:
                        break
                    r[attr.key] = value
        table = cast(Table, model.__table__)
        renamed = {a.key: a.columns[0].key for a in mapper.column_attrs if a.key != a.columns[0].key}
        values = [{renamed.get(k, k): v for k, v in r.items()} for r in rows] if renamed else rows
        session.connection().execute(table.insert(), values)  # Core: the ORM's bulk path costs more here
        if not issubclass(model, Audited):
            continue
        common = common or _common(session)
        name = table.name
        ignore, redact = model.__audit_ignore__, model.__audit_redact__
        keys = [a.key for a in mapper.column_attrs if a.key not in ignore]
        for r in rows:
            after = {}
            for key in keys:
                value = r.get(key)
                after[key] = REDACTED if (key in redact and value is not None) else _jsonable(value)
            entries.append(_entry(common, r.get("org_id"), f"{name}.create", name, r.get("id"), None, after))
    if entries:
        session.connection().execute(insert(AuditLog), entries)


if not event.contains(Session, "after_flush", _after_flush):
    event.listen(Session, "after_flush", _after_flush)


def _refuse_unaudited_bulk_writes(state: Any) -> None:
    """ORM bulk UPDATE/DELETE bypasses the flush hook. On an audited model it must say that it records
    its own audit event (``execution_options(audited=True)`` plus :func:`record_event`)."""
    if not (state.is_update or state.is_delete) or state.execution_options.get("audited", False):
        return
    for mapper in state.all_mappers:
        if issubclass(mapper.class_, Audited):
            verb = "UPDATE" if state.is_update else "DELETE"
            raise RuntimeError(
                f"bulk {verb} of {mapper.class_.__name__} would escape the audit log: change the rows "
                "through the session, or record_event() and pass audited=True"
            )


if not event.contains(Session, "do_orm_execute", _refuse_unaudited_bulk_writes):
    event.listen(Session, "do_orm_execute", _refuse_unaudited_bulk_writes)


def record_event(
    session: Session,
    action: str,
    *,
    entity_type: str,
    entity_id: Any = None,
    org_id: uuid.UUID | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
    actor_user_id: uuid.UUID | None = None,
) -> None:
    """Record an event that is not a row change (login, failed login, export)."""
    actor = _actor(session)
    if actor_label:
        actor["actor_label"] = actor_label
    if actor_user_id:
        actor["actor_user_id"] = actor_user_id
    session.add(
        AuditLog(
            **actor,
            org_id=org_id,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            after=_jsonable(after) if after else None,
            request_id=request_id_var.get(),
            ip=client_ip_var.get(),
        )
    )


CSV_COLUMNS = (
    "id",
    "occurred_at",
    "org_id",
    "actor_user_id",
    "actor_api_key_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
    "request_id",
    "ip",
)


def csv_rows(session: Session, stmt: Any, batch: int = 1000) -> Any:
    """Yield the CSV (header first) of an audit query, newest first, streaming in batches."""
    import csv
    import io
    import json

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    yield buf.getvalue()
    last = None
    while True:
        page = stmt.order_by(AuditLog.id.desc()).limit(batch)
        if last is not None:
            page = page.where(AuditLog.id < last)
        rows = list(session.scalars(page))
        if not rows:
            return
        buf.seek(0)
        buf.truncate()
        for r in rows:
            writer.writerow(
                [
                    r.id,
                    r.occurred_at.isoformat(),
                    r.org_id or "",
                    r.actor_user_id or "",
                    r.actor_api_key_id or "",
                    r.actor_label,
                    r.action,
                    r.entity_type,
                    r.entity_id or "",
                    json.dumps(r.before, ensure_ascii=False) if r.before is not None else "",
                    json.dumps(r.after, ensure_ascii=False) if r.after is not None else "",
                    r.request_id or "",
                    r.ip or "",
                ]
            )
        yield buf.getvalue()
        last = rows[-1].id

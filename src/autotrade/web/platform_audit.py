"""Platform auditors: search the audit log of every company (``platform.audit:view``) — by company,
actor, entity type and id, action and time range (days in the viewer's time zone), newest first,
paginated; each entry shows who, what, when and its before/after as a list of changed fields. The
query is the audit repository's (``AuditRepository.filtered``), as ``GET /api/v1/platform/audit``."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from autotrade.audit.models import AuditLog
from autotrade.audit.repository import AuditRepository
from autotrade.audit.schemas import AuditFilter
from autotrade.core.db import Audited, Base
from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.reports import service as reports
from autotrade.web.i18n import Translator
from autotrade.web.platform_common import page, parse_date, parse_uuid, validation_errors
from autotrade.web.render import translator

router = api_router("/platform/audit")
PAGE_SIZE = 50
FILTERS = ("company", "actor", "entity_type", "entity_id", "action", "date_from", "date_to")
MAX_SHOWN = 300  # characters of one value in the list of changes


def entity_types() -> list[str]:
    """The tables whose rows are audited, for the entity type suggestions."""
    names = {
        str(m.class_.__tablename__)
        for m in Base.registry.mappers
        if issubclass(m.class_, Audited) and hasattr(m.class_, "__tablename__")
    }
    return sorted(names)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


Change = tuple[str, str | None, str | None]


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """(field, before, after) for each field that differs; a creation lists its values (before None), a
    deletion its former values (after None)."""
    b, a = before or {}, after or {}
    out = []
    for key in sorted(set(b) | set(a)):
        if before is not None and after is not None and b.get(key) == a.get(key):
            continue
        out.append(
            (
                key,
                _shown(b[key]) if before is not None and key in b else None,
                _shown(a[key]) if after is not None and key in a else None,
            )
        )
    return out


def _filter(db: Session, t: Translator, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's values as AuditFilter arguments, and the errors of the fields that cannot be used."""
    f: dict[str, Any] = {}
    errors: dict[str, str] = {}
    company = values["company"]
    if company:
        as_id = parse_uuid(company)
        if as_id is not None:
            f["org_id"] = as_id
        else:
            found = reports.companies_named(db, company)
            if found and (found[0][1] == company or len(found) == 1):
                f["org_id"] = found[0][0]
            elif not found:
                errors["company"] = t.gettext("No company has this name.")
            else:
                errors["company"] = t.gettext(
                    "Several companies match: %(names)s. Type the full name.",
                    names="、".join(name for _id, name in found[:5]),
                )
    actor = values["actor"]
    if actor:
        as_id = parse_uuid(actor)
        if as_id is not None:
            f["actor_user_id"] = as_id
        else:
            f["actor_label"] = actor
    for name in ("entity_type", "entity_id", "action"):
        if values[name]:
            f[name] = values[name]
    parsed = {name: parse_date(values[name]) for name in ("date_from", "date_to")}
    for name, value in parsed.items():
        if value is False:
            errors[name] = t.gettext("Enter a date like 2026-11-30.")
    date_from = parsed["date_from"] if isinstance(parsed["date_from"], date) else None
    date_to = parsed["date_to"] if isinstance(parsed["date_to"], date) else None
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = t.gettext("The end date is before the start date.")
    if date_from:
        f["since"] = reports.day_start(date_from, t.tz)
    if date_to:
        f["until"] = reports.day_start(date_to + timedelta(days=1), t.tz)
    return f, errors


@router.get("", include_in_schema=False)
def search(
    request: Request,
    cursor: str | None = None,
    p: Principal = Depends(require("platform.audit:view")),
    db: Session = Depends(get_db),
) -> Response:
    t = translator(request, db)
    values = {k: (request.query_params.get(k) or "").strip() for k in FILTERS}
    args, errors = _filter(db, t, values)
    flt: AuditFilter | None = None
    try:
        flt = AuditFilter(**args)
    except ValidationError as exc:
        errors = {**validation_errors(t, exc), **errors}
    rows: list[AuditLog] = []
    nxt: str | None = None
    if flt is not None and not errors:
        stmt = AuditRepository(db).filtered(flt, all_tenants=True)
        rows, nxt = paginate(db, stmt, AuditLog.id, cursor=cursor, limit=PAGE_SIZE)
    query = {k: v for k, v in values.items() if v}
    export = {k: str(v) for k, v in args.items() if v is not None}
    for key in ("since", "until"):
        if key in args:
            export[key] = args[key].isoformat()
    return page(
        request,
        "platform/audit.html",
        db,
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        rows=rows,
        names=reports.company_names(db, [r.org_id for r in rows]),
        changes={r.id: changes(r.before, r.after) for r in rows},
        next_url=f"/platform/audit?{urlencode({**query, 'cursor': nxt})}" if nxt else None,
        export_url=f"/api/v1/platform/audit/export.csv?{urlencode(export)}",
        filtered=bool(query),
        entity_types=entity_types(),
    )

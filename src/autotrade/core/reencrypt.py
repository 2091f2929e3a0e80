"""Re-encrypt every sensitive field with the active key, after a key rotation.

Finds every ``EncryptedText`` column of every model, so a new sensitive field is covered without
being listed here. Each rewritten row gets a ``keys.reencrypt`` audit entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from autotrade.core.crypto import EncryptedText, keyring
from autotrade.core.db import Base


def encrypted_columns() -> Iterator[tuple[type[Any], list[str]]]:
    for mapper in Base.registry.mappers:
        fields = [c.key for c in mapper.column_attrs if isinstance(c.columns[0].type, EncryptedText)]
        if fields:
            yield mapper.class_, sorted(fields)


def reencrypt_all(session: Session, progress: Callable[[str, int], None] | None = None) -> int:
    """Rewrite every encrypted value with the active key; returns how many values were rewritten."""
    from autotrade.audit.service import record_event

    total = 0
    for model, fields in sorted(encrypted_columns(), key=lambda mf: mf[0].__tablename__):
        for row in session.scalars(select(model).order_by(model.id)):
            touched = [f for f in fields if getattr(row, f) is not None]
            for f in touched:
                flag_modified(row, f)
            if touched:
                total += len(touched)
                record_event(
                    session,
                    "keys.reencrypt",
                    entity_type=model.__tablename__,
                    entity_id=row.id,
                    org_id=getattr(row, "org_id", None),
                    after={"fields": touched, "key_id": keyring().active},
                )
            if progress:
                progress(model.__tablename__, 1)
        session.flush()
    return total

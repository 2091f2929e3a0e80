"""events: every query of the domain.

The dispatcher runs with the SYSTEM scope (a job): its methods here read and claim rows of every
company on purpose — that is what a delivery worker does. Routes run in the caller's scope, where the
tenant filter keeps each company to its own endpoints and deliveries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update

from autotrade.core.repository import Repository
from autotrade.events.models import (
    DeliveryStatus,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from autotrade.orgs.models import Org


class WebhookRepository(Repository[WebhookEndpoint]):
    model = WebhookEndpoint
    label = "webhook endpoint"
    not_found_code = "webhook_not_found"

    def count_of_org(self, org_id: uuid.UUID) -> int:
        stmt = select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.org_id == org_id)
        return int(self.session.scalar(stmt) or 0)

    def active_of_orgs(self, org_ids: Iterable[uuid.UUID]) -> list[WebhookEndpoint]:
        wanted = list(org_ids)
        if not wanted:
            return []
        stmt = (
            select(WebhookEndpoint)
            .where(WebhookEndpoint.org_id.in_(wanted), WebhookEndpoint.active.is_(True))
            .order_by(WebhookEndpoint.id)
        )
        return list(self.session.scalars(stmt))


class OutboxRepository(Repository[OutboxEvent]):
    model = OutboxEvent
    label = "event"

    def claim_undispatched(self, limit: int) -> list[OutboxEvent]:
        """The oldest events not yet fanned out, locked; concurrent dispatchers skip each other's
        rows on PostgreSQL (SQLite serialises writers with BEGIN IMMEDIATE)."""
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.dispatched_at.is_(None))
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(stmt))

    def mark_dispatched(self, ids: Sequence[uuid.UUID], now: datetime) -> None:
        if ids:
            self.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(list(ids)), OutboxEvent.dispatched_at.is_(None))
                .values(dispatched_at=now)
                .execution_options(synchronize_session=False)
            )

    def with_ancestors(self, org_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Each company with the companies above it (a branch → its parent chain), one query: an
        endpoint of a company also receives its branches' events."""
        wanted = list(set(org_ids))
        if not wanted:
            return {}
        tree = (
            select(Org.id.label("start"), Org.id.label("org"), Org.parent_id.label("parent"))
            .where(Org.id.in_(wanted))
            .cte("org_chain", recursive=True)
        )
        tree = tree.union_all(select(tree.c.start, Org.id, Org.parent_id).join(tree, Org.id == tree.c.parent))
        out: dict[uuid.UUID, set[uuid.UUID]] = {org: {org} for org in wanted}
        for start, org in self.session.execute(
            select(tree.c.start, tree.c.org).execution_options(all_tenants=True)
        ):
            out[start].add(org)
        return out


class DeliveryRepository(Repository[WebhookDelivery]):
    model = WebhookDelivery
    label = "webhook delivery"
    not_found_code = "webhook_delivery_not_found"

    def existing_pairs(self, event_ids: Sequence[uuid.UUID]) -> set[tuple[uuid.UUID, uuid.UUID]]:
        if not event_ids:
            return set()
        stmt = select(WebhookDelivery.endpoint_id, WebhookDelivery.event_id).where(
            WebhookDelivery.event_id.in_(list(event_ids))
        )
        return {(e, v) for e, v in self.session.execute(stmt)}

    def claim_due(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        """Deliveries whose next attempt is due, and those a worker claimed but never finished (its
        lease expired: it died or hung), oldest first, locked (skipped by concurrent workers)."""
        stmt = (
            select(WebhookDelivery)
            .where(
                or_(
                    and_(
                        WebhookDelivery.status == DeliveryStatus.pending,
                        WebhookDelivery.next_attempt_at <= now,
                    ),
                    and_(
                        WebhookDelivery.status == DeliveryStatus.delivering,
                        WebhookDelivery.leased_until <= now,
                    ),
                )
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(stmt))

    def finish(self, delivery_id: uuid.UUID, lease_token: uuid.UUID, **values: Any) -> bool:
        """Record an attempt's result if this worker still holds the claim (conditional UPDATE on the
        lease token): a worker whose lease expired and was taken over writes nothing."""
        result = self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.lease_token == lease_token)
            .values(lease_token=None, leased_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def of_endpoint(self, endpoint_id: uuid.UUID, status: DeliveryStatus | None = None) -> Select[Any]:
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if status is not None:
            stmt = stmt.where(WebhookDelivery.status == status)
        return stmt

    def get_of_endpoint(self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        stmt = select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
        )
        return self.session.scalar(stmt)

    def attempts_of(self, delivery_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[WebhookAttempt]]:
        out: dict[uuid.UUID, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
        if delivery_ids:
            stmt = (
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_(list(delivery_ids)))
                .order_by(WebhookAttempt.delivery_id, WebhookAttempt.attempt)
            )
            for a in self.session.scalars(stmt):
                out[a.delivery_id].append(a)
        return out

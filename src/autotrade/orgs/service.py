"""Companies: registration, onboarding review (入驻审核), profile, branches.

A company registers → ``pending``; a platform reviewer approves or rejects with a reason; a rejected
company may correct its data and resubmit. Only ``approved`` companies trade. Branches belong to a
parent company and share its review state.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.db import utcnow
from autotrade.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from autotrade.core.security import hash_password
from autotrade.core.tenancy import Principal, bind_principal
from autotrade.iam import service as iam
from autotrade.iam.errors import EmailTaken
from autotrade.iam.models import User, UserRole
from autotrade.iam.repository import UserRepository
from autotrade.orgs.models import Org, OrgContact, OrgStatus, OrgType
from autotrade.orgs.repository import OrgRepository
from autotrade.orgs.schemas import BranchIn, CompanyUpdate, ContactIn, RegisterIn

# Allowed review transitions: (from, action) -> to
REVIEW_TRANSITIONS: dict[tuple[OrgStatus, str], OrgStatus] = {
    (OrgStatus.pending, "approve"): OrgStatus.approved,
    (OrgStatus.pending, "reject"): OrgStatus.rejected,
    (OrgStatus.rejected, "resubmit"): OrgStatus.pending,
    (OrgStatus.approved, "suspend"): OrgStatus.suspended,
    (OrgStatus.suspended, "reinstate"): OrgStatus.approved,
}


class UsccTaken(Conflict):
    code = "company_already_registered"
    title = "A company with this unified social credit code is already registered"


def _contacts(org_id: uuid.UUID, items: list[ContactIn]) -> list[OrgContact]:
    if sum(c.is_primary for c in items) > 1:
        raise ValidationFailed(
            "only one contact can be primary", field="contacts", code="several_primary_contacts"
        )
    out = [OrgContact(org_id=org_id, **c.model_dump()) for c in items]
    if not any(c.is_primary for c in out):
        out[0].is_primary = True
    return out


def register(session: Session, data: RegisterIn) -> tuple[Org, User]:
    """Public self-registration: the company (pending review) and its owner user."""
    c = data.company
    if c.type == OrgType.platform:
        raise ValidationFailed(
            "the platform company cannot be registered", field="company.type", code="invalid_org_type"
        )
    orgs = OrgRepository(session)
    if orgs.by_uscc_any_tenant(c.uscc) is not None:
        raise UsccTaken(field="company.uscc")
    if UserRepository(session).email_taken(data.owner.email):
        raise EmailTaken(field="owner.email")
    org = Org(
        id=uuid.uuid4(),
        status=OrgStatus.pending,
        submitted_at=utcnow(),
        **c.model_dump(exclude={"contacts"}),
    )
    org.contacts = _contacts(org.id, c.contacts)
    session.info.setdefault("actor_label", data.owner.email)
    orgs.add(org)
    owner = User(
        org_id=org.id,
        email=data.owner.email.lower(),
        name=data.owner.name,
        phone=data.owner.phone,
        password_hash=hash_password(data.owner.password),
    )
    session.add(owner)
    session.flush()
    session.add(UserRole(user_id=owner.id, role_id=iam.builtin_role(session, "owner").id, org_id=org.id))
    session.flush()
    return org, owner


def _transition(org: Org, action: str) -> OrgStatus:
    to = REVIEW_TRANSITIONS.get((org.status, action))
    if to is None:
        raise InvalidTransition(
            f"cannot {action} a company that is {org.status.value}", code="invalid_review_transition"
        )
    return to


def review(
    session: Session, reviewer: Principal, org_id: uuid.UUID, action: str, reason: str | None = None
) -> Org:
    """Platform review: approve, reject (with reason), suspend, reinstate."""
    org = OrgRepository(session).get_full_any_tenant(org_id)
    if org is None or org.type == OrgType.platform:
        raise NotFound("company not found", code="company_not_found")
    if org.parent_id is not None:
        raise InvalidTransition("branches follow their parent company's review", code="branch_not_reviewable")
    if action in ("reject", "suspend") and not reason:
        raise ValidationFailed("a reason is required", field="reason", code="required")
    org.status = _transition(org, action)
    org.reviewed_at = utcnow()
    org.reviewed_by_id = reviewer.user_id
    org.review_reason = reason
    label(org, f"orgs.{action}")
    session.flush()
    _cascade_status(session, org)
    return org


def _cascade_status(session: Session, parent: Org) -> None:
    for bid in OrgRepository(session).subtree_ids(parent.id) - {parent.id}:
        branch = OrgRepository(session).get_any_tenant(bid)
        if branch is not None and branch.status != parent.status:
            branch.status = parent.status
            label(branch, "orgs.follow_parent")
    session.flush()


def resubmit(session: Session, actor: Principal, org_id: uuid.UUID) -> Org:
    org = OrgRepository(session).get_or_404(org_id)
    org.status = _transition(org, "resubmit")
    org.submitted_at = utcnow()
    label(org, "orgs.resubmit")
    session.flush()
    return org


def update(session: Session, actor: Principal, org_id: uuid.UUID, data: CompanyUpdate) -> Org:
    repo = OrgRepository(session)
    org = repo.get_full(org_id)
    if org is None:
        raise NotFound("company not found", code="company_not_found")
    fields = data.model_dump(exclude_unset=True, exclude={"contacts"})
    for key, value in fields.items():
        setattr(org, key, value)
    if data.contacts is not None:
        org.contacts = _contacts(org.id, data.contacts)
    session.flush()
    return org


def create_branch(session: Session, actor: Principal, parent_id: uuid.UUID, data: BranchIn) -> Org:
    repo = OrgRepository(session)
    parent = repo.get_or_404(parent_id)
    if repo.by_uscc_any_tenant(data.uscc) is not None:
        raise UsccTaken(field="uscc")
    branch = Org(
        id=uuid.uuid4(),
        parent_id=parent.id,
        type=parent.type,
        status=parent.status,
        submitted_at=utcnow(),
        **data.model_dump(exclude={"contacts"}),
    )
    branch.contacts = _contacts(branch.id, data.contacts)
    repo.add(branch)
    # The caller now also sees the new branch (it is below a company in their scope).
    bind_principal(session, _with_scope(actor, actor.scope | {branch.id}))
    return branch


def _with_scope(p: Principal, scope: frozenset[uuid.UUID]) -> Principal:
    return replace(p, scope=scope)

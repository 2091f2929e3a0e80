"""pricing: typed errors with stable codes."""

from __future__ import annotations

from autotrade.core.errors import Conflict, NotFound, ValidationFailed


class OfferNotFound(NotFound):
    code = "offer_not_found"
    title = "Offer not found"


class OfferInactive(ValidationFailed):
    code = "offer_inactive"
    title = "This offer is not on sale"


class BelowMoq(ValidationFailed):
    code = "below_moq"
    title = "The quantity is below the offer's minimum order quantity"


class NotPackMultiple(ValidationFailed):
    code = "not_pack_multiple"
    title = "The quantity is not a multiple of the offer's pack size"


class OfferExists(Conflict):
    code = "offer_exists"
    title = "Your company already offers this part"


class InUse(Conflict):
    code = "in_use"
    title = "Still referenced by other records"


class CustomerGroupNotFound(NotFound):
    code = "customer_group_not_found"
    title = "Customer group not found"


class MemberNotFound(NotFound):
    code = "member_not_found"
    title = "This company is not a member of the group"


class PricePolicyNotFound(NotFound):
    code = "price_policy_not_found"
    title = "Price policy not found"

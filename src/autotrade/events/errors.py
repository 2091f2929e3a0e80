"""events: typed errors with stable codes."""

from __future__ import annotations

from autotrade.core.errors import Conflict, NotFound, ValidationFailed


class WebhookNotFound(NotFound):
    code = "webhook_not_found"
    title = "Webhook endpoint not found"


class DeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    title = "Webhook delivery not found"


class WebhookUrlNotAllowed(ValidationFailed):
    code = "webhook_url_not_allowed"
    title = "This URL cannot receive webhooks"


class TooManyWebhooks(Conflict):
    code = "too_many_webhooks"
    title = "The company has reached its number of webhook endpoints"


class DeliveryNotRetryable(Conflict):
    code = "webhook_delivery_not_retryable"
    title = "Only a failed delivery can be sent again"

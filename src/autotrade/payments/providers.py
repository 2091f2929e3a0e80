"""The payment-provider interface and its implementations.

A provider tells the buyer how to pay (:meth:`PaymentProvider.instructions`), proves that money arrived
(:meth:`PaymentProvider.verify_callback`: a signed asynchronous callback; a bank transfer has none —
platform finance confirms it by hand) and sends money back to the original method
(:meth:`PaymentProvider.refund`). ``clearing`` is the platform account the money sits in meanwhile
(docs/money.md: ``P_clearing``).

* :class:`BankTransferProvider` — offline bank transfer to the platform's collection account, quoting
  the payment's reference code.
* :class:`GatewayProvider` — the online gateway adapter: a pay page / QR code, then callbacks signed with
  HMAC-SHA256 over ``"<timestamp>." + body`` (headers ``X-Gateway-Timestamp``, ``X-Gateway-Signature``,
  hex), refused when the timestamp is further than ``gateway_callback_tolerance_seconds`` from now.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from autotrade.core.settings import Settings
from autotrade.ledger.models import Purpose
from autotrade.orders.models import Order
from autotrade.payments.errors import CallbackMalformed, CallbackRejected, ProviderNotAvailable
from autotrade.payments.models import Payment, ProviderName

TIMESTAMP_HEADER = "x-gateway-timestamp"
SIGNATURE_HEADER = "x-gateway-signature"
EVENT_TYPES = ("payment.succeeded", "payment.closed")


@dataclass(frozen=True)
class GatewayEvent:
    """A verified gateway callback: what happened to which payment (``out_trade_no`` = our
    ``reference_code``; ``trade_no`` = the gateway's own number)."""

    event_id: str
    type: str
    out_trade_no: str
    trade_no: str | None
    amount_fen: int
    currency: str


class PaymentProvider(Protocol):
    name: ProviderName
    clearing: Purpose

    def instructions(self, payment: Payment, order: Order) -> dict[str, Any]: ...

    def verify_callback(self, headers: Mapping[str, str], body: bytes, *, now: int) -> GatewayEvent: ...

    def refund(self, payment: Payment, amount_fen: int, reason: str) -> str: ...


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The gateway's signature of a callback: hex HMAC-SHA256 over ``"<timestamp>." + body``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def peek_event_id(body: bytes) -> str | None:
    """The event id a (possibly forged) body claims, for the log only."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("event_id") if isinstance(data, dict) else None
    return str(value)[:64] if value is not None else None


class BankTransferProvider:
    name = ProviderName.bank_transfer
    clearing = Purpose.bank_clearing

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def instructions(self, payment: Payment, order: Order) -> dict[str, Any]:
        return {
            "kind": "bank_transfer",
            "bank": self.settings.collection_bank,
            "account_name": self.settings.collection_account_name,
            "account_number": self.settings.collection_account_number,
            "amount_fen": payment.amount_fen,
            "currency": payment.currency,
            "reference_code": payment.reference_code,
            "note": f"转账附言请填写 {payment.reference_code}（订单 {order.number}）；到账后由平台财务确认。",
        }

    def verify_callback(self, headers: Mapping[str, str], body: bytes, *, now: int) -> GatewayEvent:
        raise ProviderNotAvailable("bank transfers have no callbacks: platform finance confirms them")

    def refund(self, payment: Payment, amount_fen: int, reason: str) -> str:
        """Finance transfers the money back to the buyer's account; the reference names the refund."""
        return f"BTR{secrets.token_hex(6).upper()}"


class GatewayProvider:
    name = ProviderName.gateway
    clearing = Purpose.gateway_clearing

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def instructions(self, payment: Payment, order: Order) -> dict[str, Any]:
        ref = payment.reference_code
        out: dict[str, Any] = {
            "kind": "gateway",
            "amount_fen": payment.amount_fen,
            "currency": payment.currency,
            "reference_code": ref,
            # Placeholders of a real gateway's answer: the page to redirect to, the QR code to show.
            "redirect_url": f"https://gateway.invalid/pay?out_trade_no={ref}",
            "qr_code": f"gateway://pay/{ref}",
        }
        if self.settings.env != "production":
            out["simulator_url"] = f"/api/v1/payments/simulator/payments/{payment.id}/pay"
        return out

    def verify_callback(self, headers: Mapping[str, str], body: bytes, *, now: int) -> GatewayEvent:
        """The event, or :class:`CallbackRejected` (bad or missing signature, stale timestamp) /
        :class:`CallbackMalformed` (signed, but not an event we can read)."""
        lower = {k.lower(): v for k, v in headers.items()}
        raw_ts, given = lower.get(TIMESTAMP_HEADER, ""), lower.get(SIGNATURE_HEADER, "")
        if not raw_ts.isdigit() or not given:
            raise CallbackRejected("missing X-Gateway-Timestamp or X-Gateway-Signature")
        timestamp = int(raw_ts)
        if not hmac.compare_digest(
            sign(self.settings.gateway_secret, timestamp, body), given.strip().lower()
        ):
            raise CallbackRejected("the signature does not match the body")
        if abs(now - timestamp) > self.settings.gateway_callback_tolerance_seconds:
            raise CallbackRejected(
                f"the callback's timestamp is {now - timestamp} s from now "
                f"(at most {self.settings.gateway_callback_tolerance_seconds} s)",
                code="stale_callback",
            )
        try:
            data = json.loads(body)
            event = GatewayEvent(
                event_id=str(data["event_id"])[:64],
                type=str(data["type"]),
                out_trade_no=str(data["out_trade_no"]),
                trade_no=str(data["trade_no"])[:64] if data.get("trade_no") else None,
                amount_fen=data["amount_fen"],
                currency=str(data.get("currency", "CNY")),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise CallbackMalformed(f"not a gateway event: {e}") from None
        if type(event.amount_fen) is not int or not event.event_id or event.type not in EVENT_TYPES:
            raise CallbackMalformed("event_id, type (payment.succeeded|payment.closed) and int amount_fen")
        return event

    def refund(self, payment: Payment, amount_fen: int, reason: str) -> str:
        """A refund request to the gateway (the adapter's outbound call; the simulator accepts every
        refund at once). Returns the gateway's refund number."""
        return f"GWR{secrets.token_hex(6).upper()}"


class CreditProvider:
    """Orders paid on credit (the credit domain posts ``credit_payment``): no instructions, no
    callbacks; a refund reduces what the buyer owes (``credit_receivable``, the buyer's account)."""

    name = ProviderName.credit
    clearing = Purpose.credit_receivable

    def instructions(self, payment: Payment, order: Order) -> dict[str, Any]:
        raise ProviderNotAvailable("orders are paid on credit through the credit service", field="provider")

    def verify_callback(self, headers: Mapping[str, str], body: bytes, *, now: int) -> GatewayEvent:
        raise ProviderNotAvailable("credit payments have no callbacks")

    def refund(self, payment: Payment, amount_fen: int, reason: str) -> str:
        return f"CRR{secrets.token_hex(6).upper()}"


def provider_for(name: ProviderName, settings: Settings) -> PaymentProvider:
    if name == ProviderName.bank_transfer:
        return BankTransferProvider(settings)
    if name == ProviderName.gateway:
        return GatewayProvider(settings)
    return CreditProvider()

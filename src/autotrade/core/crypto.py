"""Field-level encryption (AES-256-GCM with rotating key ids), keyed blind indexes, masking.

Ciphertext format: ``v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``. The column's purpose
(e.g. ``phone``) is bound as associated data, so a ciphertext cannot be moved to another column.
Exact-value search uses a separate HMAC-SHA256 column over the normalised value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from autotrade.core.settings import Settings, get_settings


class Keyring:
    def __init__(self, keys: dict[str, bytes], active: str, blind_key: bytes) -> None:
        self._aead = {kid: AESGCM(k) for kid, k in keys.items()}
        self.active = active
        self._blind_key = blind_key

    @classmethod
    def from_settings(cls, s: Settings) -> Keyring:
        return cls(s.field_key_map(), s.field_key_active, s.blind_index_key.encode())

    def encrypt(self, plaintext: str, purpose: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead[self.active].encrypt(nonce, plaintext.encode(), purpose.encode())
        return f"v1.{self.active}.{base64.urlsafe_b64encode(nonce + ct).decode()}"

    def decrypt(self, token: str, purpose: str) -> str:
        version, kid, b64 = token.split(".", 2)
        if version != "v1" or kid not in self._aead:
            raise ValueError(f"cannot decrypt field: unknown key id {kid!r}")
        raw = base64.urlsafe_b64decode(b64)
        return self._aead[kid].decrypt(raw[:12], raw[12:], purpose.encode()).decode()

    def key_id_of(self, token: str) -> str:
        return token.split(".", 2)[1]

    def blind_index(self, value: str, purpose: str) -> str:
        norm = normalise(value, purpose)
        return hmac.new(self._blind_key, f"{purpose}:{norm}".encode(), hashlib.sha256).hexdigest()


_keyring: Keyring | None = None


def configure(settings: Settings) -> None:
    global _keyring
    _keyring = Keyring.from_settings(settings)


def keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = Keyring.from_settings(get_settings())
    return _keyring


def normalise(value: str, purpose: str) -> str:
    v = re.sub(r"[\s\-]", "", value).upper()
    if purpose == "phone":
        v = v.removeprefix("+86") if v.startswith("+86") else v
    return v


class EncryptedText(TypeDecorator[str]):
    """A string column stored encrypted; the application sees plaintext."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring().encrypt(value, self.purpose)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring().decrypt(value, self.purpose)


BlindIndex = String(64)


# ---- masking -------------------------------------------------------------------------------------


def mask(value: str | None, purpose: str) -> str | None:
    """Mask for display: phone 138****1234, ID 110101********1234, bank ************1234."""
    if value is None:
        return None
    v = value.replace(" ", "")
    if purpose == "phone":
        if len(v) >= 7:
            return v[:3] + "*" * (len(v) - 7) + v[-4:]
        return "*" * len(v)
    if purpose == "id_number":
        if len(v) > 10:
            return v[:6] + "*" * (len(v) - 10) + v[-4:]
        return "*" * len(v)
    if purpose == "bank_account":
        return "*" * max(len(v) - 4, 0) + v[-4:]
    return "*" * len(v)


def _fill_blind_indexes(session: Any, _ctx: Any, _instances: Any) -> None:
    """Keep every ``__blind_indexes__`` HMAC column in step with its encrypted field."""
    for obj in list(session.new) + list(session.dirty):
        spec: dict[str, tuple[str, str]] | None = getattr(type(obj), "__blind_indexes__", None)
        if not spec:
            continue
        for attr, (hmac_attr, purpose) in spec.items():
            value = getattr(obj, attr)
            setattr(obj, hmac_attr, None if value in (None, "") else keyring().blind_index(value, purpose))


def install_session_hooks() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "before_flush", _fill_blind_indexes):
        event.listen(Session, "before_flush", _fill_blind_indexes)


install_session_hooks()

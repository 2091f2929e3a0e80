"""Password hashing (argon2id), JWT access tokens, opaque secrets."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from autotrade.core.db import utcnow
from autotrade.core.errors import NotAuthenticated

_hasher = PasswordHasher()
# Verified against when the user does not exist, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")
JWT_ALG = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def sha256_hex(value: str) -> str:
    """For high-entropy secrets (refresh tokens, API keys): a fast hash is enough and safe."""
    return hashlib.sha256(value.encode()).hexdigest()


def issue_access_token(secret: str, *, user_id: uuid.UUID, org_id: uuid.UUID, ttl_seconds: int) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "org": str(org_id),
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALG)


def decode_access_token(secret: str, token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[JWT_ALG], options={"require": ["exp", "sub", "org", "typ"]}
        )
    except jwt.ExpiredSignatureError as e:
        raise NotAuthenticated("access token expired", code="token_expired") from e
    except jwt.PyJWTError as e:
        raise NotAuthenticated("invalid access token", code="invalid_token") from e
    if claims.get("typ") != "access":
        raise NotAuthenticated("not an access token", code="invalid_token")
    return claims

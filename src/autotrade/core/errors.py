"""Typed domain errors. Each carries an HTTP status and a stable machine-readable ``code``;
one handler renders them as RFC 9457 problem+json (see ``core.problems``)."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    # When True, the boundary commits the session before answering with this error. Only for
    # errors whose record *is* the write (a failed login counts towards lockout).
    commit: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.detail = detail or self.title
        self.field = field
        if code:
            self.code = code
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.detail)


class ValidationFailed(AppError):
    status = 422
    code = "validation_error"
    title = "The request is not valid"


class NotFound(AppError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = "Conflict"


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"
    title = "Authentication required"

    def __init__(self, detail: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class PermissionDenied(AppError):
    status = 403
    code = "permission_denied"
    title = "Permission denied"


class InvalidTransition(AppError):
    status = 409
    code = "invalid_transition"
    title = "This action is not allowed in the current state"


class RateLimited(AppError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"
    commit = True


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    title = "Request body too large"

"""HTTP plumbing shared by the API and the web pages.

* :class:`UnitOfWorkRoute` gives each request one database session and commits it once, *before*
  the response is sent; on any error it rolls back, so a failed request changes nothing.
* Middleware: request id (``X-Request-ID``), body size limit, access log and Prometheus metrics.
* Error handlers render every failure as RFC 9457 problem+json with a stable ``code`` (API) or as
  an HTML page (web).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import anyio
import anyio.to_thread
from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from prometheus_client import Counter, Histogram
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from autotrade.core.context import client_ip_var, request_id_var
from autotrade.core.errors import AppError

log = logging.getLogger("autotrade.http")

REQUESTS = Counter("autotrade_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "autotrade_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
)

PROBLEM_JSON = "application/problem+json"


# ---- unit of work ----------------------------------------------------------------------------------

# Requests holding a database session at once, per event loop (one per worker process). A request
# waits here, asynchronously and holding nothing, until a session is free. Without this bound, under
# load the thread pool fills with requests blocked on the connection pool while the requests that hold
# the connections (and row locks) wait for a thread to finish or commit in: a deadlock that ends
# only with the pool timeout (seen with 60 concurrent checkouts). Bounded by the pool's capacity, a
# request that holds a session always gets a connection and a thread.
_session_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _session_limiter(request: Request) -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _session_limiters.get(loop)
    if limiter is None:
        capacity = request.app.state.db.max_sessions
        limiter = _session_limiters[loop] = anyio.CapacityLimiter(capacity)
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = max(threads.total_tokens, capacity + 8)
    return limiter


def get_db(request: Request) -> Session:
    """The request's session (opened by :class:`UnitOfWorkRoute`)."""
    session: Session | None = getattr(request.state, "db", None)
    if session is None:
        session = request.app.state.db.session()
        request.state.db = session
    return session


class UnitOfWorkRoute(APIRoute):
    """Commits the request's session once, before the response leaves; rolls back on error."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            async with _session_limiter(request):
                return await unit_of_work(request)

        async def unit_of_work(request: Request) -> Response:
            try:
                response = await handler(request)
                session = getattr(request.state, "db", None)
                if session is not None:
                    await run_in_threadpool(session.commit)
                return response
            except AppError as exc:
                session = getattr(request.state, "db", None)
                if session is not None:
                    await run_in_threadpool(session.commit if exc.commit else session.rollback)
                raise
            except BaseException:
                session = getattr(request.state, "db", None)
                if session is not None:
                    await run_in_threadpool(session.rollback)
                raise
            finally:
                session = getattr(request.state, "db", None)
                if session is not None:
                    request.state.db = None
                    await run_in_threadpool(session.close)

        return run


# ---- problem+json ------------------------------------------------------------------------------------


def problem(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://autotrade.dev/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail or title,
    }
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    if instance:
        body["instance"] = instance
    body["request_id"] = request_id_var.get()
    body.update(extra)
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _loc_to_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        src, rest = parts[0], parts[1:]
        return ".".join(rest) if (src == "body" and rest) else ".".join([src, *rest]) if rest else src
    return ".".join(parts)


def _validation_code(err_type: str) -> str:
    return {
        "missing": "required",
        "json_invalid": "invalid_json",
        "string_too_short": "too_short",
        "string_too_long": "too_long",
        "value_error": "invalid_value",
    }.get(err_type, err_type)


def validation_problem(request: Request, exc: RequestValidationError) -> Response:
    errors = []
    for e in exc.errors():
        field = _loc_to_field(e.get("loc", ()))
        msg = str(e.get("msg", "invalid"))
        if msg.startswith("Value error, "):
            msg = msg.removeprefix("Value error, ")
        errors.append(
            {"field": field, "code": _validation_code(str(e.get("type", "invalid"))), "message": msg}
        )
    if any(e["code"] == "invalid_json" for e in errors):
        return problem(
            400, "invalid_json", "Malformed JSON body", errors[0]["message"], instance=request.url.path
        )
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    return problem(
        422,
        "validation_error",
        "The request is not valid",
        f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        field=first["field"],
        errors=errors,
        instance=request.url.path,
    )


def app_error_problem(request: Request, exc: AppError) -> Response:
    return problem(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        field=exc.field,
        errors=exc.errors,
        headers=exc.headers,
        instance=request.url.path,
        **exc.extra,
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    title = code.replace("_", " ").capitalize()
    return problem(
        exc.status_code,
        code,
        title,
        str(exc.detail),
        headers=dict(exc.headers or {}),
        instance=request.url.path,
    )


def unhandled_problem(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem(500, "internal_error", "Internal server error", "An unexpected error occurred.")


# ---- middleware -------------------------------------------------------------------------------------

_RID_OK = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


class RequestContextMiddleware:
    """Request id, client address, body size limit, access log and metrics, as plain ASGI."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        rid = headers.get("x-request-id", "")
        if not _RID_OK.match(rid):
            rid = uuid.uuid4().hex
        tok_rid = request_id_var.set(rid)
        client = scope.get("client")
        tok_ip = client_ip_var.set(client[0] if client else None)
        start = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*list(message["headers"]), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_body:
                await self._too_large(send_wrapper)
                return
            received = 0

            async def limited_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body:
                        # An HTTPException passes through FastAPI's body parsing and reaches our handler.
                        raise HTTPException(413, f"The request body exceeds {self.max_body} bytes.")
                return message

            await self.app(scope, limited_receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            route_path = getattr(route, "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], route_path, str(status_holder["status"])).inc()
            LATENCY.labels(scope["method"], route_path).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status_holder["status"],
                    "ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(tok_rid)
            client_ip_var.reset(tok_ip)

    async def _too_large(self, send: Callable[[Message], Awaitable[None]]) -> None:
        body = json.dumps(
            {
                "type": "https://autotrade.dev/problems/payload-too-large",
                "title": "Request body too large",
                "status": 413,
                "code": "payload_too_large",
                "detail": f"The request body exceeds {self.max_body} bytes.",
                "request_id": request_id_var.get(),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
